/**
 * NDJSON bytes to lines with bounded memory: a line longer than the limit is skipped to its newline
 * (reported, never buffered), and every line carries the byte offset just after it so an import can
 * checkpoint there and resume without re-reading or skipping a line.
 */

export interface NdjsonLine {
  /** 1-based line number in the input. */
  number: number;
  /** Byte offset just after this line's newline: where reading resumes. */
  end: number;
  /** The line without its newline (and trailing CR); undefined when it was too long. */
  bytes?: Buffer;
  /** Set instead of `bytes`: the line's length in bytes, which exceeded the limit. */
  tooLong?: number;
}

const NEWLINE = 0x0a;

/** Splits `chunks` (read from `start`, after `line` lines) into lines of at most `maxLineBytes`. */
export async function* ndjsonLines(chunks: AsyncIterable<Uint8Array>, start: { offset: number; line: number }, maxLineBytes: number): AsyncGenerator<NdjsonLine> {
  let offset = start.offset;
  let number = start.line;
  let parts: Buffer[] = [];
  let length = 0;
  let skipped = 0; // bytes of an over-long line dropped so far
  const finish = (lineBytes: Buffer[], len: number): NdjsonLine => {
    number++;
    if (skipped) {
      const line = { number, end: offset, tooLong: skipped + len };
      skipped = 0;
      return line;
    }
    let bytes = lineBytes.length === 1 ? lineBytes[0] : Buffer.concat(lineBytes, len);
    if (bytes.length && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    return { number, end: offset, bytes };
  };
  for await (const piece of chunks) {
    const chunk = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE, from); nl >= 0; nl = chunk.indexOf(NEWLINE, from)) {
      const tail = chunk.subarray(from, nl);
      offset += nl + 1 - from;
      if (!keep(tail)) {
        skipped += length + tail.length;
        parts = [];
        length = 0;
      }
      const line = skipped ? finish([], 0) : finish([...parts, tail], length + tail.length);
      parts = [];
      length = 0;
      from = nl + 1;
      yield line;
    }
    const rest = chunk.subarray(from);
    offset += rest.length;
    if (keep(rest)) {
      parts.push(rest);
      length += rest.length;
    } else {
      skipped += length + rest.length;
      parts = [];
      length = 0;
    }
  }
  if (length > 0 || skipped > 0) yield finish(parts, length);

  /** False once the line being read would exceed the limit: its bytes are counted, not kept. */
  function keep(more: Buffer): boolean {
    return skipped === 0 && length + more.length <= maxLineBytes;
  }
}
