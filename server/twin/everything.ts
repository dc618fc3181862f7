/**
 * Patient $everything paging (https://hl7.org/fhir/R4/patient-operation-everything.html), stateless: a page is
 * the Patient (first page), then the compartment in keyset pages, then the Practitioners, Organizations,
 * Medications and Locations those resources reference. Every resource appears exactly once across pages.
 */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { parseSearchParams } from '../search/parse';
import type { SearchRegistry } from '../search/registry';
import type { SearchQuery } from '../search/types';
import { dateRange, rangeMillis } from '../search/date-range';
import type { StoreReader } from '../store/types';
import { clinicalDate, clinicalDateEnd } from './fhir-values';
import { referencesIn } from './resolve-references';

export interface EverythingFilter {
  /** _type; undefined = every type. */
  types?: string[];
  /** _since (an instant): only resources updated since. */
  since?: string;
  /** start/end: care dates, as epoch ms (start's low bound, end's high bound). */
  start?: number;
  end?: number;
}

/** Where a patient's export continues: the compartment ('m') or the referenced resources ('r'), with a store cursor. */
export interface EverythingState { ph: 'm' | 'r'; c?: string }

export interface EverythingEntry { resource: Resource; mode: 'match' | 'include' }
export interface EverythingChunk { entries: EverythingEntry[]; next?: EverythingState }

/** Referenced from the compartment and exported with it, though not in it. */
const REFERENCED_TYPES = ['Practitioner', 'PractitionerRole', 'Organization', 'Medication', 'Location'];

interface Ctx { reader: StoreReader; registry: SearchRegistry; ctx: AccessContext; patient: Resource & { id: string }; filter: EverythingFilter }

const wants = (f: EverythingFilter, type: string): boolean => !f.types || f.types.includes(type);
const keyOf = (r: Resource): string => `${r.resourceType}/${r.id ?? ''}`;

/**
 * The access log about a patient is not the patient's record (and is for auditors only): like HAPI,
 * $everything leaves AuditEvents out even though the R4 Patient compartment lists them.
 */
const NOT_RECORD = new Set(['AuditEvent']);

/** Types in the Patient compartment; `all` ignores _type (references are discovered from the whole record). */
function compartmentTypes(x: Ctx, all = false): string[] {
  return x.registry.resourceTypes().filter((t) => !NOT_RECORD.has(t) && x.registry.compartmentParams('Patient', t).length > 0 && (all || wants(x.filter, t)));
}

/** A resource without care dates cannot be placed in time and is kept. */
function inCareRange(f: EverythingFilter, r: Resource): boolean {
  if (f.start === undefined && f.end === undefined) return true;
  const lowText = clinicalDate(r);
  const low = lowText ? dateRange(lowText) : null;
  const high = dateRange(clinicalDateEnd(r) ?? lowText ?? '') ?? low;
  if (!low || !high) return true;
  const span = { low: rangeMillis(low).low, high: rangeMillis(high).high };
  return (f.start === undefined || span.high >= f.start) && (f.end === undefined || span.low <= f.end);
}

const updatedSince = (f: EverythingFilter, r: Resource): boolean =>
  !f.since || !r.meta?.lastUpdated || Date.parse(r.meta.lastUpdated) >= Date.parse(f.since);

function query(x: Ctx, types: string[], count: number, cursor: string | undefined, extra: [string, string][] = [], since = true): SearchQuery {
  const params: [string, string][] = [['_type', types.join(',')], ['_count', String(count)], ...extra];
  if (since && x.filter.since) params.push(['_lastUpdated', `ge${x.filter.since}`]);
  const { query: q } = parseSearchParams(x.registry, [], params);
  if (cursor) q.cursor = cursor;
  return q;
}

function compartmentQuery(x: Ctx, types: string[], count: number, cursor?: string, since = true): SearchQuery {
  const q = query(x, types, count, cursor, [], since);
  q.compartment = { resourceType: 'Patient', id: x.patient.id };
  return q;
}

/**
 * 'Type/id' of the referenced resources in scope: a full pass over the compartment in the care-date range. _type
 * selects what is returned, not where references are found: _type=Practitioner gives the patient's practitioners.
 */
async function referencedKeys(x: Ctx): Promise<Set<string>> {
  const refTypes = REFERENCED_TYPES.filter((t) => wants(x.filter, t));
  const keys = new Set<string>();
  if (refTypes.length === 0) return keys;
  const collect = (r: Resource): void => {
    for (const k of referencesIn(r)) if (refTypes.includes(k.split('/')[0])) keys.add(k);
  };
  collect(x.patient);
  const types = compartmentTypes(x, true);
  let cursor: string | undefined;
  while (types.length) {
    const page = await x.reader.search(x.ctx, compartmentQuery(x, types, 1000, cursor, false));
    for (const r of page.matches) if (inCareRange(x.filter, r)) collect(r);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return keys;
}

/** One page of referenced resources; `keys` are exactly the ones to return (the _id search may match more types). */
async function referencedPage(x: Ctx, keys: Set<string>, count: number, cursor?: string): Promise<{ matches: Resource[]; next?: string }> {
  const types = [...new Set([...keys].map((k) => k.split('/')[0]))].sort();
  const ids = [...new Set([...keys].map((k) => k.split('/')[1]))].sort();
  const page = await x.reader.search(x.ctx, query(x, types, count, cursor, [['_id', ids.join(',')]]));
  return { matches: page.matches.filter((r) => keys.has(keyOf(r))), next: page.nextCursor };
}

/**
 * Up to `count` entries of one patient's export from `state` (undefined = the beginning); `next` is where the
 * following page starts, absent once the patient is exhausted.
 */
export async function everythingChunk(
  reader: StoreReader, registry: SearchRegistry, ctx: AccessContext, patient: Resource & { id: string },
  filter: EverythingFilter, state: EverythingState | undefined, count: number,
): Promise<EverythingChunk> {
  const x: Ctx = { reader, registry, ctx, patient, filter };
  const entries: EverythingEntry[] = [];
  if (!state && wants(filter, 'Patient') && updatedSince(filter, patient)) entries.push({ resource: patient, mode: 'match' });
  let st: EverythingState = state ?? { ph: 'm' };
  let keys: Set<string> | undefined;
  while (entries.length < count) {
    if (st.ph === 'm') {
      const types = compartmentTypes(x);
      if (types.length === 0) { st = { ph: 'r' }; continue; }
      const page = await reader.search(ctx, compartmentQuery(x, types, count - entries.length, st.c));
      for (const r of page.matches) if (inCareRange(filter, r)) entries.push({ resource: r, mode: 'match' });
      st = page.nextCursor ? { ph: 'm', c: page.nextCursor } : { ph: 'r' };
      continue;
    }
    keys ??= await referencedKeys(x);
    if (keys.size === 0) return { entries };
    const page = await referencedPage(x, keys, count - entries.length, st.c);
    for (const r of page.matches) entries.push({ resource: r, mode: 'include' });
    if (!page.next) return { entries };
    st = { ph: 'r', c: page.next };
  }
  // A full page at the start of the references phase: only point further if there is something there.
  if (st.ph === 'r' && !st.c && (keys ?? (await referencedKeys(x))).size === 0) return { entries };
  return { entries, next: st };
}
