/**
 * $extract — POST /fhir/DocumentReference/{id}/$extract: runs extraction now (DESIGN.md §4) and returns what
 * it wrote as a `collection` Bundle (provisional findings, their Provenance, and the completed Task). Same
 * semantics as the background worker: the document's unreviewed findings are replaced, reviewed ones are
 * never touched, and a waiting background extraction of the document is cancelled as superseded.
 */
import type { Bundle, FhirResource } from 'fhir/r4';
import { FhirError, badRequest } from '../core/fhir-error';
import { PermanentExtractionError, TransientExtractionError } from '../nlp/errors';
import { cancelWaitingExtractions } from '../nlp/jobs/extraction-hook';
import { prepareExtraction } from '../nlp/jobs/prepare';
import type { ExtractionServices } from '../nlp/jobs/services';
import { changeTask, newExtractionTask } from '../nlp/jobs/task';
import { writeExtraction } from '../nlp/jobs/write';
import type { OperationSpec } from '../rest/deps';

function asFhirError(err: unknown): unknown {
  if (err instanceof PermanentExtractionError) return new FhirError(422, 'processing', err.message);
  if (err instanceof TransientExtractionError) {
    const retryAfter = String(Math.max(1, Math.ceil((err.retryAfterMs ?? 5000) / 1000)));
    return new FhirError(503, 'transient', `The extraction engine is unavailable: ${err.message}`, undefined, { 'Retry-After': retryAfter });
  }
  return err;
}

export function extractOperation(s: ExtractionServices): OperationSpec {
  return {
    name: 'extract',
    definition: 'https://twinfhir.org/fhir/OperationDefinition/extract',
    scopes: ['instance'],
    resourceTypes: ['DocumentReference'],
    methods: ['POST'],
    affectsState: true,
    async handler(deps, req, target, exec) {
      if (exec.inTransaction) throw badRequest('$extract cannot run inside a transaction Bundle');
      const id = target.id ?? '';
      const run = await prepareExtraction(s, req.ctx, id).catch((err: unknown) => { throw asFhirError(err); });
      const written = await exec.write(async (tx) => {
        const now = s.clock.now();
        await cancelWaitingExtractions(tx, req.ctx, s.registry, id, 'superseded by $extract', now);
        const stored = await writeExtraction(tx, s, req.ctx, run);
        const task = newExtractionTask(run.document, run.documentVersion, deps.ids.newId(), now);
        const done = changeTask(task, { status: 'completed', outputs: stored.map((w) => `${w.resourceType}/${w.id}`) }, now);
        done.executionPeriod = { start: now.toISOString(), end: now.toISOString() };
        return [...stored, await tx.create(req.ctx, done)];
      });
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'collection',
        timestamp: s.clock.now().toISOString(),
        entry: written.map((w) => ({ fullUrl: `${req.baseUrl}/${w.resourceType}/${w.id}`, resource: w.resource as FhirResource })),
      };
      return { status: 200, headers: {}, body: bundle };
    },
  };
}
