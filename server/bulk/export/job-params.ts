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
  /** `includeAssociatedData`: Provenance of the exported resources (the latest per target, or all). */
  associated?: 'latest' | 'relevant';
}

export const jobParams = (job: ExportJobRecord): ExportJobParams => job.params as unknown as ExportJobParams;

/**
 * The reads of one type: its filters parsed as searches, the time window, the cohort minus excluded patients;
 * Provenance under `includeAssociatedData` also (or only, when not asked for itself) what targets the other types' resources.
 */
export function selectionFor(registry: SearchRegistry, job: ExportJobRecord, excluded: ReadonlyMap<string, string>) {
  const p = jobParams(job);
  const cohort = p.cohort === '*' || p.cohort === undefined ? p.cohort : p.cohort.filter((id) => !excluded.has(id));
  const base = (type: string): ExportSelection => ({
    resourceType: type,
    filters: (p.typeFilters[type] ?? []).map((q) => parseSearchParams(registry, [type], filterPairs(q), { strict: true }).query),
    ...(p.since ? { since: new Date(p.since) } : {}),
    until: job.transactionTime,
    ...(cohort !== undefined ? { patients: cohort } : {}),
    ...(p.mask ? { mask: p.mask } : {}),
  });
  return (type: string): ExportSelection => {
    const own = base(type);
    if (type !== 'Provenance' || !p.associated) return own;
    const only = !p.types.includes('Provenance');
    // Provenance asked for without any condition is exported whole: nothing to add.
    if (!only && !own.filters.length && !own.since && own.patients === undefined) return own;
    return { ...own, associated: { mode: p.associated, targets: p.types.filter((t) => t !== 'Provenance').map(base), only } };
  };
}

/**
 * The context a job reads with: the server's own, named after the job (the caller's scopes were checked at
 * kick-off), carrying the caller's row restriction, so the store confines every read with the same SQL as a search.
 */
export function jobContext(job: ExportJobRecord): AccessContext {
  const restriction = jobParams(job).restriction;
  return { ...systemContext(`export-${job.id}`), ...(restriction ? { readRestriction: restriction } : {}) };
}
