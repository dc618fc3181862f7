/**
 * The review worklist: per subject, how many provisional findings wait (by type), since when, and the
 * patient's name — computed with standard searches through the store interface, page by page.
 */
import type { HumanName, Patient, Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { parseSearchParams } from '../search/parse';
import type { SearchRegistry } from '../search/registry';
import type { StoreReader } from '../store/types';
import { TWINFHIR_CODESYSTEM } from '../core/canonical-urls';
import { FINDING_TYPES, type FindingType } from './review-codes';

const PAGE = 1000;
/** _id values per Patient search when looking up names (keeps the query string bounded). */
const NAME_BATCH = 100;

export interface SubjectQueue {
  /** `Patient/123` (or whatever the findings' subject references). */
  subject: string;
  display?: string;
  pending: Record<FindingType, number>;
  /** meta.lastUpdated of the oldest pending finding (when it entered the queue). */
  oldestPending: string;
}

/** Calls `visit` for every match of a search, a page at a time (nothing accumulates but the caller's state). */
async function forEachMatch(reader: StoreReader, ctx: AccessContext, registry: SearchRegistry, type: string, params: [string, string][], visit: (r: Resource) => void): Promise<void> {
  const { query } = parseSearchParams(registry, [type], [...params, ['_count', String(PAGE)]], { strict: true, maxCount: PAGE });
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await reader.search(ctx, { ...query, ...(cursor ? { cursor } : {}) });
    page.matches.forEach(visit);
    cursor = page.nextCursor;
  }
}

function nameOf(p: Patient): string | undefined {
  const n: HumanName | undefined = p.name?.find((x) => x.use === 'official') ?? p.name?.[0];
  if (!n) return undefined;
  return n.text ?? ([...(n.given ?? []), n.family].filter(Boolean).join(' ') || undefined);
}

async function patientNames(reader: StoreReader, ctx: AccessContext, registry: SearchRegistry, ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += NAME_BATCH) {
    await forEachMatch(reader, ctx, registry, 'Patient', [['_id', ids.slice(i, i + NAME_BATCH).join(',')]], (r) => {
      const name = nameOf(r as Patient);
      if (name && r.id) names.set(r.id, name);
    });
  }
  return names;
}

/** Subjects with pending findings, the longest-waiting first. */
export async function reviewQueueSummary(reader: StoreReader, ctx: AccessContext, registry: SearchRegistry): Promise<SubjectQueue[]> {
  const bySubject = new Map<string, SubjectQueue>();
  for (const type of FINDING_TYPES) {
    await forEachMatch(reader, ctx, registry, type, [['_tag', `${TWINFHIR_CODESYSTEM}|provisional`]], (r) => {
      const subject = (r as { subject?: { reference?: string } }).subject?.reference ?? '(no subject)';
      const since = r.meta?.lastUpdated ?? '';
      const q = bySubject.get(subject) ?? { subject, pending: { Condition: 0, Observation: 0 }, oldestPending: since };
      q.pending[type] += 1;
      if (since && (!q.oldestPending || Date.parse(since) < Date.parse(q.oldestPending))) q.oldestPending = since;
      bySubject.set(subject, q);
    });
  }
  const patientIds = [...bySubject.keys()].filter((s) => /^Patient\/[^/]+$/.test(s)).map((s) => s.slice('Patient/'.length));
  const names = await patientNames(reader, ctx, registry, patientIds);
  for (const q of bySubject.values()) {
    const name = q.subject.startsWith('Patient/') ? names.get(q.subject.slice('Patient/'.length)) : undefined;
    if (name) q.display = name;
  }
  return [...bySubject.values()].sort((a, b) => Date.parse(a.oldestPending) - Date.parse(b.oldestPending) || a.subject.localeCompare(b.subject));
}
