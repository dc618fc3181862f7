/** Builds text piece by piece while remembering where each character came from in a source string. */

export interface MappedText {
  text: string;
  /**
   * Source offset of the character at `offset`; `text.length` maps to the end of the last character's source.
   * An exclusive span end maps to where the next character's source starts, so the source span of a text span
   * may end with the markup that follows it (`M&uuml;ller</b>` for "Müller").
   */
  sourceOffset: (offset: number) => number;
}

/**
 * The map is kept as runs, not one entry per character: a copied run maps character k to `source + k`, an
 * inserted run (a decoded entity, a line break standing for a tag) maps all its characters to the same source
 * offset. A note of a million characters then needs a few thousand entries instead of a million.
 */
export class MappedTextBuilder {
  private readonly parts: string[] = [];
  private readonly runText: number[] = [];
  private readonly runSource: number[] = [];
  private readonly runCopied: boolean[] = [];
  private length = 0;
  private sourceEnd = 0;
  private last = '';

  /** The last character emitted so far ('' when none). */
  get lastChar(): string {
    return this.last;
  }

  get size(): number {
    return this.length;
  }

  /** Copies `src[start, end)` verbatim. */
  copy(src: string, start: number, end: number): void {
    if (end <= start) return;
    const n = this.runText.length - 1;
    const continues = n >= 0 && this.runCopied[n] && this.runSource[n] + (this.length - this.runText[n]) === start;
    if (!continues) this.addRun(start, true);
    this.append(src.slice(start, end), end);
  }

  /** Inserts `value` standing for the source characters `[sourceStart, sourceEnd)`. */
  insert(value: string, sourceStart: number, sourceEnd: number): void {
    if (!value) return;
    this.addRun(sourceStart, false);
    this.append(value, sourceEnd);
  }

  build(): MappedText {
    const text = this.parts.join('');
    const { runText, runSource, runCopied, sourceEnd } = this;
    const sourceOffset = (offset: number): number => {
      if (!(offset < text.length)) return sourceEnd;
      if (!(offset > 0)) return runSource.length ? runSource[0] : 0;
      const r = lastRunAtOrBefore(runText, Math.floor(offset));
      return runCopied[r] ? runSource[r] + (Math.floor(offset) - runText[r]) : runSource[r];
    };
    return { text, sourceOffset };
  }

  private addRun(source: number, copied: boolean): void {
    this.runText.push(this.length);
    this.runSource.push(source);
    this.runCopied.push(copied);
  }

  private append(value: string, sourceEnd: number): void {
    this.parts.push(value);
    this.length += value.length;
    this.sourceEnd = sourceEnd;
    this.last = value[value.length - 1];
  }
}

/** Binary search: index of the last run whose text start is ≤ offset (runs are in text order, the first at 0). */
function lastRunAtOrBefore(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
