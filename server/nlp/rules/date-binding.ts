/** Binds each measured value to the nearest date that belongs to it (clause, bracket, line header, block header). */
import type { DateMention } from '../text/dates';
import { sentenceIndexAt } from '../text/segments';
import type { NoteAnalysis } from './analysis';

export interface ValueSpan {
  start: number;
  end: number;
}

/** A date of birth ("geb. 11.11.1957", "DOB 02/09/1961") dates the patient, never a measurement. */
const BIRTH_LEAD = /(?:\bgeb\.?|\bgeboren(?:\s+am)?|\bGeburtsdatum|\bDOB|\bD\.O\.B\.?|\bdate of birth|\bborn(?:\s+on)?)\s*[:.]?\s*$/i;

/** A date labelled as the sampling date on a header line that also carries a report or receipt date. */
const COLLECTED = /(?:collected|collection|drawn|sampled|sample|specimen|taken|entnahme|entnommen|abnahme|abgenommen)\b[^\d\n|;]{0,20}$/i;

/** Clause separators inside a sentence: series are written "date value; date value" or "value -> value". */
const CLAUSE_BREAK = /;|->|→|\|/g;

export class DateBinder {
  private readonly parens: Array<[number, number]> = [];
  private readonly dates: DateMention[];

  constructor(private readonly a: NoteAnalysis, private readonly values: ValueSpan[]) {
    this.dates = a.dates.filter((d) => !BIRTH_LEAD.test(a.text.slice(Math.max(0, d.start - 24), d.start)));
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
      return /^\s*(?:on|am|vom|from|dated|at|\()?\s*\(?\s*$/i.test(gap) ? 0 : gap.length;
    }
    return 0;
  }

  private nearest(v: ValueSpan, dates: DateMention[]): string | undefined {
    let best: DateMention | undefined;
    let bestDist = Infinity;
    for (const d of dates) {
      const dist = this.distance(v, d);
      if (dist < bestDist) { best = d; bestDist = dist; }
    }
    return best?.iso;
  }

  private lineBounds(pos: number): [number, number] {
    const start = this.a.text.lastIndexOf('\n', pos - 1) + 1;
    const nl = this.a.text.indexOf('\n', pos);
    return [start, nl < 0 ? this.a.text.length : nl];
  }

  /** A header line above the value in the same paragraph: "Labs 09-03-2026:", "Collected 02-Mar-2026 07:52". */
  private blockDate(pos: number): string | undefined {
    let [start] = this.lineBounds(pos);
    for (let guard = 0; start > 0 && guard < 40; guard++) {
      const [ls, le] = this.lineBounds(start - 1);
      const line = this.a.text.slice(ls, le);
      // one blank line under a dated heading that ends with a colon ("Bloods 12 Jan 2026:") still belongs to it
      if (line.trim() === '') return ls > 0 ? this.colonHeading(ls - 1) : undefined;
      const dates = this.dates.filter((d) => d.start >= ls && d.end <= le);
      const hasValue = this.values.some((v) => v.start >= ls && v.end <= le);
      if (dates.length && !hasValue) {
        let rest = line;
        for (const d of [...dates].reverse()) rest = rest.slice(0, d.start - ls) + rest.slice(d.end - ls);
        rest = rest.replace(/\d{1,2}:\d{2}/g, '').replace(/\s+/g, ' ').trim();
        // a header line, not a list item or a sentence with numbers of its own
        const header = !/^\s*(?:[-•*·▪]|\d{1,2}[.)])\s/.test(line)
          && (line.trimEnd().endsWith(':') || (rest.length <= 40 && !/(?<![\p{L}\d.,-])\d/u.test(rest)));
        // "Collected 12/01 08:10, reported 13/01": the sampling date is the value's date, not the report's
        if (header) return (dates.find((d) => COLLECTED.test(this.a.text.slice(Math.max(ls, d.start - 32), d.start))) ?? dates[dates.length - 1]).iso;
      }
      start = ls;
    }
    return undefined;
  }

  /** The date of the line ending at `pos` when it is a heading with a date, no value, and a closing colon. */
  private colonHeading(pos: number): string | undefined {
    const [ls, le] = this.lineBounds(pos);
    const line = this.a.text.slice(ls, le);
    if (!line.trimEnd().endsWith(':') || this.values.some((v) => v.start >= ls && v.end <= le)) return undefined;
    const dates = this.dates.filter((d) => d.start >= ls && d.end <= le);
    return dates.length ? dates[dates.length - 1].iso : undefined;
  }

  /** The date of a value, or undefined when the note gives none (the caller then uses the document date). */
  bind(v: ValueSpan): string | undefined {
    const si = sentenceIndexAt(this.a.sentences, v.start);
    const [ss, se] = si >= 0 ? [this.a.sentences[si].start, this.a.sentences[si].end] : this.lineBounds(v.start);
    const inSentence = this.dates.filter((d) => d.start >= ss && d.end <= se);
    const group = this.groupOf(v.start);
    if (group) {
      const inside = this.nearest(v, inSentence.filter((d) => d.start > group[0] && d.end < group[1]));
      if (inside) return inside;
    }
    const usable = inSentence.filter((d) => {
      const g = this.groupOf(d.start);
      return !g || (group && g[0] === group[0]) || !this.hasOtherValue(g, v);
    });
    const [cs, ce] = this.clauseOf(v.start, ss, se);
    const inClause = this.nearest(v, usable.filter((d) => d.start >= cs && d.end <= ce));
    if (inClause) return inClause;
    const before = this.nearest(v, usable.filter((d) => d.end <= v.start && this.clauseValues(d.end, v.start, v) === 0));
    return before ?? this.lineLabelDate(v) ?? this.blockDate(v.start);
  }

  /** "Labs 4/6/2026: WBC 8.8, … CA-125 3,412 U/mL": a dated label at the start of the value's line covers the line. */
  private lineLabelDate(v: ValueSpan): string | undefined {
    const [ls] = this.lineBounds(v.start);
    const onLine = this.dates.filter((d) => d.start >= ls && d.end <= v.start && !this.groupOf(d.start));
    const label = onLine[onLine.length - 1];
    if (!label || !/^\s*:/.test(this.a.text.slice(label.end, label.end + 3))) return undefined;
    // only a label that opens the line: a few words, no value of its own before it
    const lead = this.a.text.slice(ls, label.start);
    return lead.length <= 40 && !/\d/.test(lead) ? label.iso : undefined;
  }

  /** Number of other values strictly between two offsets (a header date binds only across no other series). */
  private clauseValues(from: number, to: number, self: ValueSpan): number {
    if (!/;|->|→|\|/.test(this.a.text.slice(from, to))) return 0;
    return this.values.filter((x) => x !== self && x.start >= from && x.end <= to).length;
  }
}
