/** Splits a note into runs of text covered by the same evidence spans, so overlapping highlights stay exact. Pure. */

export interface Span {
  start: number;
  end: number;
  /** Finding reference, e.g. `Condition/1`. */
  id: string;
}

export interface Segment {
  start: number;
  end: number;
  /** Findings whose span covers this run (empty: plain text). */
  ids: string[];
}

/** Where an evidence quote sits in the text: at its offset, or (offset stale) at the nearest occurrence. */
export interface Located {
  start: number;
  end: number;
  /** False when the quote was not at its stated offset and was found elsewhere. */
  exact: boolean;
}

export function locateQuote(text: string, quote: string, offset: number, length: number): Located | null {
  if (offset >= 0 && text.slice(offset, offset + length) === quote) return { start: offset, end: offset + length, exact: true };
  if (!quote) return null;
  let best = -1;
  for (let i = text.indexOf(quote); i >= 0; i = text.indexOf(quote, i + 1)) {
    if (best < 0 || Math.abs(i - offset) < Math.abs(best - offset)) best = i;
  }
  return best < 0 ? null : { start: best, end: best + quote.length, exact: false };
}

export function segmentText(length: number, spans: Span[]): Segment[] {
  const valid = spans.filter((s) => s.start >= 0 && s.end <= length && s.start < s.end);
  const cuts = new Set<number>([0, length]);
  for (const s of valid) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i], points[i + 1]];
    const ids = valid.filter((s) => s.start <= start && s.end >= end).map((s) => s.id);
    const prev = out[out.length - 1];
    // Adjacent runs with the same covering set merge, keeping the DOM small.
    if (prev && prev.end === start && sameIds(prev.ids, ids)) prev.end = end;
    else out.push({ start, end, ids: [...new Set(ids)] });
  }
  return out;
}

function sameIds(a: string[], b: string[]): boolean {
  return a.length === new Set(b).size && b.every((x) => a.includes(x));
}
