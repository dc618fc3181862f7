/**
 * The store's contract for Bulk Data `$export` (part of the ResourceStore interface): export jobs
 * persisted with their per-type progress, and keyset-paged reads of the resources one type exports.
 */
import type { AccessContext, RowRestriction } from '../core/access-context';
import type { SearchQuery } from '../search/types';

/** The job runner's queue of export work (one runner job per export job, and one to expire its files). */
export const EXPORT_QUEUE = 'bulk-export';

/** What one output type of an export reads. */
export interface ExportSelection {
  resourceType: string;
  /** `_typeFilter` queries on this type (same type), OR-ed; empty: every resource of the type. */
  filters: readonly SearchQuery[];
  /** `_since`: only resources last updated after this instant. */
  since?: Date;
  /** The export's transactionTime: each resource is exported as it was then (its version current at that instant). */
  until: Date;
  /** Patient/Group level: only resources in these patients' compartments; '*' any patient's compartment. */
  patients?: readonly string[] | '*';
  /** A patient-context token's export: other patients' references in the rows are masked as on every read (read-mask.ts). */
  mask?: RowRestriction;
  /**
   * `includeAssociatedData` (Provenance only): also the Provenance whose target is a resource one of `targets`
   * exports — the latest per target or all of them; `only`: nothing but those (Provenance was not asked for itself).
   */
  associated?: { mode: 'latest' | 'relevant'; targets: readonly ExportSelection[]; only: boolean };
}

/** One exported resource: its keyset position and the stored JSON text (written to NDJSON as is). */
export interface ExportRow {
  rid: string;
  json: string;
}

/** Progress of one output type: committed lines (all parts) and bytes (of the current file) and the keyset cursor after them. */
export interface ExportTypeProgress {
  type: string;
  /** rid of the last resource whose line is committed ('0' before the first). */
  cursor: string;
  lines: number;
  bytes: number;
  done: boolean;
  /** Resources the job's transform left out (excluded patients, pseudonymisation rules). */
  excluded?: number;
  /** Split output (EXPORT_MAX_FILE_RESOURCES): the full parts before the current file; `bytes` is then the current part's. */
  parts?: { lines: number; bytes: number }[];
}

export interface ExportProgress {
  types: ExportTypeProgress[];
  /** Problems that left a type out or incomplete: written to the manifest's error file (OperationOutcomes). */
  errors?: { type: string; message: string }[];
  /** Patients the job's transform excluded (e.g. no research consent), by reason. */
  excludedPatients?: Record<string, number>;
}

export type ExportJobStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ExportJobRecord {
  id: string;
  /** The OAuth client that asked; only it may poll, download or cancel. */
  clientId: string;
  /** The patient of the patient-context token that asked, if any. */
  patient?: string;
  status: ExportJobStatus;
  requestUrl: string;
  /** The parsed kick-off parameters as the export module persists them. */
  params: Record<string, unknown>;
  transactionTime: Date;
  progress: ExportProgress;
  error?: string;
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date;
  expiresAt?: Date;
}

export type NewExportJob = Pick<ExportJobRecord, 'id' | 'clientId' | 'patient' | 'requestUrl' | 'params' | 'transactionTime' | 'progress'>;

/** Export jobs and their reads. Every method keys on the job id; a job that was cancelled (deleted) reads as null/false. */
export interface BulkExportStore {
  /** Stores the job and queues its runner job in one transaction. */
  createJob(job: NewExportJob, maxAttempts: number): Promise<ExportJobRecord>;
  getJob(id: string): Promise<ExportJobRecord | null>;
  /** Records committed progress (status running); false when the job no longer exists (cancelled). */
  saveProgress(id: string, progress: ExportProgress): Promise<boolean>;
  /** Completes or fails the job, due to expire at `expiresAt` (a runner job then deletes it and its files). */
  finish(id: string, outcome: { status: 'completed' | 'failed'; error?: string; progress: ExportProgress; expiresAt: Date }): Promise<boolean>;
  /** Deletes the job row (cancel or expiry); false if it did not exist. */
  deleteJob(id: string): Promise<boolean>;
  /** Up to `limit` resources of the selection after `afterRid`, in rid order; passes the read policy as a search of the type. */
  rows(ctx: AccessContext, selection: ExportSelection, afterRid: string, limit: number): Promise<ExportRow[]>;
}
