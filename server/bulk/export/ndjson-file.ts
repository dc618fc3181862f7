/**
 * One NDJSON output file, written page by page at the byte offset the job last committed: opening it
 * truncates whatever a crashed run wrote after that offset, so a resumed export has no duplicate and no
 * missing line. Each page is flushed to disk before its progress is committed to the database.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export class NdjsonFile {
  private constructor(private readonly fh: FileHandle, private position: number) {}

  /** Opens (creating if needed) `file` and cuts it to `committedBytes`. */
  static async open(file: string, committedBytes: number): Promise<NdjsonFile> {
    await mkdir(path.dirname(file), { recursive: true });
    const fh = await open(file, committedBytes > 0 ? 'r+' : 'w').catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new Error(`export file ${path.basename(file)} vanished after ${committedBytes} committed bytes`);
      throw err;
    });
    await fh.truncate(committedBytes);
    return new NdjsonFile(fh, committedBytes);
  }

  /** Appends `text` and makes it durable; returns the bytes written. */
  async append(text: string): Promise<number> {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.length - off, this.position + off);
      off += bytesWritten;
    }
    this.position += buf.length;
    await this.fh.datasync();
    return buf.length;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
