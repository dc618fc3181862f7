/**
 * One NDJSON output file, written page by page at the byte offset the job last committed: opening it
 * truncates whatever a crashed run wrote after that offset, so a resumed export has no duplicate and no
 * missing line. Pages are not fsynced (that would cost most of the export's time): a process crash keeps
 * them (the page cache survives it); after an operating-system crash a file may be shorter than its
 * committed offset, which `open` reports so the type is exported again from its start.
 */
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export class NdjsonFile {
  private constructor(private readonly fh: FileHandle, private position: number) {}

  /** Opens (creating if needed) `file` cut to `committedBytes`; undefined when it holds less than that (lost: start the type over). */
  static async open(file: string, committedBytes: number): Promise<NdjsonFile | undefined> {
    await mkdir(path.dirname(file), { recursive: true });
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size < committedBytes) return undefined;
    const fh = await open(file, committedBytes > 0 ? 'r+' : 'w');
    await fh.truncate(committedBytes);
    return new NdjsonFile(fh, committedBytes);
  }

  /** Appends `text` (or its UTF-8 bytes); returns the bytes written. */
  async append(text: string | Uint8Array): Promise<number> {
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.length - off, this.position + off);
      off += bytesWritten;
    }
    this.position += buf.length;
    return buf.length;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
