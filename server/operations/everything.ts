/**
 * Patient $everything at instance and type level — https://hl7.org/fhir/R4/patient-operation-everything.html
 * Parameters: _since, _type, start, end, _count; paged with `next` links that carry an opaque continuation.
 */
import { hl7OperationDefinitionUrl } from '../core/canonical-urls';
import type { Bundle, BundleEntry, FhirResource, Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { badRequest, gone, notFound } from '../core/fhir-error';
import type { OperationSpec, RestDeps } from '../rest/deps';
import { checkId } from '../rest/resource-body';
import { dateRange, rangeMillis } from '../search/date-range';
import { parseSearchParams } from '../search/parse';
import type { StoreReader } from '../store/types';
import { type EverythingEntry, type EverythingFilter, type EverythingState, everythingChunk } from '../twin/everything';
import type { FhirRequest } from '../rest/types';

type Live = Resource & { id: string };

/** Type level: the current patient, the cursor of the patient after it (none: it is the last), and where its export stands. */
interface PatientsState { p: string; a?: string; s?: EverythingState }

const encode = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');

const invalidToken = () => badRequest('Invalid $everything continuation (_cursor)', ['_cursor']);

function decode(token: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw invalidToken();
}

const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** The continuation is client-held: check its shape (the store cursors inside are signed and checked by the store). */
function patientState(v: unknown): EverythingState {
  const o = v as Partial<EverythingState> | null;
  if (!o || typeof o !== 'object' || (o.ph !== 'm' && o.ph !== 'r') || !optionalString(o.c)) throw invalidToken();
  return { ph: o.ph, ...(o.c ? { c: o.c } : {}) };
}

function patientsState(v: Record<string, unknown>): PatientsState {
  if (typeof v.p !== 'string' || !optionalString(v.a)) throw invalidToken();
  return { p: checkId(v.p), ...(typeof v.a === 'string' ? { a: v.a } : {}), ...(v.s !== undefined ? { s: patientState(v.s) } : {}) };
}

function dateParam(name: string, value: string): { low: number; high: number } {
  const r = dateRange(value);
  if (!r) throw badRequest(`Invalid date '${value.slice(0, 40)}' for '${name}'`, [name]);
  return rangeMillis(r);
}

function parseFilter(deps: RestDeps, req: FhirRequest): { filter: EverythingFilter; count: number } {
  const filter: EverythingFilter = {};
  let count = deps.limits.defaultCount;
  for (const [k, v] of req.query) {
    if (k === '_since') filter.since = new Date(dateParam(k, v).low).toISOString();
    else if (k === 'start') filter.start = dateParam(k, v).low;
    else if (k === 'end') filter.end = dateParam(k, v).high;
    else if (k === '_type') {
      const types = v.split(',').map((t) => t.trim()).filter(Boolean);
      const unknown = types.find((t) => !deps.registry.isResourceType(t));
      if (unknown !== undefined) throw badRequest(`Unknown resource type '${unknown.slice(0, 80)}' in _type`, ['_type']);
      filter.types = [...(filter.types ?? []), ...types];
    } else if (k === '_count') {
      if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw badRequest(`Invalid _count '${v.slice(0, 20)}'`, ['_count']);
      count = Math.min(Number(v), deps.limits.maxCount);
    }
  }
  return { filter, count };
}

async function livePatient(reader: StoreReader, ctx: AccessContext, id: string): Promise<Live> {
  const stored = await reader.read(ctx, 'Patient', id);
  if (!stored) throw notFound(`Patient/${id} is not known`);
  if (stored.deleted || !stored.resource) throw gone(`Patient/${id} was deleted`);
  return stored.resource as Live;
}

/** The patient after `cursor` in the store's order (the first one without a cursor). */
async function nextPatient(deps: RestDeps, reader: StoreReader, ctx: AccessContext, cursor?: string): Promise<PatientsState | undefined> {
  const { query } = parseSearchParams(deps.registry, ['Patient'], [['_count', '1']]);
  if (cursor) query.cursor = cursor;
  const page = await reader.search(ctx, query);
  const p = page.matches[0];
  return p?.id ? { p: p.id, ...(page.nextCursor ? { a: page.nextCursor } : {}) } : undefined;
}

/** Patients visited per page at most, so a page with many empty patients still answers quickly. */
const MAX_PATIENTS_PER_PAGE = 50;

async function allPatientsPage(deps: RestDeps, req: FhirRequest, reader: StoreReader, filter: EverythingFilter, count: number, token?: string) {
  const entries: EverythingEntry[] = [];
  const seen = new Set<string>();
  let cur = token ? patientsState(decode(token)) : await nextPatient(deps, reader, req.ctx);
  for (let visited = 0; cur && entries.length < count && visited < MAX_PATIENTS_PER_PAGE; visited++) {
    const stored = await reader.read(req.ctx, 'Patient', cur.p);
    const chunk = stored?.resource && !stored.deleted
      ? await everythingChunk(reader, deps.registry, req.ctx, stored.resource as Live, filter, cur.s, count - entries.length)
      : { entries: [] };
    // Referenced resources shared by patients on one page are listed once.
    for (const e of chunk.entries) {
      const key = `${e.resource.resourceType}/${e.resource.id ?? ''}`;
      if (!seen.has(key)) entries.push(e);
      seen.add(key);
    }
    cur = chunk.next ? { ...cur, s: chunk.next } : cur.a ? await nextPatient(deps, reader, req.ctx, cur.a) : undefined;
  }
  return { entries, next: cur };
}

function bundleOf(deps: RestDeps, req: FhirRequest, path: string, entries: EverythingEntry[], next?: object): Bundle {
  const keep = req.query.filter(([k]) => k !== '_cursor' && k !== '_format' && k !== '_pretty');
  const link = (token?: string): string => {
    const qs = new URLSearchParams([...keep, ...(token ? [['_cursor', token] as [string, string]] : [])]).toString();
    return `${req.baseUrl}/${path}${qs ? `?${qs}` : ''}`;
  };
  const current = req.query.find(([k]) => k === '_cursor')?.[1];
  const entry: BundleEntry[] = entries.map((e) => ({
    fullUrl: `${req.baseUrl}/${e.resource.resourceType}/${e.resource.id ?? ''}`, resource: e.resource as FhirResource, search: { mode: e.mode },
  }));
  return {
    resourceType: 'Bundle',
    id: deps.ids.newId(),
    meta: { lastUpdated: deps.clock.now().toISOString() },
    type: 'searchset',
    link: [{ relation: 'self', url: link(current) }, { relation: 'first', url: link() }, ...(next ? [{ relation: 'next', url: link(encode(next)) }] : [])],
    entry,
  };
}

export const everythingOperation: OperationSpec = {
  name: 'everything',
  definition: hl7OperationDefinitionUrl('Patient-everything'),
  scopes: ['instance', 'type'],
  resourceTypes: ['Patient'],
  methods: ['GET'],
  affectsState: false,
  async handler(deps, req, target, exec) {
    const { filter, count } = parseFilter(deps, req);
    const token = req.query.find(([k]) => k === '_cursor')?.[1];
    if (target.scope === 'type') {
      const page = await allPatientsPage(deps, req, exec.reader, filter, count, token);
      return { status: 200, headers: {}, body: bundleOf(deps, req, 'Patient/$everything', page.entries, page.next) };
    }
    const id = checkId(target.id ?? '');
    const patient = await livePatient(exec.reader, req.ctx, id);
    const state = token ? patientState(decode(token)) : undefined;
    const chunk = await everythingChunk(exec.reader, deps.registry, req.ctx, patient, filter, state, count);
    return { status: 200, headers: {}, body: bundleOf(deps, req, `Patient/${id}/$everything`, chunk.entries, chunk.next) };
  },
};
