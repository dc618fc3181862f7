/**
 * $import kick-off with a Parameters body (the common Bulk Data Import shape, see
 * bulk/import/import-params.ts): inputs are NDJSON files held as this server's Binaries. Answers 202 with
 * the status URL; the job runs on the runner's 'bulk-import' queue. Scopes: a system/ write scope at
 * kick-off, the system/ scope of each line's type per line (bulk/import/import-scopes.ts).
 * NDJSON uploaded as the request body and the status URL are served by bulk/import/import-routes.ts.
 */
import { badRequest } from '../core/fhir-error';
import { operationDefinitionUrl } from '../core/canonical-urls';
import { readImportParameters } from '../bulk/import/import-params';
import { type ImportServiceDeps, assertRespondAsync, kickOffBinaries } from '../bulk/import/import-service';
import { assertMayImport } from '../bulk/import/import-scopes';
import type { OperationSpec } from '../rest/deps';

export function importOperation(service: ImportServiceDeps): OperationSpec {
  return {
    name: 'import',
    definition: operationDefinitionUrl('import'),
    scopes: ['system'],
    methods: ['POST'],
    affectsState: true,
    async handler(deps, req, _target, exec) {
      if (exec.inTransaction) throw badRequest('$import cannot run inside a Bundle');
      assertMayImport(req.ctx); // who asks before what they ask: a patient token gets 403, not a 400 about its body
      assertRespondAsync(req.headers.prefer);
      const known = new Set(deps.validator.resourceTypes());
      const inputs = readImportParameters(req.body, req.baseUrl, (t) => known.has(t));
      const query = req.query.length ? `?${new URLSearchParams(req.query).toString()}` : '';
      return kickOffBinaries(service, req.ctx, { baseUrl: req.baseUrl, url: `${req.baseUrl}/$import${query}` }, inputs);
    },
  };
}
