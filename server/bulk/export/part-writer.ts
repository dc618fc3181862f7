/**
 * The NDJSON files of one exported type: `{Type}.ndjson`, and with EXPORT_MAX_FILE_RESOURCES set, further
 * parts `{Type}.2.ndjson`, `{Type}.3.ndjson`, … of at most that many resources each. A page may span two
 * parts; the progress committed after it (parts closed so far, bytes of the current one) is where a
 * restarted job resumes: the current part is cut back to its committed bytes, a later one rewritten.
 */
import path from 'node:path';
import type { ExportTypeProgress } from '../../store/types';
import { fileName } from './files';
import { NdjsonFile } from './ndjson-file';

const NEWLINE = 0x0a;

/** The offset just after the `count`-th newline at or after `from`. */
function afterLines(data: Uint8Array, from: number, count: number): number {
  let at = from;
  for (let n = 0; n < count; n++) at = data.indexOf(NEWLINE, at) + 1;
  return at;
}

export class PartWriter {
  private constructor(
    private readonly dir: string,
    private readonly maxLines: number,
    private file: NdjsonFile,
    private tp: ExportTypeProgress,
  ) {}

  /** Opens the current part at its committed offset; a part shorter than that (lost in a crash) starts the type over. */
  static async open(dir: string, tp: ExportTypeProgress, maxLines: number): Promise<PartWriter> {
    const part = (tp.parts?.length ?? 0) + 1;
    const file = await NdjsonFile.open(path.join(dir, fileName(tp.type, part)), tp.bytes);
    if (file) return new PartWriter(dir, maxLines, file, tp);
    const fresh: ExportTypeProgress = { type: tp.type, cursor: '0', lines: 0, bytes: 0, done: false };
    return new PartWriter(dir, maxLines, (await NdjsonFile.open(path.join(dir, fileName(tp.type, 1)), 0)) as NdjsonFile, fresh);
  }

  /** The progress as written so far (cursor and counts of the caller's last commit until `written`). */
  get progress(): ExportTypeProgress {
    return this.tp;
  }

  private get currentLines(): number {
    return this.tp.lines - (this.tp.parts ?? []).reduce((n, p) => n + p.lines, 0);
  }

  /** Appends `lines` NDJSON lines, starting new parts as the current one fills up. */
  async write(data: string | Uint8Array, lines: number): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    for (let left = lines; left > 0;) {
      const room = this.maxLines > 0 ? this.maxLines - this.currentLines : left;
      if (room <= 0) {
        await this.nextPart();
        continue;
      }
      const take = Math.min(room, left);
      const end = take === left ? bytes.length : afterLines(bytes, offset, take);
      const written = await this.file.append(bytes.subarray(offset, end));
      this.tp = { ...this.tp, lines: this.tp.lines + take, bytes: this.tp.bytes + written };
      offset = end;
      left -= take;
    }
  }

  /** Records what the caller commits with the page (cursor, exclusions). */
  update(change: Partial<ExportTypeProgress>): ExportTypeProgress {
    this.tp = { ...this.tp, ...change };
    return this.tp;
  }

  private async nextPart(): Promise<void> {
    await this.file.close();
    const parts = [...(this.tp.parts ?? []), { lines: this.currentLines, bytes: this.tp.bytes }];
    this.tp = { ...this.tp, parts, bytes: 0 };
    this.file = (await NdjsonFile.open(path.join(this.dir, fileName(this.tp.type, parts.length + 1)), 0)) as NdjsonFile;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** The files of a type as the manifest lists them: part number and resources in it (empty parts left out). */
export function partsOf(tp: ExportTypeProgress): { part: number; lines: number }[] {
  const closed = (tp.parts ?? []).map((p, i) => ({ part: i + 1, lines: p.lines }));
  const current = tp.lines - closed.reduce((n, p) => n + p.lines, 0);
  return [...closed, { part: closed.length + 1, lines: current }].filter((p) => p.lines > 0);
}
