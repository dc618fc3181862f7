/** Splits a long note into overlapping chunks at paragraph, line, sentence or word boundaries, keeping each chunk's offset. */

export interface TextChunk {
  text: string;
  /** Offset of the chunk's first character in the full note. */
  offset: number;
}

export interface ChunkOptions {
  /** Maximum characters per chunk. */
  chunkChars: number;
  /** Characters the next chunk repeats from the end of the previous one, so a finding on a boundary is seen whole. */
  overlapChars: number;
}

/** Boundaries in order of preference: blank line, line break, sentence end, any whitespace. */
const BREAKS: RegExp[] = [/\n[ \t]*\n/g, /\n/g, /[.!?;][ \t]+/g, /\s/g];

/** The best cut in (min, max]: the end of the last boundary of the most preferred kind. */
function cutPoint(text: string, min: number, max: number): number {
  const region = text.slice(min, max);
  for (const re of BREAKS) {
    let last = -1;
    for (const m of region.matchAll(re)) last = (m.index ?? 0) + m[0].length;
    if (last > 0) return min + last;
  }
  return max;
}

/** Start of the next chunk: at or after `from`, moved to the start of a word so no chunk opens mid-word. */
function nextStart(text: string, from: number, limit: number): number {
  for (let i = from; i < limit; i++) if (/\s/.test(text[i - 1] ?? ' ') && !/\s/.test(text[i])) return i;
  return from;
}

/** Chunks covering the whole text; consecutive chunks overlap by about `overlapChars`. */
export function chunkText(text: string, opts: ChunkOptions): TextChunk[] {
  const size = Math.max(200, Math.floor(opts.chunkChars));
  const overlap = Math.max(0, Math.min(Math.floor(opts.overlapChars), Math.floor(size / 2)));
  if (text.length <= size) return [{ text, offset: 0 }];
  const out: TextChunk[] = [];
  let start = 0;
  for (;;) {
    const hardEnd = Math.min(text.length, start + size);
    const end = hardEnd === text.length ? hardEnd : cutPoint(text, start + Math.floor(size / 2), hardEnd);
    out.push({ text: text.slice(start, end), offset: start });
    if (end >= text.length) return out;
    // the overlap starts at a word start; each chunk moves on by at least half a chunk minus the overlap
    start = nextStart(text, Math.max(start + 1, end - overlap), end);
  }
}
