/**
 * $reindex (system and type level) and $reindex-status: re-extracts the search index of stored
 * resources (after a custom SearchParameter was added or changed) as a resumable background job,
 * following the async request pattern — https://hl7.org/fhir/R4/async.html
 *
 *   POST /fhir/$reindex | POST /fhir/{type}/$reindex  → 202, Content-Location: …/$reindex-status?job=ID
 *   GET  /fhir/$reindex-status?job=ID                  → 202 + X-Progress while running, 200 when over
 *
 * The job lives in PostgreSQL (reindex_job) with a job on the runner's 'reindex' queue
 * (search-index/reindex-queue.ts drains it batch by batch); this file only parses and answers.
 */
import { operationDefinitionUrl } from '../core/canonical-urls';
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { badRequest, notFound, operationOutcome } from '../core/fhir-error';
import type { OperationSpec } from '../rest/deps';
import { ParamList } from '../core/parameter-list';
import { checkType } from '../rest/resource-body';
import type { ReindexJob } from '../store/types';

/** Nudges the job runner's reindex queue after a job was queued. */
export interface ReindexWaker {
  wake(): void;
}

function jobParameters(job: ReindexJob): Parameters {
  const p: ParametersParameter[] = [
    { name: 'job', valueString: job.id },
    { name: 'status', valueCode: job.status },
    { name: 'scope', valueString: job.resourceType ?? 'system' },
    { name: 'processed', valueInteger: job.processed },
    { name: 'total', valueInteger: job.total },
    { name: 'progress', valueDecimal: job.total > 0 ? Math.min(100, Math.round((1000 * job.processed) / job.total) / 10) : 100 },
    { name: 'cursor', valueString: job.cursor },
    { name: 'created', valueInstant: job.createdAt.toISOString() },
    { name: 'updated', valueInstant: job.updatedAt.toISOString() },
  ];
  if (job.completedAt) p.push({ name: 'completed', valueInstant: job.completedAt.toISOString() });
  if (job.error) p.push({ name: 'error', valueString: job.error });
  return { resourceType: 'Parameters', parameter: p };
}

/** $reindex and $reindex-status, bound to the runner that processes the jobs. */
export function reindexOperations(runner: ReindexWaker): OperationSpec[] {
  const reindex: OperationSpec = {
    name: 'reindex',
    definition: operationDefinitionUrl('reindex'),
    scopes: ['system', 'type'],
    methods: ['POST'],
    affectsState: true,
    async handler(deps, req, target, exec) {
      ParamList.optional(req.body, '$reindex', []); // takes no parameters: a body must be an empty Parameters
      if (exec.inTransaction) throw badRequest('$reindex cannot run inside a transaction Bundle');
      const type = target.resourceType ? checkType(deps, target.resourceType) : undefined;
      const job = await deps.store.searchIndex.createReindexJob(deps.ids.newId(), type);
      runner.wake();
      const status = `${req.baseUrl}/$reindex-status?job=${encodeURIComponent(job.id)}`;
      const what = type ? `${type} resources` : 'all resources';
      return {
        status: 202,
        headers: { 'Content-Location': status },
        body: operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `Reindex job ${job.id} of ${what} (${job.total}) accepted; progress at ${status}` }]),
      };
    },
  };
  const status: OperationSpec = {
    name: 'reindex-status',
    definition: operationDefinitionUrl('reindex-status'),
    scopes: ['system'],
    methods: ['GET'],
    affectsState: false,
    async handler(deps, req) {
      const id = req.query.find(([k]) => k === 'job')?.[1];
      if (!id) throw badRequest("$reindex-status needs the parameter 'job'", ['job']);
      const job = await deps.store.searchIndex.getReindexJob(id);
      if (!job) throw notFound(`No reindex job '${id.slice(0, 80)}'`);
      const open = job.status === 'queued' || job.status === 'running';
      const headers: Record<string, string> = open ? { 'X-Progress': `${job.processed} of ${job.total} resources` } : {};
      return { status: open ? 202 : 200, headers, body: jobParameters(job) };
    },
  };
  return [reindex, status];
}
