/** Applies one action to one primitive value; undefined removes it. Never passes through what it cannot handle. */
import { shiftDate, truncateDate } from './date-shift';
import type { KeyedFunctions } from './keys';
import type { LeafAction } from './profile-schema';

export type Primitive = string | number | boolean;

export const DATE_TYPES = new Set(['date', 'dateTime', 'instant']);

function generalize(a: LeafAction, value: Primitive, type: string, offsetDays: number): Primitive | undefined {
  if (a.datePrecision !== undefined && DATE_TYPES.has(type) && typeof value === 'string') {
    const shifted = shiftDate(value, offsetDays);
    return shifted === undefined ? undefined : truncateDate(shifted, a.datePrecision);
  }
  if (a.roundTo !== undefined && typeof value === 'number') return Math.floor(value / a.roundTo) * a.roundTo;
  if (a.keepPrefix !== undefined && typeof value === 'string' && !DATE_TYPES.has(type)) return value.slice(0, a.keepPrefix) || undefined;
  return undefined;
}

export function applyLeafAction(a: LeafAction, value: Primitive, type: string, offsetDays: number, keyed: KeyedFunctions): Primitive | undefined {
  switch (a.action) {
    case 'keep': return value;
    case 'redact': return undefined;
    case 'dateshift': return DATE_TYPES.has(type) && typeof value === 'string' ? shiftDate(value, offsetDays) : undefined;
    case 'cryptoHash': return typeof value === 'string' ? keyed.hash(value) : undefined;
    case 'encrypt': return typeof value === 'string' ? keyed.encrypt(value) : undefined;
    case 'generalize': return generalize(a, value, type, offsetDays);
    case 'substitute': return a.value;
  }
}
