/** Reads the annotated development notes and the Synthea note texts used by eval:nlp and the tests. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../core/paths';
import type { GoldNote } from './score';

/** The shared data folder sits beside the repository root (../shared). */
export const sharedDir = (...parts: string[]): string => path.resolve(repoRoot(), '..', 'shared', ...parts);

export const DEFAULT_DEV_DIR = (): string => sharedDir('nlp', 'dev');
export const DEFAULT_SYNTHEA_NOTES = (): string => sharedDir('data', 'synthea-ndjson-notes', 'DocumentReference.000.ndjson');

/**
 * The repository's own annotated corpus (issue 13): `tune/` to develop against, `held-out/` only to score, and
 * `held-out-2/` … `held-out-10/`, each written by an annotator who never read the engine (nor the other splits), only to score.
 */
export const DEFAULT_CORPUS_DIR = (): string => path.resolve(repoRoot(), 'test', 'nlp', 'corpus');

export type CorpusSplit = 'tune' | 'held-out' | 'held-out-2' | 'held-out-3' | 'held-out-4' | 'held-out-5' | 'held-out-6' | 'held-out-7' | 'held-out-8' | 'held-out-9' | 'held-out-10';

/** The notes of one split of the repository corpus ([] when the folder is absent). */
export function readCorpusSplit(split: CorpusSplit, root: string = DEFAULT_CORPUS_DIR()): GoldNote[] {
  return readDevCorpus(path.join(root, split));
}

export function readDevCorpus(dir: string = DEFAULT_DEV_DIR()): GoldNote[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as GoldNote);
}

interface DocRefLine {
  date?: string;
  content?: Array<{ attachment?: { data?: string; contentType?: string } }>;
}

export interface PlainNote { text: string; date?: string }

/** Note texts of an NDJSON file of DocumentReferences (base64 inline attachments). */
export function readDocumentReferenceNotes(file: string = DEFAULT_SYNTHEA_NOTES()): PlainNote[] {
  if (!existsSync(file)) return [];
  const notes: PlainNote[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const doc = JSON.parse(line) as DocRefLine;
    const data = doc.content?.[0]?.attachment?.data;
    if (data) notes.push({ text: Buffer.from(data, 'base64').toString('utf8'), ...(doc.date ? { date: doc.date.slice(0, 10) } : {}) });
  }
  return notes;
}
