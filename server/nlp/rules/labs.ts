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
/** A bare number followed by one of these on its line is a duration, count or dose, never a lab value in an assumed unit ("h" is no "Hämoglobin"). */
const ORDINAL = /^(?:st|nd|rd|th)\b/;
const NOT_A_BARE_VALUE = /^[ \t]*(?:x(?![\p{L}\d])|months?(?![\p{L}\d])|mos?(?![\p{L}\d])|weeks?(?![\p{L}\d])|wks?(?![\p{L}\d])|days?(?![\p{L}\d])|years?(?![\p{L}\d])|yrs?(?![\p{L}\d])|hours?(?![\p{L}\d])|hrs?(?![\p{L}\d])|h(?![\p{L}\d])|min(?:utes)?(?![\p{L}\d])|cycles?(?![\p{L}\d])|times(?![\p{L}\d])|units?(?![\p{L}\d])|tabs?(?![\p{L}\d])|doses?(?![\p{L}\d])|mal(?![\p{L}\d])|monaten?(?![\p{L}\d])|wochen?(?![\p{L}\d])|tagen?(?![\p{L}\d])|jahren?(?![\p{L}\d])|stunden?(?![\p{L}\d])|zyklen(?![\p{L}\d])|zyklus(?![\p{L}\d])|einheiten(?![\p{L}\d])|EK(?![\p{L}\d])|[-–]?\s*fach(?![\p{L}\d])|%)/iu;
/** Thresholds, not measurements: "if platelets drop below 75", "Thrombozyten unter 50". */
const THRESHOLD_BEFORE = /(?:below|above|under|over|less than|greater than|more than|at least|at most|unter|über|oberhalb|unterhalb|mindestens|höchstens|ab)\s*$/i;
/**
 * "once Hb > 90 g/L", "bei Thrombozyten ≥ 100 G/l und Neutrophilen ≥ 1,5 G/l": a comparator value right after a
 * condition word (or joined to one by "and"/"oder") is a criterion of the plan, not a measurement.
 */
const CRITERION_BEFORE = /\b(?:if|once|until|unless|when|provided|bei|bis|falls|wenn|sofern|solange|sobald)\s+(?:[^\n.;:<>≤≥]{1,30}[<>≤≥]=?\s*[\d.,]+\s*[^\s,;]*\s+(?:and|or|und|oder|bzw\.?)\s+)?$/i;
/** "an Tag 8", "day 15", "Zyklus 4": the number after a day or cycle word counts days or cycles, never a further value. */
const COUNT_WORD_BEFORE = /\b(?:tag|tage|day|d|zyklus|cycle|c|woche|week|dosis|dose|grad|grade)\.?\s*$/i;
const CHANGE_CUE = /\b(?:lost|loss|gain(?:ed)?|down|up|by|minus|plus|um|verlust|abnahme|zunahme|reduction|increase|decrease|change|drop|rise)\b/i;
/** "48 U/mL, down from 112 U/mL", "von 840 auf …": the earlier value of a change, not the amount of change. */
const FROM_EARLIER = /\b(?:from|von)\s*$/i;
const EARLIER_CUE = /\b(?:prev(?:ious(?:ly)?)?|prior|vorher|zuvor|was|war|vorwert|before|baseline)\b\.?\s*$/i;
/** "CA 125 (Vorwert 840 U/ml) aktuell 122 U/ml": the current value after an earlier one. */
const CURRENT_CUE = /\b(?:aktuell|jetzt|heute|now|currently|current|today)\b[\s:]*$/i;
/** "74.6 kg … +3.6 kg": a signed number is a change, not a further measurement. */
const SIGNED = /[+±]\s*$/;
/** "(lt. Pat.)", "(stated)": a remark without digits between the analyte and its value. */
const REMARK = /\([^()\d]{1,24}\)/g;
/** "CA-125 at the GP on 20/01/2026 was 688 U/mL": a longer gap that ends in a linking verb still names the value. */
// "CA 125 der Probe vom 09.06. nachbestimmt am 10.06.: 188 kU/l": a label closed by a colon also names the value
const LINKED_END = /(?:\b(?:was|were|is|came back(?: at)?|measured|war|betrug|lag(?: bei)?|liegt(?: bei)?)\s*:?|[\p{L}.)]\s*:)\s*$/iu;
/** "wt down 3 kg", "Gewicht minus 2 kg": the amount of a change right after the analyte. */
const CHANGE_BEFORE = /\b(?:down|up|lost|gained|by|minus|plus|um)\s*$/i;
/** "weight loss", "Gewichtsabnahme": the analyte names a change of the measure. */
const CHANGE_NOUN_AFTER = /^[ \t-]*(?:loss|gain)\b/i;
const REDUCTION_AFTER = /^[ \t-]*reduction\b/i;
const CHANGE_NOUN_END = /(?:verlust|abnahme|zunahme|reduktion)$/i;
/** After a change noun only a bracket gives the measure itself ("Kein Gewichtsverlust (88 kg)", "weight gain (now 67 kg)"); "of 5 kg" is the change. */
const CHANGE_BRACKET = /^(?:[ \t-]*(?:loss|gain))?\s*\(\s*(?:(?:aktuell|jetzt|derzeit|heute|now|currently|current|today)\b[\s:]*)?$/i;
/** Between a value and its own date: its unit, a phase or occasion ("at C2", "bei C3", "at Christmas,") and "on"/"am"/"vom". */
const DATE_AFTER_GAP = /^[\s(]*(?:[A-Za-zµμ/^*0-9]+)?[\s(]*(?:(?:at|bei|vor|before|pre|post|nach|zu)[\s-]+[A-Za-z]{1,12}\s?\d{0,2}[\s,]+)?(?:on|am|vom)?[\s(]*$/i;
const CHANGE_TO = /^[ \t]*(?:auf|to|->|→)[ \t]*[<>]?[ \t]*\d/i;
const CHANGE_AMOUNT = /^[ \t-]*reduction\s+(?:of|by)\s*$/i;
const HEIGHT_AFTER = /[ \t]*(?:bei|at|and|und|,|\/)[ \t]*/y;
const SERIES_STEP = /^\s*(?:[A-Za-zµμ/]+\s*)?(?:->|→|=>|to|auf|bis)\s*$/i;
const HARD_STOP = /[;|→]|->|\.\s+\p{Lu}/u;
const CLOCK_BEFORE = /(?:^|[^\d:.])\d{1,2}:\d{2}[ \t]*$/;
const HEADER_UNIT = /\s*[([]\s*([^()[\]\d\s][^()[\]]{0,12}?)\s*[)\]]\s*:?/y;

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
      // "x10^9/L", "10**9/l": the exponent of a unit written beside the analyte is no value
      if (/[\^*]/.test(this.a.text[i - 1] ?? '')) { while (i < limit && /\d/.test(this.a.text[i + 1] ?? '')) i++; continue; }
      const start = this.comparatorStart(from, i);
      const n = parseNumberAt(this.a.text, start, this.a.language) ?? parseNumberAt(this.a.text, i, this.a.language);
      // "6/21" the date reader left alone is a day and month, not a value: pass over both numbers
      const fraction = n !== null && /^\/\d/.test(this.a.text.slice(n.end, n.end + 2));
      // "on the 3rd": an ordinal day
      // "10^9/l": the base of a unit's power
      const power = n !== null && /^\s*(?:\^|\*\*?)\s*\d/.test(this.a.text.slice(n.end, n.end + 4));
      if (n && !this.dateAt[n.end - 1] && !fraction && !power && !ORDINAL.test(this.a.text.slice(n.end, n.end + 3))) return n;
      while (i < limit && (/[\d.,]/.test(this.a.text[i]) || (fraction && this.a.text[i] === '/'))) i++;
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

  /** 'near': a few words between analyte and value; 'linked': more, ending in "was"/"betrug" (the value must then carry its unit). */
  private gapOf(from: number, to: number): 'near' | 'linked' | null {
    let gap = '';
    for (let i = from; i < to; i++) gap += this.dateAt[i] ? ' ' : this.a.text[i];
    gap = gap.replace(REMARK, ' ');
    if (HARD_STOP.test(gap)) return null;
    const words = (gap.match(/\p{L}{2,}/gu) ?? []).length;
    // "Kreatinin erhöht bei vorbekannter Niereninsuffizienz (Vorwert 1,09 mg/dl …)": an earlier value named by its cue
    return words <= 4 ? 'near' : words <= 8 && (LINKED_END.test(gap) || EARLIER_CUE.test(gap)) ? 'linked' : null;
  }

  /**
   * "… Hb 11,0 g/dl, Thrombo⏎231 /nl": a sentence wrapped right after the analyte goes on at the start of the next
   * line (not after a label colon, a full stop or a blank line, never into an aligned table row).
   */
  private wrappedLimit(from: number, lineEnd: number, next: Match | undefined): number {
    const t = this.a.text;
    if (t[lineEnd] !== '\n' || /[.:;!?]\s*$/.test(t.slice(from, lineEnd))) return lineEnd;
    const nl = t.indexOf('\n', lineEnd + 1);
    const end = nl < 0 ? t.length : nl;
    const line = t.slice(lineEnd + 1, end);
    if (!line.trim() || /\t| {3,}/.test(line.trim())) return lineEnd;
    // only the wrapped sentence: up to its full stop
    const stop = /[.;!?](?:\s|$)/.exec(line);
    const sentenceEnd = stop ? lineEnd + 1 + stop.index : end;
    return Math.min(sentenceEnd, next ? next.start : end);
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
      const dateAfter = this.a.dates.find((d) => d.start >= n.end && d.start - n.end <= 28 && DATE_AFTER_GAP.test(this.a.text.slice(n.end, d.start)));
      // a bare number is a value only inside a dated series ("410 (Nov 2025) -> 220 (Dec 2025) -> ...")
      // "Hgb 7.8 g/dL (was 9.9 on 8/21)": an earlier value with its own date may leave its unit to the first one
      // "Wt 61.2 kg (62.0 kg at C2 on 03/10)": a bracket opened by a value with its own date holds another reading
      const dated = ((dateBefore || dateAfter) && /->|→|;|,/.test(between)) || SERIES_STEP.test(between)
        || (!!dateAfter && (EARLIER_CUE.test(between) || /^\s*\(\s*$/.test(between)));
      const u = n.high === undefined ? this.resolveUnit(concept, n, headerUnit, !dated) : null;
      prevEnd = u ? u.end : n.end;
      const fromEarlier = FROM_EARLIER.test(between);
      if (!u || (CHANGE_CUE.test(between) && !fromEarlier) || SIGNED.test(between) || COUNT_WORD_BEFORE.test(between)) continue;
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
    let n = this.nextNumber(from, limit);
    if (!n && headerUnit && this.a.text.slice(from, limit).trim() === '') return this.lineSeries(concept, m, limit, headerUnit);
    const wrapped = !n && limit === this.a.text.indexOf('\n', m.end) ? this.wrappedLimit(m.end, limit, next) : limit;
    if (!n && wrapped > limit) n = this.nextNumber(limit, wrapped);
    // "Thrombozyten   150 - 400   /nl   198": on an aligned line the reference range may stand before the value
    if (n && n.high !== undefined && /^[ \t]{2,}\S/.test(this.a.text.slice(n.end, n.end + 12))) n = this.nextNumber(n.end, limit);
    if (!n) return;
    const gap = this.gapOf(m.end, n.start);
    const before = this.a.text.slice(m.end, n.start);
    // "Krea-Anstieg (+32 µmol/l über 3 Wochen)": a signed number is the change, not the level
    if (!gap || n.high !== undefined || THRESHOLD_BEFORE.test(before) || CHANGE_BEFORE.test(before) || SIGNED.test(before)) return;
    // "Gewichtsverlust", "weight loss/gain" name the change: only a bracket ("(aktuell 58 kg)") holds the weight, "weight
    // loss 3 kg" / "of 5 kg" is the amount; "platelet reduction by 40" is an amount, "reduction to 95" still the level
    const after = this.a.text.slice(m.end, m.end + 14);
    if ((CHANGE_NOUN_END.test(this.a.text.slice(m.start, m.end)) || CHANGE_NOUN_AFTER.test(after)) && !CHANGE_BRACKET.test(before)) return;
    if (REDUCTION_AFTER.test(after) && CHANGE_AMOUNT.test(before)) return;
    if (n.comparator && CRITERION_BEFORE.test(this.a.text.slice(Math.max(0, m.start - 80), m.start))) return;
    // "…, neutrophils⏎  1.7, platelets 148": a name ending its line, its number opening the next, is a wrapped list item
    const wrappedItem = wrapped > limit && this.a.text.slice(m.end, limit).trim() === '' && this.a.text.slice(limit, n.start).trim() === '';
    const u = this.resolveUnit(concept, n, headerUnit, entry.requireUnit === true || gap === 'linked' || (wrapped > limit && !wrappedItem));
    if (!u) return;
    // "CEA-Anstieg (von 2,4 auf 9,8 ng/ml am 20.10.)": when the change is dated at its end, its undated start is no reading
    // of that day nor of the note's; "von 412 auf 97 U/ml" (no date) stays a series of two
    const changeStart = FROM_EARLIER.test(before) && CHANGE_TO.test(this.a.text.slice(u.end, u.end + 12))
      && this.a.dates.some((d) => d.start > u.end && d.start - u.end <= 36 && !/[;.]\s/.test(this.a.text.slice(u.end, d.start)));
    if (!changeStart) this.push(concept, m, n, u, m.start, false);
    if (concept === 'body_weight') this.heightAfterWeight(m, u.end);
    // a series wrapped onto the next line ("612 U/mL pre-op (12/29/2025),⏎98 on 02/16/2026") goes on there
    const seriesEnd = wrapped > limit ? wrapped : limit === this.a.text.indexOf('\n', u.end) ? this.wrappedLimit(u.end, limit, next) : limit;
    this.continuations(concept, m, u.end, Math.max(limit, seriesEnd), headerUnit);
  }

  /** "Gewicht 88 kg bei 162 cm", "wt 64 kg / 1.68 m": the height written right after the weight. */
  private heightAfterWeight(m: Match, from: number): void {
    HEIGHT_AFTER.lastIndex = from;
    const link = HEIGHT_AFTER.exec(this.a.text);
    const n = link && parseNumberAt(this.a.text, from + link[0].length, this.a.language);
    const unit = n && n.high === undefined ? this.units.parseAt(this.a.text, n.end) : null;
    if (!n || !unit || (unit.ucum !== 'cm' && unit.ucum !== 'm')) return;
    const normalized = this.units.toPreferred('body_height', n.value, unit.ucum);
    if (normalized === null || !this.inRange('body_height', normalized)) return;
    this.push('body_height', m, n, { ucum: unit.ucum, unitText: unit.text, end: unit.end, normalized, assumed: false }, n.numberStart, true);
  }

  /**
   * "mg" in "2.1 mg/dL" or "K" in "10 K/uL" is a unit, not an analyte (magnesium, potassium); a number on the line above
   * or the end of a date ("Collected 12/01/2026\nHb 9.6") is not a value the word could be the unit of.
   */
  private isUnit(m: Match): boolean {
    const before = /(\d)[ \t]*$/.exec(this.a.text.slice(Math.max(0, m.start - 3), m.start));
    const digitAt = before ? m.start - before[0].length : -1;
    // a clock time ("19:30 Hb 8,8 g/dl" in a nursing log) is no number the word could be the unit of
    const clock = before !== null && CLOCK_BEFORE.test(this.a.text.slice(Math.max(0, m.start - 8), m.start));
    return (before !== null && !this.dateAt[digitAt] && !clock) || this.a.text[m.end] === '/';
  }

  run(): LabValue[] {
    const analytes = this.a.matches.analyte.filter((m) => !this.isUnit(m));
    analytes.forEach((m, i) => { if (!this.isOwned(m)) this.analyte(m, analytes[i + 1]); });
    return this.out;
  }
}
