/** batch Bundles: every entry on its own, failures reported per entry — https://hl7.org/fhir/R4/http.html#transaction */
import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import { breather } from '../../core/breather';
import { FhirError, operationOutcome } from '../../core/fhir-error';
import { type FhirRequestHandler, type RestDeps, topLevelExec } from '../deps';
import type { FhirRequest } from '../types';
import { entryToRequest, errorToEntry, responseToEntry, statusLine } from './entry-request';

/** Reports unexpected failures to the caller's logger without leaking details into the response. */
export type BatchErrorSink = (err: unknown, index: number) => void;

export async function processBatch(deps: RestDeps, req: FhirRequest, bundle: Bundle<Resource>, handle: FhirRequestHandler, onError: BatchErrorSink = () => undefined): Promise<Bundle<Resource>> {
  const exec = topLevelExec(deps.store);
  const includeResource = /return\s*=\s*"?representation/i.test(req.headers.prefer ?? '');
  const out: BundleEntry<Resource>[] = [];
  const pause = breather();
  for (const [index, entry] of (bundle.entry ?? []).entries()) {
    await pause.maybeYield(); // entries answered from memory (PGlite, errors) would otherwise never let /healthz in
    try {
      const entryReq = entryToRequest(entry, index, req);
      const res = await handle(deps, entryReq, exec);
      out.push(responseToEntry(res, includeResource || entryReq.method === 'GET' || entryReq.method === 'HEAD'));
    } catch (err) {
      if (err instanceof FhirError) out.push(errorToEntry(err));
      else {
        onError(err, index);
        out.push({ response: { status: statusLine(500), outcome: operationOutcome([{ severity: 'fatal', code: 'exception', diagnostics: 'Internal error processing this entry' }]) } });
      }
    }
  }
  return { resourceType: 'Bundle', id: deps.ids.newId(), type: 'batch-response', link: [{ relation: 'self', url: req.baseUrl }], entry: out };
}
