/**
 * $extract — POST /fhir/DocumentReference/{id}/$extract: runs extraction now (DESIGN.md §4) and returns what
 * it wrote as a `collection` Bundle (provisional findings, their Provenance, and the completed Task). Same
 * semantics as the background worker: the document's unreviewed findings are replaced, reviewed ones are
 * never touched, and a waiting background extraction of the document is cancelled as superseded.
 */
import { operationDefinitionUrl } from '../core/canonical-urls';
import type { Bundle, FhirResource } from 'fhir/r4';
import { FhirError, badRequest, notFound } from '../core/fhir-error';
import { ParamList } from '../core/parameter-list';
import { PermanentExtractionError, TransientExtractionError } from '../nlp/errors';
import { extractNow } from '../nlp/jobs/run-extraction';
import type { ExtractionServices } from '../nlp/jobs/services';
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
    definition: operationDefinitionUrl('extract'),
    scopes: ['instance'],
    resourceTypes: ['DocumentReference'],
    methods: ['POST'],
    affectsState: true,
    async handler(_deps, req, target, exec) {
      ParamList.optional(req.body, '$extract', []); // takes no parameters: a body must be an empty Parameters
      if (exec.inTransaction) throw badRequest('$extract cannot run inside a transaction Bundle');
      // Unknown and not visible to this token (row restriction) answer alike: 404, as a read would.
      if (!(await exec.reader.read(req.ctx, 'DocumentReference', target.id ?? ''))) throw notFound(`DocumentReference/${target.id ?? ''} is not known`);
      const written = await extractNow(s, req.ctx, target.id ?? '', exec.write).catch((err: unknown) => { throw asFhirError(err); });
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
