/** Lab and vital values after an analyte name: number, unit (UCUM), series ("date value; date value"), tables. */
import type { Comparator } from '../finding';
import { parseNumberAt, type ParsedNumber } from '../text/numbers';
import type { NoteAnalysis } from './analysis';
import type { Match } from './matcher';
import type { UnitConverter } from './units';

export interface LabValue {
  concept: string;
  value: number;
  comparator?: Comparator;
  /** UCUM unit of `value` (as written, or assumed). */
  ucum: string;
  unitText?: string;
  valueText: string;
  /** Value in the concept's preferred unit. */
  normalized: number;
  assumedUnit: boolean;
  /** Number (+ unit) span, for date binding. */
  valueStart: number;
  valueEnd: number;
  quoteStart: number;
  quoteEnd: number;
  analyteTok: number;
  continuation: boolean;
  /** Date stated by the value's table column (or row); otherwise the date binder decides. */
  date?: string;
  /** H, L, *, + … written with a table cell. */
  flag?: string;
  /** Read from a table cell. */
  table?: boolean;
}

const NOT_A_VALUE_AFTER = /^[\s:-]*(?:ratio|index|quotient|kinetics|doubling|halving|slope|velocity|verdopplungszeit|anstiegsgeschwindigkeit)\b/i;
/** A bare number followed by one of these is a duration, count or dose, never a lab value in an assumed unit. */
const NOT_A_BARE_VALUE = /^\s*(?:x\b|months?\b|mos?\b|weeks?\b|wks?\b|days?\b|years?\b|yrs?\b|hours?\b|hrs?\b|h\b|min(?:utes)?\b|cycles?\b|times\b|units?\b|tabs?\b|doses?\b|mal\b|monaten?\b|wochen?\b|tagen?\b|jahren?\b|stunden?\b|zyklen\b|zyklus\b|einheiten\b|EK\b|[-–]?\s*fach\b|%)/i;
/** Thresholds, not measurements: "if platelets drop below 75", "Thrombozyten unter 50". */
const THRESHOLD_BEFORE = /(?:below|above|under|over|less than|greater than|more than|at least|at most|unter|über|oberhalb|unterhalb|mindestens|höchstens|ab)\s*$/i;
const CHANGE_CUE = /\b(?:lost|loss|gain(?:ed)?|down|up|by|minus|plus|um|verlust|abnahme|zunahme|reduction|increase|decrease|change|drop|rise)\b/i;
/** "48 U/mL, down from 112 U/mL", "von 840 auf …": the earlier value of a change, not the amount of change. */
const FROM_EARLIER = /\b(?:from|von)\s*$/i;
const EARLIER_CUE = /\b(?:prev(?:ious(?:ly)?)?|prior|vorher|zuvor|was|war|vorwert|before|baseline)\b\.?\s*$/i;
/** "CA 125 (Vorwert 840 U/ml) aktuell 122 U/ml": the current value after an earlier one. */
const CURRENT_CUE = /\b(?:aktuell|jetzt|heute|now|currently|current|today)\b[\s:]*$/i;
const SERIES_STEP = /^\s*(?:[A-Za-zµμ/]+\s*)?(?:->|→|=>|to|auf|bis)\s*$/i;
const HARD_STOP = /[;|→]|->|\.\s+\p{Lu}/u;
const HEADER_UNIT = /\s*\(\s*([^()\d\s][^()]{0,12}?)\s*\)\s*:?/y;

interface Resolved { ucum: string; unitText?: string; end: number; normalized: number; assumed: boolean }

export class LabExtractor {
  private readonly out: LabValue[] = [];
  private readonly dateAt: Uint8Array;

  /** `owned`: spans the table reader has read (its rows and headers); analytes inside them are left to it. */
  constructor(private readonly a: NoteAnalysis, private readonly units: UnitConverter, private readonly owned: Array<[number, number]> = []) {
    this.dateAt = new Uint8Array(a.text.length + 1);
    for (const d of a.dates) this.dateAt.fill(1, d.start, d.end);
  }

  private isOwned(m: Match): boolean {
    return this.owned.some(([s, e]) => m.start >= s && m.start < e);
  }

  private inRange(concept: string, normalized: number): boolean {
    const r = this.units.rule(concept);
    return !!r && normalized >= r.range[0] && normalized <= r.range[1];
  }

  /** The unit after the number (or the header unit, or an assumed one) and the value in the preferred unit. */
  private resolveUnit(concept: string, n: ParsedNumber, headerUnit: string | null, requireUnit: boolean): Resolved | null {
    const written = this.units.parseAt(this.a.text, n.end);
    if (written) {
      const normalized = this.units.toPreferred(concept, n.value, written.ucum);
      return normalized !== null && this.inRange(concept, normalized) ? { ucum: written.ucum, unitText: written.text, end: written.end, normalized, assumed: false } : null;
    }
    if (n.comparator || (requireUnit && !headerUnit)) return null;
    if (!headerUnit && NOT_A_BARE_VALUE.test(this.a.text.slice(n.end, n.end + 12))) return null;
    const rule = this.units.rule(concept);
    const candidates = headerUnit ? [headerUnit] : rule?.assumeUnit ? [rule.unit, ...(rule.assumeAlternates ?? [])] : [];
    for (const ucum of candidates) {
      const normalized = this.units.toPreferred(concept, n.value, ucum);
      if (normalized !== null && this.inRange(concept, normalized)) return { ucum, end: n.end, normalized, assumed: !headerUnit };
    }
    return null;
  }

  /** Next number in [from, limit) that is not part of a date; words passed over are counted. */
  private nextNumber(from: number, limit: number): ParsedNumber | null {
    for (let i = from; i < limit; i++) {
      if (this.dateAt[i]) continue;
      const c = this.a.text[i];
      if (c < '0' || c > '9') continue;
      const start = this.comparatorStart(from, i);
      const n = parseNumberAt(this.a.text, start, this.a.language) ?? parseNumberAt(this.a.text, i, this.a.language);
      if (n && !this.dateAt[n.end - 1]) return n;
      while (i < limit && /[\d.,]/.test(this.a.text[i])) i++;
    }
    return null;
  }

  /** Where a comparator before the digits at `i` begins ("ANC >= 1.0", "<5"); arrows ("->", "=>") are not comparators. */
  private comparatorStart(from: number, i: number): number {
    const t = this.a.text;
    let j = i;
    while (j > from && t[j - 1] === ' ') j--;
    if (j - 2 >= from && t[j - 1] === '=' && /[<>]/.test(t[j - 2])) return j - 2;
    if (j - 1 >= from && /[<>≤≥]/.test(t[j - 1]) && !/[-=–]/.test(t[j - 2] ?? '')) return j - 1;
    return i;
  }

  private limitAfter(m: Match, next: Match | undefined): number {
    const nl = this.a.text.indexOf('\n', m.end);
    const lineEnd = nl < 0 ? this.a.text.length : nl;
    return Math.min(lineEnd, next ? next.start : lineEnd);
  }

  private gapOk(from: number, to: number): boolean {
    let gap = '';
    for (let i = from; i < to; i++) gap += this.dateAt[i] ? ' ' : this.a.text[i];
    return !HARD_STOP.test(gap) && (gap.match(/\p{L}{2,}/gu) ?? []).length <= 4;
  }

  private push(concept: string, m: Match, n: ParsedNumber, u: Resolved, quoteStart: number, continuation: boolean): void {
    this.out.push({
      concept, value: n.value, ...(n.comparator ? { comparator: n.comparator } : {}), ucum: u.ucum,
      ...(u.unitText ? { unitText: u.unitText } : {}), valueText: this.a.text.slice(n.numberStart, n.end).trim(),
      normalized: u.normalized, assumedUnit: u.assumed, valueStart: n.numberStart, valueEnd: u.end,
      quoteStart, quoteEnd: u.end, analyteTok: m.startTok, continuation,
    });
  }

  /** Further values of the same analyte on the line: each must carry its own date or an "earlier" cue. */
  private continuations(concept: string, m: Match, prevEnd: number, limit: number, headerUnit: string | null): void {
    for (let n = this.nextNumber(prevEnd, limit); n; n = this.nextNumber(prevEnd, limit)) {
      const between = this.a.text.slice(prevEnd, n.start);
      const dateBefore = this.a.dates.filter((d) => d.start >= prevEnd && d.end <= n.start).pop();
      const dateAfter = this.a.dates.find((d) => d.start >= n.end && d.start - n.end <= 14
        && /^[\s(]*(?:[A-Za-zµμ/^*0-9]+)?[\s(]*(?:on|am|vom)?[\s(]*$/i.test(this.a.text.slice(n.end, d.start)));
      // a bare number is a value only inside a dated series ("410 (Nov 2025) -> 220 (Dec 2025) -> ...")
      const dated = ((dateBefore || dateAfter) && /->|→|;|,/.test(between)) || SERIES_STEP.test(between);
      const u = n.high === undefined ? this.resolveUnit(concept, n, headerUnit, !dated) : null;
      prevEnd = u ? u.end : n.end;
      const fromEarlier = FROM_EARLIER.test(between);
      if (!u || (CHANGE_CUE.test(between) && !fromEarlier)) continue;
      // each further value needs its own date, an "earlier" cue, or a bare arrow/"from … to …" series
      if (!dateBefore && !dateAfter && !fromEarlier && !EARLIER_CUE.test(between) && !SERIES_STEP.test(between) && !CURRENT_CUE.test(between)) continue;
      const attached = dateBefore && /^[\s:=]*$/.test(this.a.text.slice(dateBefore.end, n.start));
      this.push(concept, m, n, u, attached && dateBefore ? dateBefore.start : n.numberStart, true);
    }
  }

  /** "CA 125 (U/ml):" at the end of a line, then one "date: value" per line below. */
  private lineSeries(concept: string, m: Match, lineEnd: number, headerUnit: string | null): void {
    let pos = lineEnd + 1;
    while (pos < this.a.text.length) {
      const nl = this.a.text.indexOf('\n', pos);
      const end = nl < 0 ? this.a.text.length : nl;
      const d = this.a.dates.find((x) => x.start >= pos && x.end <= end);
      if (!d || this.a.text.slice(pos, d.start).trim() !== '') return;
      const n = this.nextNumber(d.end, end);
      const u = n && this.resolveUnit(concept, n, headerUnit, headerUnit === null);
      if (!n || !u || !/^[\s:=-]*$/.test(this.a.text.slice(d.end, n.start)) || this.a.text.slice(u.end, end).trim() !== '') return;
      this.push(concept, m, n, u, d.start, true);
      pos = end + 1;
    }
  }

  private analyte(m: Match, next: Match | undefined): void {
    const entry = m.entries.find((e) => e.key !== '');
    if (!entry || NOT_A_VALUE_AFTER.test(this.a.text.slice(m.end, m.end + 20))) return;
    const concept = entry.key;
    const limit = this.limitAfter(m, next);
    HEADER_UNIT.lastIndex = m.end;
    const h = HEADER_UNIT.exec(this.a.text);
    const headerUnit = h ? this.units.lookup(h[1]) : null;
    const from = h && headerUnit ? m.end + h[0].length : m.end;
    const n = this.nextNumber(from, limit);
    if (!n) {
      if (headerUnit && this.a.text.slice(from, limit).trim() === '') this.lineSeries(concept, m, limit, headerUnit);
      return;
    }
    if (!this.gapOk(m.end, n.start) || n.high !== undefined || THRESHOLD_BEFORE.test(this.a.text.slice(m.end, n.start))) return;
    const u = this.resolveUnit(concept, n, headerUnit, entry.requireUnit === true);
    if (!u) return;
    this.push(concept, m, n, u, m.start, false);
    this.continuations(concept, m, u.end, limit, headerUnit);
  }

  /**
   * "mg" in "2.1 mg/dL" or "K" in "10 K/uL" is a unit, not an analyte (magnesium, potassium); a number on the line above
   * or the end of a date ("Collected 12/01/2026\nHb 9.6") is not a value the word could be the unit of.
   */
  private isUnit(m: Match): boolean {
    const before = /(\d)[ \t]*$/.exec(this.a.text.slice(Math.max(0, m.start - 3), m.start));
    const digitAt = before ? m.start - before[0].length : -1;
    return (before !== null && !this.dateAt[digitAt]) || this.a.text[m.end] === '/';
  }

  run(): LabValue[] {
    const analytes = this.a.matches.analyte.filter((m) => !this.isUnit(m));
    analytes.forEach((m, i) => { if (!this.isOwned(m)) this.analyte(m, analytes[i + 1]); });
    return this.out;
  }
}
