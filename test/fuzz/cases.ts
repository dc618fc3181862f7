/**
 * The fuzz corpus format and the leak check, pure (fs only): shared by the jest fuzz suites and the
 * long `npm run fuzz` run (bench/fuzz.ts), which loads this module from dist/.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface FuzzCase {
  name?: string;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** One status, or an inclusive [min, max] range. */
  expectStatus?: number | [number, number];
}

/** test/fuzz/corpus, from the sources (jest) or from dist/test/fuzz (the compiled fuzz run). */
export const CORPUS_DIR = [path.resolve(__dirname, 'corpus'), path.resolve(__dirname, '../../../test/fuzz/corpus')].find((d) => existsSync(d)) ?? path.resolve(__dirname, 'corpus');

/** Every case of the corpus, in file-name order, named `file: name`. */
export function loadCorpus(): { label: string; c: FuzzCase }[] {
  const out: { label: string; c: FuzzCase }[] = [];
  for (const f of readdirSync(CORPUS_DIR).filter((n) => n.endsWith('.json')).sort()) {
    const parsed = JSON.parse(readFileSync(path.join(CORPUS_DIR, f), 'utf8')) as FuzzCase | FuzzCase[];
    const cases = Array.isArray(parsed) ? parsed : [parsed];
    cases.forEach((c, i) => out.push({ label: `${f}: ${c.name ?? `#${i}`}`, c }));
  }
  return out;
}

export function statusMatches(status: number, expect: FuzzCase['expectStatus']): boolean {
  if (expect === undefined) return status < 500;
  return Array.isArray(expect) ? status >= expect[0] && status <= expect[1] : status === expect;
}

const LEAKS = [/\n\s+at [^\n]+:\d+:\d+/, /node_modules|\.ts:\d+:\d+/, /\b(SELECT|INSERT INTO|DELETE FROM)\b[^"]*\b(FROM|VALUES|WHERE)\b/, /\b(pglite|syntax error at or near)\b/i];

/** A stack trace, a source path or SQL text in a response body. */
export function leaks(text: string | undefined): boolean {
  return Boolean(text && LEAKS.some((re) => re.test(text)));
}
