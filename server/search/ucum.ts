/** Canonical UCUM units (via @lhncbc/ucum-lhc) so g/L and mg/dL quantities compare on one scale. */
import * as fhirpath from 'fhirpath';
import { scaleDecimal, type DecimalRange } from './decimal-range';

interface BaseUnitsResult {
  status: string;
  magnitude?: number;
  unitToExp?: Record<string, number>;
  fromUnitIsSpecial?: boolean;
}
interface UcumUtils {
  convertToBaseUnits(unit: string, value: number): BaseUnitsResult;
}

export interface CanonicalQuantity { code: string; value: string; low: string; high: string }

export interface UcumConverter {
  /** The quantity in base units, or null when the unit is unknown or dimensionless. */
  canonical(unitCode: string, range: DecimalRange): CanonicalQuantity | null;
}

interface UnitInfo { code: string; factor: number; special: boolean }

// fhirpath bundles the @lhncbc/ucum-lhc singleton (typed `any`); reuse it rather than load a second copy.
const utils = fhirpath.ucumUtils as UcumUtils;

function canonicalCode(exps: Record<string, number>): string {
  return Object.keys(exps)
    .sort()
    .map((k) => (exps[k] === 1 ? k : `${k}${exps[k]}`))
    .join('.');
}

function lookup(unit: string): UnitInfo | null {
  try {
    const r = utils.convertToBaseUnits(unit, 1);
    if (r.status !== 'succeeded' || !r.unitToExp || r.magnitude === undefined) return null;
    // Dimensionless units (%, {score}, 1) would all collapse to '' and match each other: keep them apart.
    if (Object.keys(r.unitToExp).length === 0) return null;
    return { code: canonicalCode(r.unitToExp), factor: r.magnitude, special: !!r.fromUnitIsSpecial };
  } catch {
    return null;
  }
}

function convertSpecial(unit: string, v: string): string | null {
  const r = utils.convertToBaseUnits(unit, Number(v));
  return r.status === 'succeeded' && r.magnitude !== undefined ? String(Number(r.magnitude.toPrecision(15))) : null;
}

/** A converter with a per-unit cache: conversion factors are computed once per distinct unit. */
export function createUcumConverter(): UcumConverter {
  const cache = new Map<string, UnitInfo | null>();
  return {
    canonical(unitCode, range) {
      let info = cache.get(unitCode);
      if (info === undefined) {
        info = lookup(unitCode);
        cache.set(unitCode, info);
      }
      if (!info) return null;
      if (info.special) {
        // Temperatures and other offset scales are not linear: convert each bound.
        const [value, low, high] = [range.value, range.low, range.high].map((v) => convertSpecial(unitCode, v));
        return value && low && high ? { code: info.code, value, low, high } : null;
      }
      const f = info.factor;
      return { code: info.code, value: scaleDecimal(range.value, f), low: scaleDecimal(range.low, f), high: scaleDecimal(range.high, f) };
    },
  };
}
