/** The differential search test's seeded query generator: random clauses over the data set, each with its reference result. */
import type { Fixture } from './fixtures';
import { LOINC, SNOMED, UCUM, ACME, MRN, CLIN, mulberry32, type Rng, int, pick, chance, pad, GENDERS, LOINC_CODES, SNOMED_CODES, CLIN_STATUSES, OBS_STATUSES, TZS, randomDate } from './differential-data';
import { values, type Clause, clauseString, expected } from './differential-oracle';

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

export function generateQueries(seed: number, data: Fixture[], n: number): GeneratedQuery[] {
  const rng = mulberry32(seed);
  const out: GeneratedQuery[] = [];
  for (let i = 0; i < n; i++) {
    const type = pick(rng, ['Patient', 'Patient', 'Observation', 'Observation', 'Observation', 'Condition']);
    const clauses = Array.from({ length: chance(rng, 0.7) ? 1 : 2 }, () => randomClause(rng, data, type));
    out.push({ type, qs: clauses.map(clauseString).join('&'), expected: expected(data, type, clauses) });
  }
  return out;
}
