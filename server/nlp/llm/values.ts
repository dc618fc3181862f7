/** Observation values the model states → the Finding's value fields: UCUM units and normalisation, FIGO, ECOG, variants. */
import type { ConceptCoder } from '../coding';
import type { Finding, FigoStage, Language, VariantValue } from '../finding';
import type { UnitConverter } from '../rules/units';
import { parseLocaleNumber } from '../text/numbers';
import type { ModelFinding } from './schema';

export type ValueFields = Pick<Finding, 'value' | 'unit' | 'comparator' | 'normalized' | 'valueCode' | 'valueText' | 'unitText' | 'attributes'>;

/** The value fields, or the kebab-case reason the finding is dropped. */
export type ValueResult = { fields: ValueFields } | { reason: string };

const ROMAN: Record<string, string> = { '1': 'I', '2': 'II', '3': 'III', '4': 'IV' };
const PRESENT = /^(?:present|positive|pos|detected|pathogenic|likely pathogenic|mutated|mutation|nachgewiesen|positiv|mutiert)$/i;
const ABSENT = /^(?:absent|negative|neg|not detected|no mutation|wild[- ]?type|wt|negativ|nicht nachgewiesen|unauffällig)$/i;

/** "FIGO IIIC", "stage 3c", "IIIA(i)", "IVb" → a stage mappings/ knows, else null. */
export function normalizeFigo(written: string, known: ReadonlySet<string>): FigoStage | null {
  const m = /^(?:FIGO)?[\s-]*(?:stage|stadium)?[\s:-]*(IV|I{1,3}|[1-4])\s*([ABC])?\s*(?:\(?\s*(i{1,2}|[123])\s*\)?)?$/i.exec(written.trim());
  if (!m) return null;
  const base = (ROMAN[m[1]] ?? m[1].toUpperCase()) + (m[2] ?? '').toUpperCase();
  const sub = m[3] ? m[3].toLowerCase().replace(/^ii$/, '2').replace(/^i$/, '1') : '';
  if (sub && known.has(base + sub)) return (base + sub) as FigoStage;
  return known.has(base) ? (base as FigoStage) : null;
}

function toNumber(value: ModelFinding['value'], lang: Language): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const s = value.trim().replace(/^[<>≤≥]=?\s*/, '');
  if (!/^\d[\d.,]*$/.test(s)) return null;
  const n = parseLocaleNumber(s, lang);
  return Number.isFinite(n) ? n : null;
}

function figoValue(item: ModelFinding, coder: ConceptCoder): ValueResult {
  const written = typeof item.value === 'string' || typeof item.value === 'number' ? String(item.value) : item.figo ?? '';
  const stage = normalizeFigo(written, coder.knownFigoStages());
  const code = stage ? coder.figoCode(stage) : undefined;
  if (!stage || !code) return { reason: 'invalid-value' };
  return { fields: { value: stage, valueCode: code, valueText: written.trim(), attributes: {} } };
}

function ecogValue(item: ModelFinding, lang: Language): ValueResult {
  const n = toNumber(item.value, lang);
  if (n === null || !Number.isInteger(n) || n < 0 || n > 5) return { reason: 'invalid-value' };
  return { fields: { value: n, valueText: String(n), attributes: {} } };
}

function variantValue(concept: string, item: ModelFinding, coder: ConceptCoder): ValueResult {
  const written = typeof item.value === 'string' ? item.value.trim() : '';
  const value: VariantValue | null = PRESENT.test(written) ? 'present' : ABSENT.test(written) ? 'absent' : null;
  if (!value) return { reason: 'invalid-value' };
  const gene = coder.gene(concept);
  return { fields: { value, valueCode: coder.variantAnswer(value), attributes: gene ? { gene } : {} } };
}

/** The UCUM code of a unit as the model wrote it ("U/ml", "x10^9/L", "G/l"), or null. */
function ucumOf(units: UnitConverter, written: string): string | null {
  const w = written.trim();
  const parsed = units.parseAt(` ${w}`, 0);
  if (parsed && parsed.end === w.length + 1) return parsed.ucum;
  return units.lookup(w);
}

/** A bare number: the preferred unit if plausible, else the first plausible alternate (as the rules engine assumes). */
function assumedUnit(units: UnitConverter, concept: string, n: number): string | null {
  const rule = units.rule(concept);
  if (!rule?.assumeUnit) return null;
  for (const u of [rule.unit, ...(rule.assumeAlternates ?? [])]) {
    const v = units.toPreferred(concept, n, u);
    if (v !== null && v >= rule.range[0] && v <= rule.range[1]) return u;
  }
  return null;
}

function labValue(concept: string, item: ModelFinding, units: UnitConverter, coder: ConceptCoder, lang: Language): ValueResult {
  const n = toNumber(item.value, lang);
  if (n === null) return { reason: 'invalid-value' };
  const written = item.unit?.trim() || undefined;
  const rule = units.rule(concept);
  const ucum = written ? ucumOf(units, written) : assumedUnit(units, concept, n);
  if (!ucum) return { reason: written ? 'invalid-unit' : 'missing-unit' };
  const preferred = coder.preferredUnit(concept);
  const normalized = preferred ? units.toPreferred(concept, n, ucum) : n;
  if (normalized === null) return { reason: 'invalid-unit' };
  if (rule && (normalized < rule.range[0] || normalized > rule.range[1])) return { reason: 'out-of-range' };
  return {
    fields: {
      value: n, unit: ucum, ...(item.comparator ? { comparator: item.comparator } : {}),
      ...(preferred ? { normalized: { value: normalized, unit: preferred } } : {}),
      valueText: String(item.value), ...(written ? { unitText: written } : {}), attributes: {},
    },
  };
}

/** The value fields of an observation finding of `concept`. */
export function observationValue(concept: string, item: ModelFinding, units: UnitConverter, coder: ConceptCoder, lang: Language): ValueResult {
  if (concept === 'figo_stage') return figoValue(item, coder);
  if (concept === 'ecog') return ecogValue(item, lang);
  if (coder.gene(concept)) return variantValue(concept, item, coder);
  return labValue(concept, item, units, coder, lang);
}
