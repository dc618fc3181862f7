/**
 * Rewrites references inside transaction entries: urn:uuid / urn:oid fullUrls and absolute URLs of
 * entries become `Type/id`; conditional references (`Patient?identifier=…`) are resolved by search.
 * https://hl7.org/fhir/R4/http.html#trules
 */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import { FhirError, badRequest } from '../../core/fhir-error';
import type { StoreWriter } from '../../store/types';
import { findConditionalMatches, parseCriteria } from '../conditional';
import type { RestDeps } from '../deps';

const CONDITIONAL_REF = /^([A-Z][A-Za-z]+)\?(.+)$/;

type Visitor = (ref: string, path: string) => string | Promise<string>;

/** Visits every `reference` string (not descending into nested Bundles, which resolve their own). */
async function visitReferences(node: unknown, path: string, visit: Visitor): Promise<void> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) await visitReferences(node[i], `${path}[${i}]`, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'reference' && typeof value === 'string') obj[key] = await visit(value, `${path}.reference`);
    else if (value && typeof value === 'object') {
      const nested = value as { resourceType?: string };
      if (nested.resourceType === 'Bundle') continue;
      await visitReferences(value, `${path}.${key}`, visit);
    }
  }
}

export interface ReferenceContext {
  deps: RestDeps;
  ctx: AccessContext;
  tx: StoreWriter;
  /** fullUrl (urn:uuid:…, urn:oid:…, or absolute) → 'Type/id'. */
  idMap: Map<string, string>;
  /** Cache so one conditional reference is searched once per transaction. */
  conditionalCache: Map<string, string>;
}

async function resolveConditional(rc: ReferenceContext, ref: string, path: string): Promise<string> {
  const cached = rc.conditionalCache.get(ref);
  if (cached) return cached;
  const m = CONDITIONAL_REF.exec(ref) as RegExpExecArray;
  const matches = await findConditionalMatches(rc.deps, rc.ctx, rc.tx, m[1], parseCriteria(m[2]), 'reference');
  if (matches.length !== 1) {
    throw new FhirError(412, 'not-found', `Conditional reference '${ref.slice(0, 200)}' matched ${matches.length === 0 ? 'no' : 'several'} resources`, [path]);
  }
  const resolved = `${m[1]}/${matches[0].id as string}`;
  rc.conditionalCache.set(ref, resolved);
  return resolved;
}

const RESTFUL_FULL_URL = /^(https?:\/\/.+)\/[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;
const RELATIVE_REF = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * R4 bundle.html "Resolving references in Bundles": a relative reference inside an entry whose
 * fullUrl is RESTful is relative to that fullUrl's base; it names another entry when an entry has
 * that absolute URL as its fullUrl.
 */
function resolveAgainstFullUrl(rc: ReferenceContext, ref: string, fullUrl: string | undefined): string | undefined {
  if (!fullUrl || !RELATIVE_REF.test(ref)) return undefined;
  const base = RESTFUL_FULL_URL.exec(fullUrl)?.[1];
  return base ? rc.idMap.get(`${base}/${ref}`) : undefined;
}

export async function rewriteReferences(rc: ReferenceContext, resource: Resource, entryPath: string, fullUrl?: string): Promise<void> {
  await visitReferences(resource, `${entryPath}.resource`, (ref, path) => {
    const mapped = rc.idMap.get(ref) ?? resolveAgainstFullUrl(rc, ref, fullUrl);
    if (mapped) return mapped;
    if (ref.startsWith('urn:uuid:') || ref.startsWith('urn:oid:')) {
      throw badRequest(`Reference '${ref.slice(0, 100)}' does not match the fullUrl of any entry in this transaction`, [path]);
    }
    if (CONDITIONAL_REF.test(ref)) return resolveConditional(rc, ref, path);
    return ref;
  });
  const div = (resource as { text?: { div?: string } }).text;
  if (div?.div && /urn:(uuid|oid):/.test(div.div)) {
    // Narrative links to placeholders are updated too, so they do not dangle.
    div.div = div.div.replace(/(href|src)="(urn:(?:uuid|oid):[^"]+)"/g, (all, attr: string, url: string) => {
      const mapped = rc.idMap.get(url);
      return mapped ? `${attr}="${mapped}"` : all;
    });
  }
}
