/** Binds each measured value to the nearest date that belongs to it (clause, bracket, line header, block header). */
import type { DateMention } from '../text/dates';
import { sentenceIndexAt } from '../text/segments';
import type { NoteAnalysis } from './analysis';
import { bindableDates, COLLECTED, DISTRIBUTIVE_BRACKET, EARLIER_BRACKET, fieldLabel, REPORTED, reportHeaderDate } from './date-cues';

export interface ValueSpan {
  start: number;
  end: number;
  /** The measured concept: a date attached to an earlier value of the same concept is that value's. */
  concept?: string;
  /** Where the value's analyte is named (a line wrapped between name and value: "Thrombozyten⏎301 Tsd/µl"). */
  analyteStart?: number;
  /** A cell of a table: an undated table takes the sampling or receipt date of the report header above it. */
  table?: boolean;
}

const LAB_HEADING = /\b(?:labor(?:werte|befund)?|labs?|laboratory|bloods?|blutwerte|blutbild|chemistry|haematology|hematology|hämatologie)\b/i;

/** Clause separators inside a sentence: series are written "date value; date value" or "value -> value". */
const CLAUSE_BREAK = /;|->|→|\|/g;

export class DateBinder {
  private readonly parens: Array<[number, number]> = [];
  private readonly dates: DateMention[];
  /** The day the note says the patient was seen, when it is not the document's date. */
  private readonly encounter: string | undefined;

  /** `bodyMeasures`: concepts measured at the visit (weight, height, BMI), never dated by a lab section above them. */
  constructor(private readonly a: NoteAnalysis, private readonly values: ValueSpan[], private readonly bodyMeasures: ReadonlySet<string> = new Set()) {
    const usable = bindableDates(a.text, a.dates, a.documentDate);
    this.dates = usable.dates;
    this.encounter = usable.encounter;
    const stack: number[] = [];
    for (let i = 0; i < a.text.length; i++) {
      const c = a.text[i];
      if (c === '(') stack.push(i);
      else if (c === ')' && stack.length) this.parens.push([stack.pop() as number, i + 1]);
      else if (c === '\n' && stack.length > 3) stack.length = 0; // unbalanced brackets never span paragraphs
    }
  }

  private groupOf(pos: number): [number, number] | null {
    let best: [number, number] | null = null;
    for (const g of this.parens) if (g[0] < pos && pos < g[1] && (!best || g[0] > best[0])) best = g;
    return best;
  }

  private hasOtherValue(g: [number, number], self: ValueSpan): boolean {
    return this.values.some((v) => v !== self && v.start > g[0] && v.end <= g[1] && !(v.start === self.start && v.end === self.end));
  }

  private clauseOf(pos: number, from: number, to: number): [number, number] {
    let start = from;
    let end = to;
    const part = this.a.text.slice(from, to);
    for (const m of part.matchAll(CLAUSE_BREAK)) {
      const at = from + m.index;
      if (at < pos) start = at + m[0].length;
      else if (at >= pos && end === to) end = at;
    }
    return [start, end];
  }

  /** Characters between value and date, 0 when the date is attached ("1.0 mg/dL on 26/02", "12-Jun-2025 18 U/mL"). */
  private distance(v: ValueSpan, d: DateMention): number {
    if (d.end <= v.start) {
      const gap = this.a.text.slice(d.end, v.start);
      return /^[\s:=]*$/.test(gap) ? 0 : gap.length;
    }
    if (d.start >= v.end) {
      const gap = this.a.text.slice(v.end, d.start);
      return /^\s*(?:on|am|vom|from|dated|at|in|im|\()?\s*\(?\s*$/i.test(gap) ? 0 : gap.length;
    }
    return 0;
  }

  private nearest(v: ValueSpan, dates: DateMention[]): string | undefined {
    let best: DateMention | undefined;
    let bestDist = Infinity;
    for (const d of dates) {
      const dist = this.distance(v, d);
      // at equal distance a written date beats a phrase that stands for one ("bei Entlassung 9,4 g/dl (03.11.)")
      if (dist < bestDist || (dist === bestDist && best?.anchor && !d.anchor)) { best = d; bestDist = dist; }
    }
    return best?.iso;
  }

  private lineBounds(pos: number): [number, number] {
    const start = this.a.text.lastIndexOf('\n', pos - 1) + 1;
    const nl = this.a.text.indexOf('\n', pos);
    return [start, nl < 0 ? this.a.text.length : nl];
  }

  /** A header line above the value in the same paragraph: "Labs 09-03-2026:", "Collected 02-Mar-2026 07:52". */
  private blockDate(pos: number, body = false): string | undefined {
    let [start] = this.lineBounds(pos);
    let reported: string | undefined;
    // a heading covers the lines indented as far as or further than it: "Vitals:" at the margin leaves an indented block
    let indent = this.indentAt(start);
    for (let guard = 0; start > 0 && guard < 40; guard++) {
      const [ls, le] = this.lineBounds(start - 1);
      const line = this.a.text.slice(ls, le);
      // one blank line under a dated heading that ends with a colon ("Bloods 12 Jan 2026:") still belongs to it
      if (line.trim() === '') return (ls > 0 ? this.colonHeading(ls - 1) : undefined) ?? reported;
      const dates = this.dates.filter((d) => d.start >= ls && d.end <= le);
      const hasValue = this.values.some((v) => v.start >= ls && v.end <= le);
      const lineIndent = this.indentAt(ls);
      if (dates.length && !hasValue && lineIndent <= indent) {
        let rest = line;
        // every date leaves the line, a birth date too ("Pat.: …, geb. 07.02.1950   Eingang: 17.06.2026")
        for (const d of this.a.dates.filter((x) => x.start >= ls && x.end <= le).reverse()) rest = rest.slice(0, d.start - ls) + rest.slice(d.end - ls);
        rest = rest.replace(/\d{1,2}:\d{2}/g, '').replace(/\s+/g, ' ').trim();
        // a header line, not a list item or a sentence with numbers of its own
        // "CT vom 10.03.: keine Metastasen." is a finding stated in a sentence, not a heading over the lines below
        const sentence = /\.\s*$/.test(line) && dates[dates.length - 1].end < ls + line.trimEnd().length - 1;
        const header = !sentence && !/^\s*(?:[-•*·▪]|\d{1,2}[.)])\s/.test(line)
          && (line.trimEnd().endsWith(':') || dates.some((d) => fieldLabel(this.a.text, ls, d)) || (rest.length <= 40 && !/(?<![\p{L}\d.,-])\d/u.test(rest)));
        // "Collected 12/01 08:10, reported 13/01": the sampling date is the value's date, not the report's
        // weight and height are taken at the visit: a lab heading above them ("Labor bei Entlassung (08.10.):") dates only the labs
        if (header && body && LAB_HEADING.test(line)) return undefined;
        if (header) {
          const collected = dates.find((d) => COLLECTED.test(this.a.text.slice(Math.max(ls, d.start - 32), d.start)));
          if (collected) return collected.iso;
          // "Printed 18/03/2026" under "Collected 12/03/2026": a report date yields to a sampling date above it
          const last = dates[dates.length - 1];
          if (!REPORTED.test(this.a.text.slice(Math.max(ls, last.start - 32), last.start))) return last.iso;
          reported ??= last.iso;
        }
      }
      indent = Math.min(indent, lineIndent);
      start = ls;
    }
    return reported;
  }

  private indentAt(lineStart: number): number {
    return /^[ \t]*/.exec(this.a.text.slice(lineStart, lineStart + 40))?.[0].length ?? 0;
  }

  /**
   * The date of the line ending at `pos` when it is a heading with a date and no value: closed by a colon, or labelling
   * the sampling date ("LABORATORY RESULTS (collected 03/12/2026)") — either says the block below is of that date.
   */
  private colonHeading(pos: number): string | undefined {
    const [ls, le] = this.lineBounds(pos);
    const line = this.a.text.slice(ls, le);
    if (this.values.some((v) => v.start >= ls && v.end <= le)) return undefined;
    const dates = this.dates.filter((d) => d.start >= ls && d.end <= le);
    if (line.trimEnd().endsWith(':')) return dates.length ? dates[dates.length - 1].iso : undefined;
    return dates.find((d) => COLLECTED.test(this.a.text.slice(Math.max(ls, d.start - 32), d.start)))?.iso;
  }

  /** The date of a value, or undefined when the note gives none (the caller then uses the document date). */
  bind(v: ValueSpan, depth = 0): string | undefined {
    const si = sentenceIndexAt(this.a.sentences, v.start);
    const [ss, se] = si >= 0 ? [this.a.sentences[si].start, this.a.sentences[si].end] : this.lineBounds(v.start);
    const inSentence = this.dates.filter((d) => d.start >= ss && d.end <= se);
    const group = this.groupOf(v.start);
    if (group) {
      // "(aktuell 58 kg, vor 3 Monaten 64 kg)": inside a bracket too, a date opening the next value is that value's
      const inside = this.nearest(v, inSentence.filter((d) => d.start > group[0] && d.end < group[1] && !this.ownedByEarlier(v, d) && !this.opensLater(v, d)));
      if (inside) return inside;
    }
    const usable = inSentence.filter((d) => {
      const g = this.groupOf(d.start);
      if (g && !(group && g[0] === group[0]) && !this.bracketDates(g, v)) return false;
      return !this.earlierValueBetween(v, d) && !this.ownedByEarlier(v, d) && !this.opensLater(v, d);
    });
    const [cs, ce] = this.clauseOf(v.start, ss, se);
    // a month after the value ("HTN, PE in March 2026") dates it only when attached ("was 0 two months ago")
    const inClause = this.nearest(v, this.samplingFirst(usable.filter((d) => d.start >= cs && d.end <= ce && (d.iso.length === 10 || d.end <= v.start || this.distance(v, d) === 0))));
    if (inClause) return inClause;
    // across a clause break only a day dates a value: "Rezidiv 03/2026; … (BMI 31)" dates the relapse
    const before = this.nearest(v, usable.filter((d) => d.end <= v.start && this.clauseValues(d.end, v.start, v) === 0
      && (d.iso.length === 10 || d.start >= cs)));
    return before ?? this.attachedBefore(v) ?? this.lineLabelDate(v) ?? this.continuedLine(v, depth) ?? this.sectionLabel(v)
      ?? this.blockDate(v.start, v.concept !== undefined && this.bodyMeasures.has(v.concept)) ?? (v.table ? reportHeaderDate(this.a.text, this.dates, this.values, v.start) : undefined) ?? this.lineOpening(v) ?? this.encounter;
  }

  /** "Update 03:10 15/05 (…): CTPA … Repeat creat 118 umol/L": a dated word opening the line dates its later sentences. */
  private lineOpening(v: ValueSpan): string | undefined {
    const [ls] = this.lineBounds(v.start);
    const d = this.dates.find((x) => x.start >= ls && x.end <= v.start);
    // a written date closing a label ("Update 15/05 (…):", "Nachtrag 16.03.:"), never a phrase standing for one ("Gewicht bei Aufnahme")
    return d && !d.anchor && d.iso.length === 10 && /^[ \t]*\p{L}{2,14}(?:[ \t]+\d{1,2}:\d{2})?[ \t]*$/u.test(this.a.text.slice(ls, d.start))
      && /^[ \t]*[(:]/.test(this.a.text.slice(d.end, d.end + 3)) ? d.iso : undefined;
  }

  /**
   * A bracket outside the value dates it when it labels what follows or closes the list of values the value starts,
   * holds no other value, and is not about an earlier value; "ECOG 0. Kein Aszites in der Sono (12.11.)" dates the Sono.
   */
  private bracketDates(g: [number, number], v: ValueSpan): boolean {
    if (this.hasOtherValue(g, v) || EARLIER_BRACKET.test(this.a.text.slice(g[0], g[1]))) return false;
    if (DISTRIBUTIVE_BRACKET.test(this.a.text.slice(g[0], g[1]))) return true;
    // a flag or one short word may stand between ("612 U/mL pre-op (12/29/2025)")
    const attached = (x: ValueSpan): boolean => /^\s*(?:\(?[HLhl*+-]{1,2}\)?\s*)?(?:\p{L}[\p{L}-]{1,11}\s*)?$/u.test(this.a.text.slice(x.end, g[0]));
    // "CA-125 1.245 U/ml (08.01.2026), HE4 612 pmol/l": a bracket attached to an earlier value is that value's alone
    if (g[1] <= v.start) return !this.values.some((x) => x.end <= g[0] && attached(x));
    // a bracket right after the last value of a list ("CA-125 2,980 U/mL, CEA 3.1 ng/mL (02/02/2026)") dates the list
    const last = this.values.filter((x) => x.end <= g[0] && x.start >= v.start).pop();
    return !!last && attached(last);
  }

  /** "Kreatinin 1,3 mg/dl am 26.10., zuletzt 0,9 mg/dl": a date written right after a value of the same concept is that value's. */
  private ownedByEarlier(v: ValueSpan, d: DateMention): boolean {
    if (!v.concept || this.distance(v, d) === 0) return false;
    // "61,5 kg (vor 4 Wochen noch 64 kg)": a date in the value's own bracket is not a value's outside it
    const g = this.groupOf(d.start);
    const ownBracket = (x: ValueSpan): boolean => !!g && g[0] < v.start && v.end <= g[1] && !(g[0] < x.start && x.end <= g[1]);
    return this.values.some((x) => x.concept === v.concept && x.end <= d.start && !(x.start === v.start && x.end === v.end)
      && !ownBracket(x) && this.distance(x, d) === 0);
  }

  /** "Am 12.03. lag das Hb bei 9,6 g/dl, am 16.03. bei 9,1 g/dl": a date after a comma that opens the next value of the concept is that value's. */
  private opensLater(v: ValueSpan, d: DateMention): boolean {
    if (!v.concept || d.start < v.end || !/[,;]/.test(this.a.text.slice(v.end, d.start))) return false;
    return this.values.some((x) => x.concept === v.concept && x.start >= d.end && x.start - d.end <= 30 && !/[,;.]/.test(this.a.text.slice(d.end, x.start)));
  }

  /** A line that continues the list of the line above ("…, Plt 162,\n  WBC 3.8"): dated as that line's last value. */
  private continuedLine(v: ValueSpan, depth: number): string | undefined {
    const [ls] = this.lineBounds(v.start);
    if (ls === 0 || depth > 3) return undefined;
    // "…, Thrombozyten⏎301 Tsd/µl, Kreatinin …": a line whose first value is named on the line above continues it
    const wrapped = this.values.some((x) => x.start >= ls && x.analyteStart !== undefined && x.analyteStart < ls && x.analyteStart >= ls - 80);
    // a performance score is the clinician's at the visit, never a line of lab values continued
    if ((wrapped && !this.isLab(v)) || v.concept === undefined) return undefined;
    if (!wrapped && !/[,;]\s*$/.test(this.a.text.slice(Math.max(0, ls - 3), ls - 1))) return undefined;
    const [ps] = this.lineBounds(ls - 1);
    // "(Vorwert 0,94 mg/dl am 15.01.2026)," closes the line with an earlier value: the list goes on from the value before it
    const prev = this.values.filter((x) => x.start >= ps && x.end < ls && !this.inEarlierBracket(x)).pop();
    return prev ? this.bind(prev, depth + 1) : undefined;
  }

  /**
   * "CA-125 48 U/mL, down from 112 U/mL on Dec 15", "Hb 9.6 compared with 11.0 on 2 Mar": another value of the same
   * concept between the value and the date is the one the date belongs to.
   */
  private earlierValueBetween(v: ValueSpan, d: DateMention): boolean {
    if (!v.concept) return false;
    const [from, to] = d.start >= v.end ? [v.end, d.start] : [d.end, v.start];
    return this.values.some((x) => x.concept === v.concept && x.start >= from && x.end <= to && !(x.start === v.start && x.end === v.end));
  }

  /**
   * "Hb am 12.03. 9,6 g/dl", "Am 16.03. Hb 9,1 g/dl": a date right before the value on its line, or opening the line
   * before the analyte's name, even where the date's dot ended the sentence.
   */
  private attachedBefore(v: ValueSpan): string | undefined {
    const [ls] = this.lineBounds(v.start);
    const d = this.dates.filter((x) => x.start >= ls && x.end <= v.start).pop();
    if (!d) return this.closingLineAbove(v, ls);
    const gap = this.a.text.slice(d.end, v.start);
    if (/^[ \t:=]*$/.test(gap)) return d.iso;
    const opensLine = /^\s*(?:am|on|vom|from)?\s*$/i.test(this.a.text.slice(ls, d.start));
    return opensLine && gap.length <= 24 && /^[ \t:]*[\p{L}][\p{L}\d \t/-]*[ \t:]*$/u.test(gap) ? d.iso : undefined;
  }

  /** "Vorwert vor Zyklus 1 (10.02.2025)⏎1'020 kU/l": a date closing the line above dates the value opening this one. */
  private closingLineAbove(v: ValueSpan, ls: number): string | undefined {
    if (ls === 0 || this.a.text.slice(ls, v.start).trim() !== '') return undefined;
    const [ps] = this.lineBounds(ls - 1);
    const d = this.dates.filter((x) => x.start >= ps && x.end < ls).pop();
    return d && /^\)?\s*$/.test(this.a.text.slice(d.end, ls)) && !this.values.some((x) => x.start >= d.end && x.end < ls) ? d.iso : undefined;
  }

  /** "HE-4 vom 20.01. nachgereicht: 219 pmol/l (Befund vom 23.01.2026)": a report date yields to the sampling date beside it. */
  private samplingFirst(dates: DateMention[]): DateMention[] {
    const label = dates.map((d) => fieldLabel(this.a.text, this.lineBounds(d.start)[0], d));
    // "der Probe vom 09.06. nachbestimmt am 10.06.": a date labelled as the sampling date wins over any other
    const collected = dates.filter((_, i) => label[i] === 'collected');
    if (collected.length) return collected;
    const sampled = dates.filter((_, i) => label[i] !== 'reported');
    return sampled.length ? sampled : dates;
  }

  private inEarlierBracket(x: ValueSpan): boolean {
    const g = this.groupOf(x.start);
    return !!g && EARLIER_BRACKET.test(this.a.text.slice(g[0], g[1]));
  }

  /**
   * "Labs 11/02/2026: CA-125 14 U/mL (…). CBC normal:⏎Hgb 13.1 g/dL": a line opened by a dated label (a full day)
   * covers the lines below it in its paragraph; a dated line without such a label above is left to blockDate.
   */
  private sectionLabel(v: ValueSpan): string | undefined {
    if (!this.isLab(v)) return undefined;
    let [ls] = this.lineBounds(v.start);
    for (let guard = 0; ls > 0 && guard < 12; guard++) {
      const [ps, pe] = this.lineBounds(ls - 1);
      if (this.a.text.slice(ps, pe).trim() === '') return undefined;
      const label = this.lineLabel(ps, pe, true);
      if (label) return label.length === 10 ? label : undefined;
      if (this.dates.some((d) => d.start >= ps && d.end <= pe)) return undefined;
      ls = ps;
    }
    return undefined;
  }

  /** "Labs 4/6/2026: WBC 8.8, … CA-125 3,412 U/mL": a dated label at the start of the value's line covers the line. */
  private lineLabelDate(v: ValueSpan): string | undefined {
    return this.lineLabel(this.lineBounds(v.start)[0], v.start);
  }

  /** The date of a label opening the line at `ls` ("Labor vom 02.10.2025:"), looking at the line up to `upTo`. */
  private isLab(v: ValueSpan): boolean {
    return v.concept !== undefined && !this.bodyMeasures.has(v.concept);
  }

  /**
   * The date of a label opening the line at `ls` ("Labor vom 02.10.2025:"), looking at the line up to `upTo`. A section
   * label has values after it and is no analyte's own ("CA-125 6/21: 1,266 U/mL"; "CT 03.02.2026: zwei Herde" has none).
   */
  private lineLabel(ls: number, upTo: number, section = false): string | undefined {
    // "Vorwerte (extern, 14.10.2026): Leukozyten 6,2 G/l; Hb 12,4 g/dl": a bracket closing the label counts as the label
    const onLine = this.dates.filter((d) => d.start >= ls && d.end <= upTo && (!this.groupOf(d.start) || /^\s*\)\s*:/.test(this.a.text.slice(d.end, d.end + 4))));
    const label = onLine[onLine.length - 1];
    if (!label || !/^\s*\)?\s*:/.test(this.a.text.slice(label.end, label.end + 4))) return undefined;
    // only a label that opens the line: a few words, no value of its own before it
    const lead = this.a.text.slice(ls, label.start);
    // analyte names have digits of their own ("CA-125 (20.01.2026): 41 U/ml; HE4: 58"): a number that is a value does not open a label
    if (lead.length > 40 || this.values.some((x) => x.start >= ls && x.end <= label.start) || /\d[.,]\d|\d\s*[:=]/.test(lead)) return undefined;
    const after = this.values.filter((x) => x.start >= label.end && x.end <= upTo);
    if (section && (!after.length || after.some((x) => x.analyteStart !== undefined && x.analyteStart < label.start))) return undefined;
    return label.iso;
  }

  /** Number of other values strictly between two offsets (a header date binds only across no other series). */
  private clauseValues(from: number, to: number, self: ValueSpan): number {
    if (!/;|->|→|\|/.test(this.a.text.slice(from, to))) return 0;
    return this.values.filter((x) => x !== self && x.start >= from && x.end <= to).length;
  }
}
