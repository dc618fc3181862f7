/**
 * transaction Bundles: all entries in one database transaction, in the spec's order
 * (DELETE, POST, PUT/PATCH, GET), with placeholder and conditional references resolved.
 * https://hl7.org/fhir/R4/http.html#transaction
 */
import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import { breather } from '../../core/breather';
import { FhirError, badRequest, preconditionFailed } from '../../core/fhir-error';
import type { StoreWriter } from '../../store/types';
import { findConditionalMatches } from '../conditional';
import { type FhirRequestHandler, type RequestGuard, type RestDeps, txExec } from '../deps';
import { ifNoneExistMatch } from '../interactions/create';
import { writeResponse } from '../headers';
import type { AccessContext } from '../../core/access-context';
import { bodyResource, checkId, checkType, validateForWrite } from '../resource-body';
import type { FhirRequest, FhirResponse } from '../types';
import { entryToRequest, responseToEntry } from './entry-request';
import { type ReferenceContext, rewriteReferences } from './references';

interface Prepared {
  index: number;
  entry: BundleEntry<Resource>;
  req: FhirRequest;
  /** For POST: the id to create under, or the existing resource an If-None-Exist matched. */
  createId?: string;
  existing?: FhirResponse;
}

const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 3, GET: 4, HEAD: 4 };

function withEntryContext(err: unknown, index: number): unknown {
  if (!(err instanceof FhirError)) return err;
  const wrapped = FhirError.withIssues(err.status, err.issues.map((i) => ({
    ...i,
    diagnostics: `Bundle.entry[${index}]: ${i.diagnostics}`,
    expression: i.expression?.length ? i.expression.map((e) => (e.startsWith('Bundle.') ? e : `Bundle.entry[${index}].resource.${e.replace(/^[A-Z][A-Za-z]+\./, '')}`)) : [`Bundle.entry[${index}]`],
  })));
  Object.assign(wrapped.headers, err.headers);
  return wrapped;
}

function checkIdentities(prepared: Prepared[]): void {
  const seen = new Set<string>();
  for (const p of prepared) {
    const keys = [p.entry.fullUrl, ['PUT', 'DELETE', 'PATCH'].includes(p.req.method) && !p.req.query.length ? p.req.path : undefined];
    for (const key of keys) {
      if (!key) continue;
      if (seen.has(key)) throw badRequest(`Bundle.entry[${p.index}]: '${key.slice(0, 100)}' appears more than once in the transaction`, [`Bundle.entry[${p.index}]`]);
      seen.add(key);
    }
  }
}

/** Decides every new resource's id before references are rewritten (placeholders need them). */
async function assignIds(deps: RestDeps, tx: StoreWriter, prepared: Prepared[], idMap: Map<string, string>, progress: { current: number }): Promise<void> {
  const pause = breather();
  for (const p of prepared) {
    progress.current = p.index;
    await pause.maybeYield();
    const { req, entry } = p;
    const segs = req.path.split('/');
    const type = segs[0];
    let identity: string | undefined;
    if (req.method === 'POST' && segs.length === 1 && !type.startsWith('$') && type !== '_search') {
      checkType(deps, type);
      bodyResource(req.body, type);
      const existing = req.headers['if-none-exist'] ? await ifNoneExistMatch(deps, req.ctx, tx, type, req.headers['if-none-exist']) : null;
      if (existing) p.existing = { status: 200, headers: { Location: `${req.baseUrl}/${type}/${existing.id}/_history/${existing.versionId}`, ETag: `W/"${existing.versionId}"`, 'Last-Modified': existing.lastUpdated.toUTCString() }, body: existing.resource };
      p.createId = existing?.id ?? deps.ids.newId();
      identity = `${type}/${p.createId}`;
    } else if (req.method === 'PUT' && segs.length === 1 && req.query.length) {
      checkType(deps, type);
      const body = bodyResource(req.body, type);
      const matches = await findConditionalMatches(deps, req.ctx, tx, type, req.query, 'update');
      if (matches.length > 1) throw preconditionFailed(`Conditional update matched several ${type} resources`);
      const id = matches[0]?.id ?? body.id ?? deps.ids.newId();
      checkId(id);
      p.req = { ...req, path: `${type}/${id}`, query: [], body: { ...body, id } };
      identity = `${type}/${id}`;
    } else if (req.method === 'PUT' && segs.length === 2) {
      identity = req.path;
    }
    if (identity && entry.fullUrl) idMap.set(entry.fullUrl, identity);
  }
}

const isPlainCreate = (p: Prepared): boolean => Boolean(p.createId && !p.existing);

/** All plain creates in one multi-row insert: the bulk of every EHR transaction (http.html step 2). */
async function createAll(deps: RestDeps, tx: StoreWriter, ctx: AccessContext, creates: Prepared[], progress: { current: number }, guard: RequestGuard): Promise<Map<number, FhirResponse>> {
  const out = new Map<number, FhirResponse>();
  if (!creates.length) return out;
  // The bulk insert bypasses the handler: each create passes the access guard here instead.
  const pause = breather();
  for (const p of creates) {
    progress.current = p.index;
    await guard(deps, p.req, txExec(tx));
    await pause.maybeYield(); // a guard that decides from memory resolves without a turn of the event loop
  }
  const resources: (Resource & { id: string })[] = [];
  for (const p of creates) {
    progress.current = p.index;
    const withId = { ...bodyResource(p.req.body), id: p.createId as string } as Resource & { id: string };
    validateForWrite(deps, withId);
    resources.push(withId);
    await pause.maybeYield(); // 10,000 validations in one go would hold the event loop for seconds
  }
  progress.current = creates[0].index;
  // The store runs the write hooks of each create; a hook's error names its entry.
  const stored = await tx.createMany(ctx, resources, { beforeHooks: (i) => { progress.current = creates[i].index; } });
  for (const [i, p] of creates.entries()) {
    out.set(p.index, writeResponse(p.req, 201, stored[i], `Created ${stored[i].resourceType}/${stored[i].id}`));
    await pause.maybeYield();
  }
  return out;
}

async function execute(deps: RestDeps, tx: StoreWriter, p: Prepared, handle: FhirRequestHandler, guard: RequestGuard): Promise<FhirResponse> {
  if (p.existing) {
    // An If-None-Exist match answers without the handler: the guard decides first.
    await guard(deps, p.req, txExec(tx));
    return p.existing;
  }
  return handle(deps, p.req, txExec(tx));
}

export async function processTransaction(deps: RestDeps, req: FhirRequest, bundle: Bundle<Resource>, handle: FhirRequestHandler, guard: RequestGuard): Promise<Bundle<Resource>> {
  const entries = bundle.entry ?? [];
  const prepared: Prepared[] = entries.map((entry, index) => ({ index, entry, req: entryToRequest(entry, index, req) }));
  checkIdentities(prepared);
  // Entries carry resources only when asked: a 10,000-entry response stays small by default.
  const includeResource = /return\s*=\s*"?representation/i.test(req.headers.prefer ?? '');
  const responses = await deps.store.transaction(async (tx) => {
    const idMap = new Map<string, string>();
    const progress = { current: -1 };
    try {
      await assignIds(deps, tx, prepared, idMap, progress);
      const rc: ReferenceContext = { deps, ctx: req.ctx, tx, idMap, conditionalCache: new Map() };
      const pause = breather();
      for (const p of prepared) {
        progress.current = p.index;
        await pause.maybeYield();
        const body = p.req.body as Resource | undefined;
        if (body && typeof body === 'object' && (p.req.method === 'POST' || p.req.method === 'PUT')) await rewriteReferences(rc, body, `Bundle.entry[${p.index}]`, p.entry.fullUrl);
      }
      const out: BundleEntry<Resource>[] = new Array<BundleEntry<Resource>>(prepared.length);
      const ordered = [...prepared].sort((a, b) => ORDER[a.req.method] - ORDER[b.req.method] || a.index - b.index);
      let created: Map<number, FhirResponse> | undefined;
      for (const p of ordered) {
        progress.current = p.index;
        await pause.maybeYield(); // entries answered from memory (the created ones) would never let /healthz in
        // Deletes have run; now every plain create at once, then the remaining entries in order.
        if (p.req.method !== 'DELETE' && !created) created = await createAll(deps, tx, req.ctx, prepared.filter(isPlainCreate), progress, guard);
        const res = created?.get(p.index) ?? (await execute(deps, tx, p, handle, guard));
        out[p.index] = responseToEntry(res, includeResource || p.req.method === 'GET' || p.req.method === 'HEAD');
      }
      return out;
    } catch (err) {
      throw progress.current >= 0 ? withEntryContext(err, progress.current) : err;
    }
  });
  return { resourceType: 'Bundle', id: deps.ids.newId(), type: 'transaction-response', link: [{ relation: 'self', url: req.baseUrl }], entry: responses };
}
