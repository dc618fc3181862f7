/**
 * The import's resume log: one line per unit that landed, appended as soon as the server answered, so a
 * killed run loses at most the units in flight — and those are re-sent idempotently (PUT with stable ids).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export class ResumeLog {
  private readonly done = new Set<string>();

  constructor(private readonly file: string | undefined) {
    if (file && existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) this.done.add(line.trim());
    }
  }

  has(key: string): boolean {
    return this.done.has(key);
  }

  get size(): number {
    return this.done.size;
  }

  record(key: string): void {
    this.done.add(key);
    if (this.file) appendFileSync(this.file, `${key}\n`);
  }
}
