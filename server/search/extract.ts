/** Turns a resource into its search index rows (IndexValues) by running each parameter's compiled path. */
import type { IndexValues, SearchParamType, StringIndex, TokenIndex } from './types';
import type { PathEvaluator, TypedNode } from './path-compiler';
import type { UcumConverter } from './ucum';
import { tokenRows, uriRows } from './extract-token';
import { stringRows } from './extract-string';
import { dateRows } from './extract-date';
import { numberRows, quantityRows } from './extract-number';
import { referenceRows } from './extract-reference';
import { nearRows } from './geo';
import { narrativeText, normalizeText } from './normalize';
import { componentParam, compositeGroups, type CompositePlan } from './composite';

/** One search parameter compiled for one resource type. */
export interface ParamPlan { code: string; type: SearchParamType; evaluate: PathEvaluator }

// Full-text documents beyond this are truncated: tsvector has a 1 MB limit and huge texts slow writes.
export const MAX_TEXT = 64 * 1024;
// `header`: Subscription.channel.header carries receivers' credentials; _content must not be an oracle for them.
const SKIPPED_CONTENT_KEYS = new Set(['div', 'data', 'resourceType', 'id', 'reference', 'system', 'url', 'fullUrl', 'header']);
const URI_LIKE = /^(https?:|urn:)/;

export function emptyIndexValues(): IndexValues {
  return { token: [], string: [], reference: [], date: [], number: [], quantity: [], uri: [], content: '', narrative: '' };
}

function addRows(plan: ParamPlan, nodes: TypedNode[], v: IndexValues, ucum: UcumConverter): void {
  for (const node of nodes) {
    switch (plan.type) {
      case 'token': tokenRows(plan.code, node, v.token); break;
      case 'string': stringRows(plan.code, node, v.string); break;
      case 'date': dateRows(plan.code, node, v.date); break;
      case 'number': numberRows(plan.code, node, v.number); break;
      case 'quantity': quantityRows(plan.code, node, ucum, v.quantity); break;
      case 'reference': referenceRows(plan.code, node, v.reference); break;
      case 'uri': uriRows(plan.code, node, v.uri); break;
      case 'special': nearRows(node, v.number); break; // only Location.near is planned (registry.ts)
      default: break;
    }
  }
}

const ROW_KINDS = ['token', 'string', 'reference', 'date', 'number', 'quantity', 'uri'] as const;

/** Rows of a composite over sub-elements: `code$i` per component, one group number per element. */
function compositeRows(plan: CompositePlan, resource: Record<string, unknown>, v: IndexValues, ucum: UcumConverter): void {
  for (const [group, values] of compositeGroups(plan, resource).entries()) {
    const before = ROW_KINDS.map((k) => v[k].length);
    plan.components.forEach((c, i) => addRows({ code: componentParam(plan.code, i), type: c.type, evaluate: () => [] }, values[i], v, ucum));
    ROW_KINDS.forEach((k, j) => {
      for (const row of v[k].slice(before[j])) row.group = group;
    });
  }
  // Text-only token rows (CodeableConcept.text, for :text) are of no use in a composite.
  if (v.token.some((r) => r.group !== undefined && r.code === null && r.system === null)) {
    v.token = v.token.filter((r) => r.group === undefined || r.code !== null || r.system !== null);
  }
}

function dedupe<T extends TokenIndex | StringIndex>(rows: T[], key: (r: T) => string): T[] {
  if (rows.length < 2) return rows;
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = key(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Whether _content takes the string `v` found under `key` (search/masked-content.ts walks by the same rule). */
export const isContentString = (key: string, v: string): boolean => !SKIPPED_CONTENT_KEYS.has(key) && !URI_LIKE.test(v);

/**
 * The distinct words of the resource's human-readable strings, for _content. Narrative, binary data,
 * ids, references and URIs are left out: they are noise for text search and make writes slower.
 */
export function contentText(resource: unknown): string {
  const parts: string[] = [];
  let size = 0;
  // Stops descending once MAX_TEXT is reached: a 20 MB resource costs no more than a 64 KB one here.
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') {
      if (!isContentString(key, v)) return;
      parts.push(v);
      size += v.length + 1;
    } else if (Array.isArray(v)) {
      for (const item of v) {
        if (size > MAX_TEXT) return;
        walk(item, key);
      }
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        if (size > MAX_TEXT) return;
        walk((v as Record<string, unknown>)[k], k);
      }
    }
  };
  walk(resource, '');
  return contentWords(parts);
}

/** The distinct words of the strings `parts`, in order (contentText's last step). */
export function contentWords(parts: string[]): string {
  // Normalise once, then keep each word once: to_tsvector's cost grows with the text length.
  return [...new Set(normalizeText(parts.join(' ').slice(0, MAX_TEXT)).split(' '))].join(' ');
}

/** Extracts every index row for a resource, given the plans of its type. */
export function extractIndexValues(resource: Record<string, unknown>, plans: ParamPlan[], ucum: UcumConverter, composites: CompositePlan[] = []): IndexValues {
  return runSteps(extractionSteps(resource, plans, ucum, composites));
}

/** Runs an extraction's steps to the end without pausing. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same extraction, one step per parameter: a caller on the event loop may pause between steps
 * (a Patient with 20,000 names costs tens of ms per parameter, seconds for all of them in one go).
 */
export function* extractionSteps(resource: Record<string, unknown>, plans: ParamPlan[], ucum: UcumConverter, composites: CompositePlan[] = []): Generator<void, IndexValues> {
  const v = emptyIndexValues();
  for (const plan of plans) {
    let nodes: TypedNode[];
    try {
      nodes = plan.evaluate(resource);
    } catch {
      // A custom expression failing on odd data must not block the write: that value is just not indexed.
      continue;
    }
    if (nodes.length) addRows(plan, nodes, v, ucum);
    yield;
  }
  for (const plan of composites) {
    try {
      compositeRows(plan, resource, v, ucum);
    } catch {
      // As above: odd data in one composite leaves only that composite unindexed.
    }
    yield;
  }
  v.token = dedupe(v.token, (r) => `${r.param}\u0000${r.group}\u0000${r.system}\u0000${r.code}\u0000${r.display}\u0000${r.typeSystem}\u0000${r.typeCode}`);
  v.string = dedupe(v.string, (r) => `${r.param}\u0000${r.group}\u0000${r.exact}`);
  yield;
  v.content = contentText(resource);
  const div = (resource.text as { div?: unknown } | undefined)?.div;
  v.narrative = typeof div === 'string' ? normalizeText(narrativeText(div).slice(0, MAX_TEXT)) : '';
  return v;
}
