/**
 * Limits and character checks applied to a search request before it is parsed, so that hostile
 * query strings (NUL, control characters, thousands of parameters or OR-values, deep chains, many
 * includes) end as a 400 naming the parameter instead of a 500 or a long-running statement.
 */
import { badRequest } from '../core/fhir-error';

export const SEARCH_LIMITS = {
  /** Parameters (name=value pairs, repeated names counted each time) in one request. */
  maxParams: 100,
  /** OR-ed values (comma-separated) in one parameter. */
  maxValuesPerParam: 100,
  /** Values across the whole request (AND × OR). */
  maxValues: 500,
  /** Links in a chain (`subject.organization.partof.name` = 3), `_has` nesting counted alike. */
  maxChainDepth: 3,
  /** Chain links across the whole request: each link is a join over every target type (and their contained resources). */
  maxChainLinks: 10,
  /** Keys in `_sort` (each one is a sort-key lookup per row). */
  maxSortKeys: 10,
  /** `_include` + `_revinclude` parameters in one request. */
  maxIncludes: 10,
  /** Characters in one parameter name or value (values are clipped to the index width anyway). */
  maxLength: 4096,
} as const;

// R4 string rule (datatypes.html#string): no control characters other than tab, CR and LF.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws a 400 naming `name` when `text` holds a character no FHIR string may hold. */
export function checkSearchText(name: string, text: string): void {
  const label = name.slice(0, 100);
  if (CONTROL.test(text)) throw badRequest(`Search parameter '${label}' contains a control character (e.g. NUL), which FHIR strings may not hold`, [label]);
  if (LONE_SURROGATE.test(text)) throw badRequest(`Search parameter '${label}' contains an unpaired UTF-16 surrogate`, [label]);
  if (text.length > SEARCH_LIMITS.maxLength) throw badRequest(`Search parameter '${label}' is longer than ${SEARCH_LIMITS.maxLength} characters`, [label]);
}

/** Counts commas that are not escaped with a backslash, i.e. the OR-values of a parameter minus one. */
function orCount(value: string): number {
  let n = 1;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === ',') n++;
  }
  return n;
}

/** Links in a parameter name: dots of a chain plus `_has:` prefixes. */
function chainDepth(name: string): number {
  const hasLinks = name.split('_has:').length - 1;
  const withoutHas = name.replace(/_has:[^:]*:[^:]*:/g, '');
  return hasLinks + (withoutHas.split('.').length - 1);
}

/** Checks every pair of a search request against SEARCH_LIMITS and the string rule. */
export function guardSearchParams(params: [string, string][]): void {
  if (params.length > SEARCH_LIMITS.maxParams) {
    throw badRequest(`Too many search parameters: ${params.length} (the limit is ${SEARCH_LIMITS.maxParams} per request)`);
  }
  let values = 0;
  let includes = 0;
  let links = 0;
  for (const [name, value] of params) {
    checkSearchText(name, name);
    checkSearchText(name, value);
    const label = name.slice(0, 100);
    const n = orCount(value);
    if (n > SEARCH_LIMITS.maxValuesPerParam) {
      throw badRequest(`Too many values for '${label}': ${n} (the limit is ${SEARCH_LIMITS.maxValuesPerParam} per parameter)`, [label]);
    }
    values += n;
    if (name === '_sort' && n > SEARCH_LIMITS.maxSortKeys) throw badRequest(`Too many _sort keys: ${n} (the limit is ${SEARCH_LIMITS.maxSortKeys})`, ['_sort']);
    if (name.startsWith('_include') || name.startsWith('_revinclude')) includes++;
    else {
      const depth = chainDepth(name);
      if (depth > SEARCH_LIMITS.maxChainDepth) throw badRequest(`'${label}' chains more than ${SEARCH_LIMITS.maxChainDepth} references (the limit per parameter)`, [label]);
      links += depth;
    }
  }
  if (links > SEARCH_LIMITS.maxChainLinks) throw badRequest(`Too many chained or _has parameters: ${links} links (the limit is ${SEARCH_LIMITS.maxChainLinks} per request)`);
  if (values > SEARCH_LIMITS.maxValues) throw badRequest(`Too many search values: ${values} (the limit is ${SEARCH_LIMITS.maxValues} per request)`);
  if (includes > SEARCH_LIMITS.maxIncludes) {
    throw badRequest(`Too many _include/_revinclude parameters: ${includes} (the limit is ${SEARCH_LIMITS.maxIncludes})`, ['_include']);
  }
}
