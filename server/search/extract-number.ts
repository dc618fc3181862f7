/** Number and quantity index rows: exact decimal strings, precision ranges and canonical UCUM values. */
import type { NumberIndex, QuantityIndex } from './types';
import type { TypedNode } from './path-compiler';
import { decimalRange, numberRange, type DecimalRange } from './decimal-range';
import { UCUM } from '../core/canonical-urls';
import type { UcumConverter } from './ucum';
import { clip } from './normalize';
import { FP_Decimal } from 'fhirpath';

type Obj = Record<string, unknown>;

const NUMBER_TYPES = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);
const QUANTITY_TYPES = new Set(['Quantity', 'Age', 'Duration', 'Distance', 'Count', 'SimpleQuantity', 'MoneyQuantity']);
const CURRENCY_SYSTEM = 'urn:iso:std:iso:4217';

function range(v: unknown): DecimalRange | null {
  if (typeof v === 'number') return numberRange(v);
  // fhirpath may hand back its own decimal type (FP_Decimal); its toString() is exact.
  if (v instanceof FP_Decimal) return decimalRange(v.toString());
  return typeof v === 'string' ? decimalRange(v) : null;
}

/** Appends the number row for one value of a number parameter. */
export function numberRows(param: string, node: TypedNode, out: NumberIndex[]): void {
  if (!NUMBER_TYPES.has(node.type)) return;
  const r = range(node.value);
  if (r) out.push({ param, value: r.value, low: r.low, high: r.high });
}

const s = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? clip(v) : null);

/** Appends the quantity row for one value of a quantity parameter. */
export function quantityRows(param: string, node: TypedNode, ucum: UcumConverter, out: QuantityIndex[]): void {
  const v = node.value;
  if (!v || typeof v !== 'object') return;
  const q = v as Obj;
  const r = range(q.value);
  if (!r) return;
  if (node.type === 'Money') {
    out.push({ param, value: r.value, low: r.low, high: r.high, system: CURRENCY_SYSTEM, code: s(q.currency), unit: null });
    return;
  }
  if (!QUANTITY_TYPES.has(node.type)) return;
  const system = s(q.system);
  const code = s(q.code);
  const row: QuantityIndex = { param, value: r.value, low: r.low, high: r.high, system, code, unit: s(q.unit) };
  if (system === UCUM && code) {
    const c = ucum.canonical(code, r);
    if (c) Object.assign(row, { canonicalCode: c.code, canonicalValue: c.value, canonicalLow: c.low, canonicalHigh: c.high });
  }
  out.push(row);
}
