/** An export job's persisted request (export_job.params) and the selections it reads, rebuilt on every (re)start. */
import { systemContext, type AccessContext, type RowRestriction } from '../../core/access-context';
import { parseSearchParams } from '../../search/parse';
import type { SearchRegistry } from '../../search/registry';
import type { ExportJobRecord, ExportSelection } from '../../store/types';
import type { ExportLevel } from './authorize';
import { filterPairs } from './params';

export interface ExportJobParams {
  level: ExportLevel;
  groupId?: string;
  /** The types granted at kick-off, in output order. */
  types: string[];
  since?: string;
  typeFilters: Record<string, string[]>;
  elements?: string[];
  /** Patient/Group level: the patients whose compartments are exported ('*': every patient). */
  cohort?: string[] | '*';
  /** `_pseudonymize`: the profile's name and the server base the references are rewritten against (never the key). */
  pseudonymize?: { profile: string; baseUrl: string };
  /** A patient-context token's read restriction at kick-off: the rows are masked as its reads are. */
  mask?: RowRestriction;
  /** The kick-off token's read restriction (a patient-context token): the job reads through it like a search would. */
  restriction?: RowRestriction;
}

export const jobParams = (job: ExportJobRecord): ExportJobParams => job.params as unknown as ExportJobParams;

/** The reads of one type: its filters parsed as searches, the time window, the cohort minus excluded patients. */
export function selectionFor(registry: SearchRegistry, job: ExportJobRecord, excluded: ReadonlyMap<string, string>) {
  const p = jobParams(job);
  const cohort = p.cohort === '*' || p.cohort === undefined ? p.cohort : p.cohort.filter((id) => !excluded.has(id));
  return (type: string): ExportSelection => ({
    resourceType: type,
    filters: (p.typeFilters[type] ?? []).map((q) => parseSearchParams(registry, [type], filterPairs(q), { strict: true }).query),
    ...(p.since ? { since: new Date(p.since) } : {}),
    until: job.transactionTime,
    ...(cohort !== undefined ? { patients: cohort } : {}),
    ...(p.mask ? { mask: p.mask } : {}),
  });
}

/**
 * The context a job reads with: the server's own, named after the job (the caller's scopes were checked at
 * kick-off), carrying the caller's row restriction, so the store confines every read with the same SQL as a search.
 */
export function jobContext(job: ExportJobRecord): AccessContext {
  const restriction = jobParams(job).restriction;
  return { ...systemContext(`export-${job.id}`), ...(restriction ? { readRestriction: restriction } : {}) };
}
