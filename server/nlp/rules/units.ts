/** Unit surface forms → UCUM codes, and UCUM conversion (via @lhncbc/ucum-lhc) to each concept's preferred unit. */
import { UcumLhcUtils } from '@lhncbc/ucum-lhc';
import type { UnitRule, UnitsFile } from '../mappings';

export interface ParsedUnit {
  /** UCUM code. */
  ucum: string;
  /** The unit as written. */
  text: string;
  /** Offset just after the unit in the text. */
  end: number;
}

export interface UnitConverter {
  /** The UCUM code of a written unit, or null when unknown. */
  lookup(written: string): string | null;
  /** The unit written at `pos` (leading blanks allowed), or null. */
  parseAt(text: string, pos: number): ParsedUnit | null;
  /** `value` in `from` expressed in the concept's preferred unit, or null when not convertible. */
  toPreferred(concept: string, value: number, from: string): number | null;
  rule(concept: string): UnitRule | undefined;
}

// "x10^9/L", "× 10E9/l", "10*3/µL", "x10⁹/L"
const CELL_COUNT = /[ \t]*(?:[x×*][ \t]*)?10[ \t]*(?:\^|\*\*?|[eE])?[ \t]*([0-9⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})[ \t]*\/[ \t]*([µμu]?[lL]|n[lL]|mm3)\b/y;
const PER_VOLUME = /[ \t]*\/[ \t]*(n[lL]|[µμu][lL]|p[lL]|mm3)\b/y;
const GENERAL = /[ \t]*([A-Za-zµμ%°][A-Za-zµμ0-9²³^/.]*)/y;
const SUPERSCRIPT: Record<string, string> = { '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9' };

const fold = (u: string): string => u.toLowerCase().replace(/[µμ]/g, 'u').replace(/²/g, '2').replace(/³/g, '3').replace(/\s+/g, '');

function volume(den: string): string {
  const d = fold(den);
  if (d === 'l') return 'L';
  if (d === 'mm3') return 'mm3';
  return `${d[0]}L`;
}

function parseCellCount(text: string, pos: number): ParsedUnit | null {
  CELL_COUNT.lastIndex = pos;
  const m = CELL_COUNT.exec(text);
  if (!m) return null;
  const exp = [...m[1]].map((c) => SUPERSCRIPT[c] ?? c).join('');
  return { ucum: `10*${exp}/${volume(m[2])}`, text: m[0].trim(), end: pos + m[0].length };
}

function parsePerVolume(text: string, pos: number): ParsedUnit | null {
  PER_VOLUME.lastIndex = pos;
  const m = PER_VOLUME.exec(text);
  return m ? { ucum: `/${volume(m[1])}`, text: m[0].trim(), end: pos + m[0].length } : null;
}

export function createUnitConverter(units: UnitsFile): UnitConverter {
  const utils = UcumLhcUtils.getInstance();
  const factors = new Map<string, number | null>();

  // notes write few distinct units, each many times: fold each once (bounded, every input is hostile)
  const known = new Map<string, string | null>();
  const lookup = (written: string): string | null => {
    let ucum = known.get(written);
    if (ucum === undefined) {
      ucum = units.caseSensitive[written.trim()] ?? units.folded[fold(written)] ?? null;
      if (known.size < 4096) known.set(written, ucum);
    }
    return ucum;
  };

  function parseGeneral(text: string, pos: number): ParsedUnit | null {
    GENERAL.lastIndex = pos;
    const m = GENERAL.exec(text);
    if (!m) return null;
    // "kg." at a sentence end, "U/mL)": shrink from the right until the table knows the unit
    for (let w = m[1]; w.length > 0; w = w.slice(0, -1)) {
      const ucum = lookup(w);
      const next = text[pos + m[0].indexOf(m[1]) + w.length] ?? ' ';
      if (ucum && !/[A-Za-z0-9]/.test(next)) return { ucum, text: w, end: pos + m[0].indexOf(m[1]) + w.length };
    }
    return null;
  }

  function factor(from: string, to: string, mw: number | undefined): number | null {
    const key = `${from}|${to}|${mw ?? ''}`;
    let f = factors.get(key);
    if (f === undefined) {
      const r = utils.convertUnitTo(from, 1, to, mw ? { molecularWeight: mw } : {});
      f = r.status === 'succeeded' && r.toVal !== null ? r.toVal : null;
      factors.set(key, f);
    }
    return f;
  }

  return {
    lookup,
    parseAt: (text, pos) => parseCellCount(text, pos) ?? parsePerVolume(text, pos) ?? parseGeneral(text, pos),
    toPreferred(concept, value, from) {
      const rule = units.observations[concept];
      if (!rule) return null;
      if (from === rule.unit) return value;
      const f = factor(from, rule.unit, rule.molecularWeight);
      return f === null ? null : Number((value * f).toPrecision(12));
    },
    rule: (concept) => units.observations[concept],
  };
}
