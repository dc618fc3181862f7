/** Parses one search value (after OR-splitting) for a parameter type: prefixes, escapes, units, references. */
import type {
  DateValue, NumberValue, QuantityValue, ReferenceValue, SearchPrefix, SearchValue, SearchParamType, TokenValue,
} from './types';
import { badRequest, notSupported } from '../core/fhir-error';
import { clampedIso, dateRange, rangeMillis } from './date-range';
import { decimalRange, scaleDecimal, type DecimalRange } from './decimal-range';
import { clip, normalizeString } from './normalize';
import { parseReference } from './reference-parts';
import { UCUM } from '../core/canonical-urls';
import type { UcumConverter } from './ucum';
import { NEAR_URL, parseNear } from './geo';

export interface ValueContext {
  /** Parameter name as written, for error messages. */
  name: string;
  type: SearchParamType;
  /** The parameter's code and canonical URL (special parameters are recognised by them). */
  code?: string;
  url?: string;
  modifier?: string;
  ucum: UcumConverter;
  isResourceType: (t: string) => boolean;
  now: Date;
}

/** Splits on `sep` where it is not escaped with a backslash; escapes are kept for a later unescape. */
export function splitEscaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Removes the search escapes `\,` `\$` `\|` `\\`. */
export function unescapeValue(s: string): string {
  return s.replace(/\\([,$|\\])/g, '$1');
}

const PREFIX_RE = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)/;

function splitPrefix(ctx: ValueContext, raw: string): [SearchPrefix, string] {
  const m = PREFIX_RE.exec(raw);
  if (m) return [m[1] as SearchPrefix, raw.slice(2)];
  if (/^[a-z]{2}/.test(raw)) throw badRequest(`Invalid prefix in '${raw}' for search parameter '${ctx.name}'`, [ctx.name]);
  return ['eq', raw];
}

function parseDate(ctx: ValueContext, raw: string): DateValue {
  const [prefix, text] = splitPrefix(ctx, raw);
  const r = dateRange(text);
  if (!r) throw badRequest(`Invalid date '${raw}' for search parameter '${ctx.name}'`, [ctx.name]);
  if (prefix !== 'ap') return { kind: 'date', prefix, low: r.low, high: r.high };
  // ap: 10% of the distance between now and the value, on each side (FHIR search §3.1.1.4).
  const ms = rangeMillis(r);
  const gap = Math.abs(ctx.now.getTime() - ms.low) * 0.1;
  return { kind: 'date', prefix, low: clampedIso(ms.low - gap), high: clampedIso(ms.high + gap) };
}

/** `ap` widens the range to ±10% of the value. */
function approx(r: DecimalRange): DecimalRange {
  const delta = Math.abs(Number(r.value)) * 0.1;
  const lo = scaleDecimal(String(Number(r.value) - delta), 1);
  const hi = scaleDecimal(String(Number(r.value) + delta), 1);
  return { value: r.value, low: Number(lo) < Number(r.low) ? lo : r.low, high: Number(hi) > Number(r.high) ? hi : r.high };
}

function parseDecimal(ctx: ValueContext, raw: string): [SearchPrefix, DecimalRange] {
  const [prefix, text] = splitPrefix(ctx, raw);
  const r = decimalRange(text);
  if (!r) throw badRequest(`Invalid number '${raw}' for search parameter '${ctx.name}'`, [ctx.name]);
  return [prefix, prefix === 'ap' ? approx(r) : r];
}

function parseNumber(ctx: ValueContext, raw: string): NumberValue {
  const [prefix, r] = parseDecimal(ctx, raw);
  return { kind: 'number', prefix, ...r };
}

function parseQuantity(ctx: ValueContext, raw: string): QuantityValue {
  const parts = splitEscaped(raw, '|');
  if (parts.length !== 1 && parts.length !== 3) {
    throw badRequest(`Invalid quantity '${raw}' for search parameter '${ctx.name}': expected number|system|code`, [ctx.name]);
  }
  const [prefix, r] = parseDecimal(ctx, unescapeValue(parts[0]));
  const q: QuantityValue = { kind: 'quantity', prefix, ...r };
  const system = parts.length === 3 ? unescapeValue(parts[1]) : '';
  const code = parts.length === 3 ? unescapeValue(parts[2]) : '';
  if (system) q.system = clip(system);
  if (code) q.code = clip(code);
  if (system === UCUM && code) {
    const c = ctx.ucum.canonical(code, r);
    if (c) q.canonical = c;
  }
  return q;
}

function parseToken(ctx: ValueContext, raw: string): TokenValue {
  if (ctx.modifier === 'text') return { kind: 'token', text: normalizeString(unescapeValue(raw)) };
  if (ctx.modifier === 'in' || ctx.modifier === 'not-in') return { kind: 'token', valueSet: clip(unescapeValue(raw)) };
  if (ctx.modifier === 'above' || ctx.modifier === 'below') {
    const t = parseToken({ ...ctx, modifier: undefined }, raw);
    if (!t.system || t.code === undefined) throw badRequest(`'${ctx.name}:${ctx.modifier}' expects system|code`, [ctx.name]);
    return t;
  }
  const parts = splitEscaped(raw, '|').map(unescapeValue);
  if (ctx.modifier === 'of-type') {
    if (parts.length !== 3 || !parts[1] || !parts[2]) {
      throw badRequest(`'${ctx.name}:of-type' expects type-system|type-code|value`, [ctx.name]);
    }
    return { kind: 'token', typeSystem: clip(parts[0]), typeCode: clip(parts[1]), code: clip(parts[2]) };
  }
  if (parts.length === 1) return { kind: 'token', code: clip(parts[0]) };
  if (parts.length !== 2) throw badRequest(`Invalid token '${raw}' for search parameter '${ctx.name}'`, [ctx.name]);
  const t: TokenValue = { kind: 'token', system: parts[0] === '' ? null : clip(parts[0]) };
  if (parts[1] !== '') t.code = clip(parts[1]);
  return t;
}

function parseReferenceValue(ctx: ValueContext, raw: string): ReferenceValue {
  const text = unescapeValue(raw);
  const typeModifier = ctx.modifier && ctx.isResourceType(ctx.modifier) ? ctx.modifier : undefined;
  if (ctx.modifier === 'identifier') {
    const t = parseToken({ ...ctx, modifier: undefined }, raw);
    return { kind: 'reference', ...(t.system ? { identifierSystem: t.system } : {}), ...(t.code ? { identifierValue: t.code } : {}) };
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(text)) return { kind: 'reference', id: text, ...(typeModifier ? { targetType: typeModifier } : {}) };
  const p = parseReference(text);
  if (p.type && !ctx.isResourceType(p.type)) throw badRequest(`Unknown resource type in reference '${text}'`, [ctx.name]);
  if (typeModifier && p.type && p.type !== typeModifier) {
    throw badRequest(`Reference '${text}' does not match modifier ':${typeModifier}'`, [ctx.name]);
  }
  if (!p.type && !/^[a-z][a-z0-9+.-]*:/i.test(text)) throw badRequest(`Invalid reference '${text}' for search parameter '${ctx.name}'`, [ctx.name]);
  const v: ReferenceValue = { kind: 'reference' };
  if (p.type) Object.assign(v, { targetType: p.type, id: p.id }, p.version ? { version: p.version } : {});
  if (p.url) v.url = clip(p.url);
  return v;
}

/** Parses one OR-ed value of a criterion according to its parameter type and modifier. */
export function parseValue(ctx: ValueContext, raw: string): SearchValue {
  if (ctx.modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') throw badRequest(`':missing' expects true or false for '${ctx.name}'`, [ctx.name]);
    return { kind: 'missing', missing: raw === 'true' };
  }
  switch (ctx.type) {
    case 'token': return parseToken(ctx, raw);
    case 'string': {
      const value = clip(unescapeValue(raw));
      return { kind: 'string', value, norm: normalizeString(value) };
    }
    case 'date': return parseDate(ctx, raw);
    case 'number': return parseNumber(ctx, raw);
    case 'quantity': return parseQuantity(ctx, raw);
    case 'reference': return parseReferenceValue(ctx, raw);
    case 'uri': return { kind: 'uri', value: clip(unescapeValue(raw)) };
    case 'special':
      if (ctx.code === 'near' && ctx.url === NEAR_URL) return parseNear(ctx.name, unescapeValue(raw), ctx.ucum);
      throw notSupported(`Search parameter '${ctx.name}' of type special is not supported`);
    default: throw notSupported(`Search parameter '${ctx.name}' of type ${ctx.type} is not supported yet`);
  }
}
