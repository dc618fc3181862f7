/** Bundle invariants (bdl-1..12, https://hl7.org/fhir/R4/bundle.html#invs) and the fullUrl rules, checked without FHIRPath. */
import { issue } from './issue';
import { preview } from './primitives';
import { type DatatypeRule, type JsonObject, type RuleContext, isObject } from './types';

const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const RESTFUL_TAIL = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;
const REQUEST_TYPES = new Set(['batch', 'transaction', 'history']);
const RESPONSE_TYPES = new Set(['batch-response', 'transaction-response', 'history']);
const ENTRY_PARTS = ['request', 'response', 'search', 'resource'] as const;

function bundle(node: JsonObject, cx: RuleContext): void {
  const type = node.type;
  const expr = cx.expression;
  const report = (key: string, text: string, at: string): void => cx.env.report(issue('invariant', `${key}: ${text}`, at));
  if (node.total !== undefined && type !== 'searchset' && type !== 'history') report('bdl-1', 'total only when a search or history', `${expr}.total`);
  const entries = Array.isArray(node.entry) ? node.entry : [];
  const seen = new Map<string, number>();
  entries.forEach((e: unknown, i: number) => {
    const at = `${expr}.entry[${i}]`;
    if (!isObject(e)) {
      // The schema walk may not reach a primitive where an entry object belongs: say it here.
      if (e !== null) cx.env.report(issue('structure', `Bundle.entry must be a JSON object, not ${Array.isArray(e) ? 'an array' : typeof e}`, at));
      return;
    }
    for (const part of ENTRY_PARTS) {
      if (e[part] !== undefined && !isObject(e[part])) cx.env.report(issue('structure', `Bundle.entry.${part} must be a JSON object`, `${at}.${part}`));
    }
    if (e.search !== undefined && type !== 'searchset') report('bdl-2', 'entry.search only when a search', `${at}.search`);
    if (typeof type === 'string' && (e.request !== undefined) !== REQUEST_TYPES.has(type)) {
      report('bdl-3', 'entry.request mandatory for batch/transaction/history, otherwise prohibited', at);
    }
    if (typeof type === 'string' && (e.response !== undefined) !== RESPONSE_TYPES.has(type)) {
      report('bdl-4', 'entry.response mandatory for batch-response/transaction-response/history, otherwise prohibited', at);
    }
    if (typeof e.fullUrl === 'string' && type !== 'history') {
      const resource = isObject(e.resource) ? e.resource : undefined;
      const meta = resource && isObject(resource.meta) ? resource.meta : undefined;
      const key = `${e.fullUrl}|${typeof meta?.versionId === 'string' ? meta.versionId : ''}`;
      const first = seen.get(key);
      if (first !== undefined) report('bdl-7', `FullUrl must be unique in a bundle (same as entry[${first}]: '${preview(e.fullUrl)}')`, at);
      else seen.set(key, i);
    }
  });
  const firstType = entries.length && isObject(entries[0]) && isObject(entries[0].resource) ? entries[0].resource.resourceType : undefined;
  if (type === 'document') {
    const id = isObject(node.identifier) ? node.identifier : undefined;
    if (!id || id.system === undefined || id.value === undefined) report('bdl-9', 'A document must have an identifier with a system and a value', expr);
    if (node.timestamp === undefined) report('bdl-10', 'A document must have a date (timestamp)', expr);
    if (firstType !== 'Composition') report('bdl-11', 'A document must have a Composition as the first resource', expr);
  }
  if (type === 'message' && firstType !== 'MessageHeader') report('bdl-12', 'A message must have a MessageHeader as the first resource', expr);
}

function entry(node: JsonObject, cx: RuleContext): void {
  const expr = cx.expression;
  if (node.resource === undefined && node.request === undefined && node.response === undefined) {
    cx.env.report(issue('invariant', 'bdl-5: must be a resource unless there is a request or response', expr));
  }
  const fullUrl = node.fullUrl;
  if (typeof fullUrl !== 'string' || fullUrl === '') return;
  const at = `${expr}.fullUrl`;
  if (fullUrl.includes('/_history/')) cx.env.report(issue('invariant', 'bdl-8: fullUrl cannot be a version specific reference', at));
  if (!ABSOLUTE_URI.test(fullUrl)) {
    cx.env.report(issue('value', `Bundle.entry.fullUrl must be an absolute URL (not '${preview(fullUrl)}')`, at));
    return;
  }
  // a RESTful fullUrl SHALL NOT disagree with the resource's type and id
  const m = /^https?:/i.test(fullUrl) ? RESTFUL_TAIL.exec(fullUrl) : null;
  const resource = isObject(node.resource) ? node.resource : undefined;
  if (!m || !resource || typeof resource.id !== 'string' || !cx.env.resourceTypes.has(m[1])) return;
  if (m[1] !== resource.resourceType || m[2] !== resource.id) {
    cx.env.report(issue('invalid', `fullUrl '${preview(fullUrl)}' does not match the resource ${String(resource.resourceType)}/${resource.id}`, at));
  }
}

export const BUNDLE_RULES: Readonly<Record<string, DatatypeRule>> = {
  Bundle: bundle,
  'Bundle.entry': entry,
};
