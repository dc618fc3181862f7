/**
 * Parses a search query string into a typed SearchQuery (FHIR R4 search §3.1.1): modifiers, prefixes,
 * OR (`,`) / AND (repetition), escapes, chains, _has, includes, sort, paging and totals.
 */
import type { CompositeValue, Criterion, SearchParamDefinition, SearchParamType, SearchQuery, SearchValue } from './types';
import type { SearchRegistry } from './registry';
import { badRequest, notSupported, type Issue } from '../core/fhir-error';
import { parseValue, splitEscaped, unescapeValue, type ValueContext } from './parse-value';
import { parseContained, parseCount, parseInclude, parseSort, parseTotal, parseTypes } from './parse-control';
import { normalizeText } from './normalize';
import { componentParam } from './composite';
import { guardSearchParams } from './query-guard';

export interface ParseOptions { strict?: boolean; defaultCount?: number; maxCount?: number; now?: Date }
export interface ParsedSearch {
  query: SearchQuery;
  warnings: Issue[];
  /** The pairs actually applied, in order: the searchset's self link carries these only (search.html#self). */
  used: [string, string][];
}

/** Parameters the REST layer applies to the response; search ignores them. */
const RESULT_PARAMS = new Set(['_summary', '_elements', '_format', '_pretty']);

const MODIFIERS: Record<SearchParamType, string[]> = {
  token: ['not', 'text', 'of-type', 'in', 'not-in', 'above', 'below'], string: ['exact', 'contains'], date: [], number: [], quantity: [],
  reference: ['identifier'], uri: ['above', 'below'], composite: [], special: [],
};
const KNOWN_UNSUPPORTED = new Set(['above', 'below', 'in', 'not-in', 'code-text', 'text-advanced', 'iterate']);

/** Raised inside the recursion for a parameter the registry does not know; reported as a warning or 400. */
class UnknownParameter extends Error {}

interface State { registry: SearchRegistry; now: Date }

/**
 * The definition of `code` for `types`. Searched types must all define it; chain targets (`anyType`)
 * need only one to, since a chain follows whichever type the reference points to.
 */
function resolve(st: State, types: string[], code: string, anyType: boolean): SearchParamDefinition | null {
  let first: SearchParamDefinition | null = null;
  for (const t of types) {
    const d = st.registry.get(t, code);
    if (!d && !anyType) return null;
    if (d && !first) first = d;
  }
  return first;
}

function checkModifier(st: State, def: SearchParamDefinition, code: string, modifier: string | undefined): void {
  if (!modifier) return;
  if (code === '_id' || code === '_lastUpdated' || code === '_content' || code === '_text') {
    throw notSupported(`Modifier ':${modifier}' is not supported for '${code}'`);
  }
  if (modifier === 'missing') return;
  if (def.type === 'reference' && st.registry.isResourceType(modifier)) {
    if (def.target && def.target.length && !def.target.includes(modifier)) throw badRequest(`'${code}' cannot refer to ${modifier}`, [code]);
    return;
  }
  if (MODIFIERS[def.type].includes(modifier)) return;
  if (KNOWN_UNSUPPORTED.has(modifier)) throw notSupported(`Modifier ':${modifier}' is not supported for '${code}'`);
  throw badRequest(`Unknown modifier ':${modifier}' for search parameter '${code}'`, [code]);
}

function parseHas(st: State, types: string[], name: string, raw: string): Criterion | null {
  const parts = name.split(':');
  if (parts.length < 4) throw badRequest(`Invalid '${name}': expected _has:Type:reference:parameter`, [name]);
  const [, sourceType, refParam] = parts;
  if (!st.registry.isResourceType(sourceType)) throw badRequest(`Unknown resource type '${sourceType}' in ${name}`, [name]);
  const refDef = st.registry.get(sourceType, refParam);
  if (!refDef || refDef.type !== 'reference') throw badRequest(`'${refParam}' is not a reference parameter of ${sourceType}`, [name]);
  if (refDef.target?.length && types.length && !types.some((t) => refDef.target?.includes(t))) {
    throw badRequest(`${sourceType}.${refParam} cannot refer to ${types.join(', ')}`, [name]);
  }
  const inner = parseCriterion(st, [sourceType], parts.slice(3).join(':'), raw);
  if (!inner) return null;
  return { code: '_has', has: { sourceType, referenceParam: refParam, criterion: inner }, values: inner.values };
}

function parseChain(st: State, def: SearchParamDefinition, code: string, modifier: string | undefined, rest: string, raw: string): Criterion | null {
  if (def.type !== 'reference') throw badRequest(`'${code}' is not a reference parameter and cannot be chained`, [code]);
  if (modifier && !st.registry.isResourceType(modifier)) throw badRequest(`Invalid chain '${code}:${modifier}.${rest}'`, [code]);
  const candidates = modifier ? [modifier] : def.target?.length ? def.target : st.registry.resourceTypes();
  const inner = parseCriterion(st, candidates, rest, raw, true);
  if (!inner) return null;
  const innerCode = inner.code;
  const targetTypes = innerCode === '_has' ? candidates : candidates.filter((t) => st.registry.get(t, innerCode)?.type === inner.definition?.type);
  return {
    code, definition: def, ...(modifier ? { modifier } : {}), values: inner.values,
    chain: { ...(modifier ? { targetType: modifier } : {}), targetTypes, criterion: inner },
  };
}

/**
 * Composite values (`a$b`, FHIR search §3.1.1.5.11): one value per component, each parsed for the
 * component's type. Resource-level composites match on the components' own rows; the others on
 * grouped rows, so the components of one element match together.
 */
function parseComposite(st: State, type: string, def: SearchParamDefinition, name: string, raw: string): CompositeValue {
  const shape = st.registry.composite(type, def);
  if (!shape) throw notSupported(`Composite search parameter '${def.code}' is not supported on ${type}: a component definition is unknown`);
  const parts = splitEscaped(raw, '$');
  if (parts.length !== shape.components.length) throw badRequest(`'${name}' expects ${shape.components.length} values separated by $`, [name]);
  return {
    kind: 'composite',
    strategy: shape.strategy,
    components: shape.components.map((c, i) => {
      const ctx: ValueContext = { name, type: c.type, ucum: st.registry.ucum, isResourceType: (t) => st.registry.isResourceType(t), now: st.now };
      const code = shape.strategy === 'resource' && c.code ? c.code : componentParam(def.code, i);
      return { code, type: c.type, value: parseValue(ctx, parts[i]) };
    }),
  };
}

function parseCriterion(st: State, types: string[], name: string, raw: string, anyType = false): Criterion | null {
  if (name.startsWith('_has:')) return parseHas(st, types, name, raw);
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  const colon = head.indexOf(':');
  const code = colon < 0 ? head : head.slice(0, colon);
  const modifier = colon < 0 ? undefined : head.slice(colon + 1);
  const def = resolve(st, types, code, anyType);
  if (!def) throw new UnknownParameter(name);
  if (dot >= 0) return parseChain(st, def, code, modifier, name.slice(dot + 1), raw);
  checkModifier(st, def, code, modifier);
  const rawValues = splitEscaped(raw, ',').filter((v) => v !== '');
  if (raw === '') return null; // an empty parameter is ignored (FHIR search §3.1.1)
  // `name=,`: values were written but none is searchable; ignoring them would match everything.
  if (rawValues.length === 0) throw noTerms(name);
  let parsed: SearchValue[];
  if (def.type === 'composite' && modifier !== 'missing') {
    const own = types.filter((t) => st.registry.get(t, code)?.type === 'composite');
    if (own.length !== 1) throw notSupported(`Composite search parameter '${code}' is only supported when it applies to one resource type`);
    parsed = rawValues.map((v) => parseComposite(st, own[0], st.registry.get(own[0], code) ?? def, name, v));
  } else if (code === '_content' || code === '_text') {
    parsed = rawValues.map((v) => ({ kind: 'text', value: normalizeText(unescapeValue(v)) }));
  } else {
    const ctx: ValueContext = { name, type: def.type, code, url: def.url, ...(modifier ? { modifier } : {}), ucum: st.registry.ucum, isResourceType: (t) => st.registry.isResourceType(t), now: st.now };
    parsed = rawValues.map((v) => parseValue(ctx, v));
  }
  if (!parsed.every(hasTerms)) throw noTerms(name);
  return { code, definition: def, ...(modifier ? { modifier } : {}), values: rawValues.map(unescapeValue), parsed };
}

const noTerms = (name: string): Error => badRequest(`Search parameter '${name}' has a value with no searchable terms`, [name]);

/**
 * Whether a value restricts anything: a string that normalises to nothing would be a LIKE '%', a
 * text query without a letter or digit has no lexemes, a bare `|` token names no system nor code.
 */
function hasTerms(v: SearchValue): boolean {
  if (v.kind === 'string') return v.norm !== '';
  if (v.kind === 'text') return /[\p{L}\p{N}]/u.test(v.value);
  if (v.kind === 'token') return v.code !== undefined || typeof v.system === 'string' || (v.text !== undefined ? v.text !== '' : v.valueSet !== undefined);
  return true;
}

/** Parses `params` (in order, repeated names kept) for a type search, or a system search when resourceTypes is empty. */
export function parseSearchParams(
  registry: SearchRegistry,
  resourceTypes: string[],
  params: [string, string][],
  opts: ParseOptions = {},
): ParsedSearch {
  guardSearchParams(params);
  const warnings: Issue[] = [];
  const unknown = (name: string, what = 'search parameter'): void => {
    if (opts.strict) throw badRequest(`Unknown ${what} '${name}'`, [name]);
    warnings.push({ severity: 'warning', code: 'not-supported', diagnostics: `Unknown ${what} '${name}' was ignored`, expression: [name] });
  };
  let types = resourceTypes;
  const ignored = new Set<number>();
  for (const [i, [name, value]] of params.entries()) {
    if (name !== '_type') continue;
    if (resourceTypes.length === 0) types = parseTypes(registry, value);
    else {
      ignored.add(i);
      warnings.push({ severity: 'warning', code: 'not-supported', diagnostics: '_type is ignored in a type-level search', expression: ['_type'] });
    }
  }
  const maxCount = opts.maxCount ?? 1000;
  const query: SearchQuery = { resourceTypes: types, criteria: [], sort: [], count: Math.min(opts.defaultCount ?? 20, maxCount), total: 'none', include: [], revinclude: [] };
  const st: State = { registry, now: opts.now ?? new Date() };
  const searched = types.length ? types : registry.resourceTypes();
  for (const [i, [name, value]] of params.entries()) {
    const [base, mod] = name.split(':', 2);
    if (RESULT_PARAMS.has(name) || name === '_type') continue;
    if (name === '_contained' || name === '_containedType') continue;
    if (base === '_include' || base === '_revinclude') {
      if (mod !== undefined && mod !== 'iterate' && mod !== 'recurse') throw badRequest(`Invalid modifier on ${name}`, [name]);
      (base === '_include' ? query.include : query.revinclude).push(parseInclude(registry, base, value, mod !== undefined));
    } else if (name === '_count') query.count = parseCount(value, maxCount);
    else if (name === '_total') query.total = parseTotal(value);
    else if (name === '_sort') {
      const keys = parseSort(registry, searched, value, (c) => unknown(c, 'sort parameter'));
      if (!keys.length) ignored.add(i);
      query.sort.push(...keys);
    }
    else if (name === '_cursor') query.cursor = value;
    else {
      try {
        const c = parseCriterion(st, searched, name, value);
        if (c) query.criteria.push(c);
        else ignored.add(i);
      } catch (e) {
        if (!(e instanceof UnknownParameter)) throw e;
        ignored.add(i);
        unknown(name);
      }
    }
  }
  applyContained(query, params);
  return { query, warnings, used: params.filter((_, i) => !ignored.has(i)) };
}

/**
 * `_contained` / `_containedType`: only for a type search and without _sort (the sort keys are
 * those of top-level resources); returning contained resources also rules out includes.
 */
function applyContained(query: SearchQuery, params: [string, string][]): void {
  const last = (name: string): string | undefined => params.filter(([k]) => k === name).pop()?.[1];
  const { mode, returnContained } = parseContained(last('_contained'), last('_containedType'));
  if (!mode) return;
  if (query.resourceTypes.length !== 1) throw notSupported('_contained is only supported in a type-level search');
  if (query.sort.length) throw notSupported('_sort is not supported with _contained');
  if (returnContained && (query.include.length || query.revinclude.length)) {
    throw notSupported('_include and _revinclude are not supported with _containedType=contained');
  }
  query.contained = mode;
  if (returnContained) query.containedType = 'contained';
}
