/**
 * Which patients a research export must leave out, from the Consents the store holds.
 *
 * The rule (also in the README):
 * 1. Candidates are Consents with `status` = active whose `scope` is
 *    http://terminology.hl7.org/CodeSystem/consentscope|research or whose `category` is
 *    http://terminology.hl7.org/CodeSystem/consentcategorycodes|research, with a `patient`.
 * 2. A candidate applies when its top-level `provision.period` (if any) contains now; an expired or
 *    not yet started deny says nothing.
 * 3. Per patient the applicable Consent with the newest `dateTime` wins (no dateTime = oldest; ties
 *    go to the later meta.lastUpdated): if its `provision.type` is deny, the patient is excluded with
 *    reason `consent-deny-research`. A permit, no provision type, or no applicable Consent → included.
 * Nested provisions (exceptions for particular data or actors) do not change the whole-patient
 * decision: a research export either carries a patient or it does not.
 */
import type { Consent, Period } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import { parseSearchParams } from '../../search/parse';
import { createSearchRegistry, type SearchRegistry } from '../../search/registry';
import type { StoreReader } from '../../store/types';

export const CONSENT_SCOPE_RESEARCH = 'http://terminology.hl7.org/CodeSystem/consentscope|research';
export const CONSENT_CATEGORY_RESEARCH = 'http://terminology.hl7.org/CodeSystem/consentcategorycodes|research';
export const DENY_RESEARCH = 'consent-deny-research';

const PAGE = 500;
const PATIENT_CHUNK = 100;
const PATIENT_REF = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/;

export interface ResearchExclusionOptions {
  /** The server's search registry (one is built when absent). */
  registry?: SearchRegistry;
  /** The moment provision periods are judged at (default: now). */
  now?: Date;
}

/** Lower/upper instants of a FHIR date or dateTime (partial dates cover their whole year/month/day). */
function bounds(value: string): { low: number; high: number } | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!m) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : { low: t, high: t };
  }
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) - 1 : 0;
  const d = m[3] ? Number(m[3]) : 1;
  const low = Date.UTC(y, mo, d);
  const high = m[3] ? Date.UTC(y, mo, d + 1) : m[2] ? Date.UTC(y, mo + 1, 1) : Date.UTC(y + 1, 0, 1);
  return { low, high: high - 1 };
}

export function periodContains(period: Period | undefined, now: Date): boolean {
  if (!period) return true;
  const t = now.getTime();
  const start = period.start ? bounds(period.start) : undefined;
  const end = period.end ? bounds(period.end) : undefined;
  if (period.start && (!start || start.low > t)) return false;
  if (period.end && (!end || end.high < t)) return false;
  return true;
}

const isResearch = (c: Consent): boolean =>
  (c.scope?.coding ?? []).some((x) => `${x.system}|${x.code}` === CONSENT_SCOPE_RESEARCH)
  || (c.category ?? []).some((cc) => (cc.coding ?? []).some((x) => `${x.system}|${x.code}` === CONSENT_CATEGORY_RESEARCH));

/** Orders Consents: newer dateTime first, then later lastUpdated, then id (deterministic). */
function newer(a: Consent, b: Consent): boolean {
  const ta = a.dateTime ? bounds(a.dateTime)?.low ?? -Infinity : -Infinity;
  const tb = b.dateTime ? bounds(b.dateTime)?.low ?? -Infinity : -Infinity;
  if (ta !== tb) return ta > tb;
  const la = a.meta?.lastUpdated ?? '';
  const lb = b.meta?.lastUpdated ?? '';
  return la !== lb ? la > lb : (a.id ?? '') > (b.id ?? '');
}

async function forEachConsent(reader: StoreReader, ctx: AccessContext, registry: SearchRegistry, params: [string, string][], visit: (c: Consent) => void): Promise<void> {
  const { query } = parseSearchParams(registry, ['Consent'], [...params, ['_count', String(PAGE)]], { strict: true, maxCount: PAGE });
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await reader.search(ctx, { ...query, ...(cursor ? { cursor } : {}) });
    for (const r of page.matches) if (r.resourceType === 'Consent') visit(r as Consent);
    cursor = page.nextCursor;
  }
}

/**
 * Patient id → reason for every patient (of `patientIds`, or all) that the rule above excludes from
 * research exports. Reads through `reader` with the caller's access context.
 */
export async function researchExclusions(
  reader: StoreReader, ctx: AccessContext, patientIds?: Iterable<string>, opts: ResearchExclusionOptions = {},
): Promise<Map<string, string>> {
  const registry = opts.registry ?? createSearchRegistry();
  const now = opts.now ?? new Date();
  const wanted = patientIds === undefined ? undefined : new Set(patientIds);
  const winners = new Map<string, Consent>();
  const visit = (c: Consent): void => {
    const m = PATIENT_REF.exec(c.patient?.reference ?? '');
    if (!m || (wanted && !wanted.has(m[1])) || c.status !== 'active' || !isResearch(c) || !periodContains(c.provision?.period, now)) return;
    const prev = winners.get(m[1]);
    if (!prev || newer(c, prev)) winners.set(m[1], c);
  };
  const patientChunks = wanted ? chunk([...wanted], PATIENT_CHUNK).map((ids) => [['patient', ids.map((id) => `Patient/${id}`).join(',')]] as [string, string][]) : [[]];
  for (const patientParams of patientChunks) {
    for (const research of [['scope', CONSENT_SCOPE_RESEARCH], ['category', CONSENT_CATEGORY_RESEARCH]] as [string, string][]) {
      await forEachConsent(reader, ctx, registry, [['status', 'active'], research, ...patientParams], visit);
    }
  }
  const out = new Map<string, string>();
  for (const [patient, c] of winners) if (c.provision?.type === 'deny') out.set(patient, DENY_RESEARCH);
  return out;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
