/**
 * The unit rule of an observation concept read from the stored catalogue. The catalogue's `unit` wins over
 * mappings/: the preferred unit the coder writes and the unit values are normalised to are always the same one.
 */
import { UcumLhcUtils } from '@lhncbc/ucum-lhc';
import type { StoredConcept } from './catalogue-concepts';
import type { UnitRule } from './mappings';

const unitOf = (c: StoredConcept): string | undefined =>
  c.properties.find((p) => p.code === 'unit' && typeof p.valueCode === 'string')?.valueCode;

const decimalOf = (c: StoredConcept, code: string): number | undefined => {
  const p = c.properties.find((x) => x.code === code && typeof x.valueDecimal === 'number');
  return p?.valueDecimal;
};

/** One `from` expressed in `to` (UCUM), null when the units do not convert. */
function factor(from: string, to: string, molecularWeight: number | undefined): number | null {
  const r = UcumLhcUtils.getInstance().convertUnitTo(from, 1, to, molecularWeight ? { molecularWeight } : {});
  return r.status === 'succeeded' && typeof r.toVal === 'number' && Number.isFinite(r.toVal) && r.toVal > 0 ? r.toVal : null;
}

/**
 * A concept added through the API: values are normalised to its `unit` and kept within `range_low`–`range_high`.
 * No unit is assumed for a bare number: a hospital's new analyte has no known plausible default.
 */
function addedConceptRule(unit: string, c: StoredConcept): UnitRule {
  return { unit, range: [decimalOf(c, 'range_low') ?? 0, decimalOf(c, 'range_high') ?? Number.MAX_VALUE], assumeUnit: false };
}

/**
 * The rule for a concept: mappings/' rule when the catalogue gives no other unit; else the catalogue's unit, with
 * mappings/' plausible range converted to it (or the catalogue's own range) and mappings/' unit still read for a
 * bare number, so a hospital that reports haemoglobin in g/L gets g/L everywhere without losing the values in g/dL.
 */
export function unitRuleOf(seedRule: UnitRule | undefined, c: StoredConcept): UnitRule | undefined {
  const unit = unitOf(c);
  if (!unit) return seedRule;
  if (!seedRule) return addedConceptRule(unit, c);
  const low = decimalOf(c, 'range_low');
  const high = decimalOf(c, 'range_high');
  if (unit === seedRule.unit) return { ...seedRule, range: [low ?? seedRule.range[0], high ?? seedRule.range[1]] };
  const f = factor(seedRule.unit, unit, seedRule.molecularWeight);
  // a unit of another kind (a count instead of a concentration): nothing of mappings/' rule applies to it
  if (f === null) return addedConceptRule(unit, c);
  const scaled = (x: number): number => Number((x * f).toPrecision(12));
  const alternates = [seedRule.unit, ...(seedRule.assumeAlternates ?? [])].filter((u, i, all) => u !== unit && all.indexOf(u) === i);
  return { ...seedRule, unit, range: [low ?? scaled(seedRule.range[0]), high ?? scaled(seedRule.range[1])], assumeAlternates: alternates };
}
