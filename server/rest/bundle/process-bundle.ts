/** POST [base] with a batch or transaction Bundle: checks its shape and size, then hands it on. */
import type { Bundle, Resource } from 'fhir/r4';
import { badRequest } from '../../core/fhir-error';
import { checkBundleLimits, tooManyEntries } from '../../core/resource-limits';
import type { FhirRequestHandler, RequestGuard, RestDeps } from '../deps';
import type { FhirRequest, FhirResponse } from '../types';
import { processBatch } from './batch';
import { processTransaction } from './transaction';

export async function processBundle(deps: RestDeps, req: FhirRequest, handle: FhirRequestHandler, guard: RequestGuard): Promise<FhirResponse> {
  const body = req.body as Bundle<Resource> | undefined;
  if (!body || typeof body !== 'object' || body.resourceType !== 'Bundle') {
    throw badRequest('POST to the base URL needs a Bundle of type batch or transaction', ['resourceType']);
  }
  if (body.type !== 'batch' && body.type !== 'transaction') {
    throw badRequest(`Bundle.type must be 'batch' or 'transaction', not '${String(body.type).slice(0, 40)}'`, ['Bundle.type']);
  }
  if (body.entry !== undefined && !Array.isArray(body.entry)) throw badRequest('Bundle.entry must be an array', ['Bundle.entry']);
  const count = body.entry?.length ?? 0;
  if (count > deps.limits.maxBundleEntries) throw tooManyEntries(count, deps.limits.maxBundleEntries);
  // a large body was checked in its worker thread; a small one costs little to check here
  if (!req.bodyLimitsChecked && deps.limits.maxResourceBytes !== undefined) checkBundleLimits(body, { maxBundleEntries: deps.limits.maxBundleEntries, maxResourceBytes: deps.limits.maxResourceBytes });
  const result = body.type === 'transaction' ? await processTransaction(deps, req, body, handle, guard) : await processBatch(deps, req, body, handle, (err, index) => deps.reportError(err, `batch entry ${index}`));
  return { status: 200, headers: {}, body: result };
}
