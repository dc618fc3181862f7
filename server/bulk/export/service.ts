/**
 * Bulk Data `$export` (https://hl7.org/fhir/uv/bulkdata/STU2/export.html): kick-off, status, cancel and
 * file access for one server. The kick-off checks everything (parameters, scopes, the Group) and stores
 * the job with its runner job; the rest is bound to the client that asked: another client gets a 404, as
 * if the job did not exist.
 */
import type { Group } from 'fhir/r4';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { decide } from '../../auth/access-policy';
import { parseScopes } from '../../auth/scopes';
import type { AccessContext } from '../../core/access-context';
import type { Clock, IdGenerator } from '../../core/clock';
import { FhirError, badRequest, notFound, operationOutcome } from '../../core/fhir-error';
import type { SearchRegistry } from '../../search/registry';
import type { ExportJobRecord, ResourceStore } from '../../store/types';
import { authorizeExport, type ExportLevel } from './authorize';
import { fileName, isJobId, jobDir, removeJobFiles, typeOfFile } from './files';
import type { ExportJobParams } from './job-params';
import { ERROR_FILE, manifestOf, progressText, type ExportManifest } from './manifest';
import { parseExportParams } from './params';
import { partsOf } from './part-writer';
import { checkPseudonymize, type ResearchExportDeps } from './research-transform';

export interface ExportServiceDeps {
  store: Pick<ResourceStore, 'bulkExport' | 'read'>;
  registry: SearchRegistry;
  clock: Clock;
  ids: IdGenerator;
  dir: string;
  /** Auth is on: the manifest says files need the access token. */
  requiresAccessToken: boolean;
  maxAttempts: number;
  /** Nudges the runner's export queue after a kick-off. */
  wake(): void;
  /** What `_pseudonymize` kick-offs are checked against (profiles, key). */
  research: ResearchExportDeps;
}

export interface KickOff {
  ctx: AccessContext;
  baseUrl: string;
  level: ExportLevel;
  groupId?: string;
  pairs: [string, string][];
  requestUrl: string;
}

export type StatusAnswer =
  | { status: 202; headers: Record<string, string> }
  | { status: 200; headers: Record<string, string>; manifest: ExportManifest }
  | { status: 500; headers: Record<string, string>; outcome: ReturnType<typeof operationOutcome> };

export type FileAnswer = { path: string; size: number } | { text: string };

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const RETRY_AFTER_S = '2';

/** Patient ids of a Group's current members (`member.entity` → Patient, not inactive); an actual Group only. */
export function groupMembers(group: Group): string[] {
  if (group.actual === false) throw badRequest(`Group/${group.id ?? ''} is descriptive (actual=false): it has no members to export`);
  const ids = new Set<string>();
  for (const m of group.member ?? []) {
    if (m.inactive === true) continue;
    const ref = m.entity?.reference ?? '';
    const hit = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
    if (hit) ids.add(hit[1]);
  }
  return [...ids];
}

export function createExportService(d: ExportServiceDeps) {
  /** The job, if it exists and belongs to this caller; otherwise a 404 that reveals nothing. */
  const owned = async (ctx: AccessContext, id: string): Promise<ExportJobRecord> => {
    const job = isJobId(id) ? await d.store.bulkExport.getJob(id) : null;
    const mine = job && (ctx.authDisabled || (job.clientId === ctx.clientId && job.patient === ctx.patient));
    if (!job || !mine) throw notFound(`No export job '${id.slice(0, 64)}'`);
    return job;
  };

  async function cohortOf(k: KickOff, patients: string[] | undefined): Promise<string[] | '*' | undefined> {
    if (k.level === 'system') return undefined;
    if (k.level === 'patient') return patients ?? '*';
    const id = k.groupId ?? '';
    if (!ID.test(id)) throw badRequest(`Invalid Group id '${id.slice(0, 64)}'`);
    const stored = await d.store.read(k.ctx, 'Group', id);
    if (!stored || stored.deleted || !stored.resource) throw notFound(`Group/${id} is not known`);
    return groupMembers(stored.resource as Group);
  }

  return {
    async kickOff(k: KickOff): Promise<string> {
      const params = parseExportParams(d.registry, k.pairs, k.level);
      const grant = authorizeExport(k.ctx, k.baseUrl, d.registry, k.level, params);
      if (params.pseudonymize !== undefined) checkPseudonymize(d.research, params.pseudonymize);
      const cohort = await cohortOf(k, params.patients);
      // A patient-context token is confined by its row restriction, in the store's SQL like its searches.
      const restriction = k.ctx.readRestriction ?? (grant.patient !== undefined ? { patient: grant.patient, exemptTypes: [] } : undefined);
      const stored: ExportJobParams = {
        level: k.level, ...(k.groupId ? { groupId: k.groupId } : {}), types: grant.types, typeFilters: params.typeFilters,
        ...(params.since ? { since: params.since } : {}), ...(params.elements ? { elements: params.elements } : {}), ...(cohort ? { cohort } : {}),
        ...(params.pseudonymize !== undefined ? { pseudonymize: { profile: params.pseudonymize, baseUrl: k.baseUrl } } : {}),
        ...(grant.patient && k.ctx.readRestriction ? { mask: k.ctx.readRestriction } : {}),
        ...(restriction ? { restriction } : {}), ...(params.associated ? { associated: params.associated } : {}),
      };
      // Associated Provenance gets a file of its own unless Provenance is exported anyway (then it joins that file).
      const outputs = params.associated && !grant.types.includes('Provenance') ? [...grant.types, 'Provenance'] : grant.types;
      const job = await d.store.bulkExport.createJob({
        id: d.ids.newId(), clientId: k.ctx.clientId, ...(k.ctx.patient ? { patient: k.ctx.patient } : {}), requestUrl: k.requestUrl,
        params: stored as unknown as Record<string, unknown>, transactionTime: d.clock.now(),
        progress: { types: outputs.map((type) => ({ type, cursor: '0', lines: 0, bytes: 0, done: false })) },
      }, d.maxAttempts);
      d.wake();
      return job.id;
    },

    async status(ctx: AccessContext, id: string, baseUrl: string): Promise<StatusAnswer> {
      const job = await owned(ctx, id);
      if (job.status === 'queued' || job.status === 'running') return { status: 202, headers: { 'X-Progress': progressText(job), 'Retry-After': RETRY_AFTER_S } };
      const expires: Record<string, string> = job.expiresAt ? { Expires: job.expiresAt.toUTCString() } : {};
      if (job.status === 'failed') {
        return { status: 500, headers: expires, outcome: operationOutcome([{ severity: 'error', code: 'exception', diagnostics: `Export failed: ${job.error ?? 'unknown error'}` }]) };
      }
      return { status: 200, headers: expires, manifest: manifestOf(job, baseUrl, d.requiresAccessToken) };
    },

    /** Cancels a running job or releases a finished one: the row and its files are removed. */
    async cancel(ctx: AccessContext, id: string): Promise<void> {
      await owned(ctx, id);
      await d.store.bulkExport.deleteJob(id);
      await removeJobFiles(d.dir, id);
    },

    /** One output file of a completed job; the token must still read its type. */
    file: async (ctx: AccessContext, id: string, name: string): Promise<FileAnswer> => fileOf(d, ctx, await owned(ctx, id), name),
  };
}

async function fileOf(d: ExportServiceDeps, ctx: AccessContext, job: ExportJobRecord, name: string): Promise<FileAnswer> {
  const id = job.id;
  if (job.status !== 'completed') throw notFound(`Export job '${id}' has no files yet`);
  if (name === ERROR_FILE && job.progress.errors?.length) {
    return { text: job.progress.errors.map((e) => `${JSON.stringify(operationOutcome([{ severity: 'error', code: 'processing', diagnostics: `${e.type}: ${e.message}` }]))}\n`).join('') };
  }
  const wanted = typeOfFile(name);
  const entry = wanted ? job.progress.types.find((t) => t.type === wanted.type) : undefined;
  if (!wanted || !entry || !partsOf(entry).some((p) => p.part === wanted.part)) throw notFound(`Export job '${id}' has no file '${name.slice(0, 80)}'`);
  const type = wanted.type;
  const subject = { scopes: parseScopes(ctx.scopes), patient: ctx.patient, patientCompartment: new Set(d.registry.compartmentTypes('Patient')) };
  if (!ctx.authDisabled && !decide(subject, { permission: 'r', type }).allowed) throw new FhirError(403, 'forbidden', `The token no longer grants reading ${type}`);
  const file = path.join(jobDir(d.dir, id), fileName(type, wanted.part));
  const info = await stat(file).catch(() => undefined);
  if (!info) throw notFound(`The file '${name.slice(0, 80)}' of export job '${id}' has expired`);
  return { path: file, size: info.size };
}

export type ExportService = ReturnType<typeof createExportService>;
