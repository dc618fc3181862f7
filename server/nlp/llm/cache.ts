/** A bounded LRU cache of validated model answers, keyed by sha256(model | prompt version | request text). */
import { createHash } from 'node:crypto';
import type { ModelFinding } from './schema';

/** Injectable so several extractors (or a shared store) can hold the answers; values are never mutated by readers. */
export interface LlmCache {
  get(key: string): readonly ModelFinding[] | undefined;
  set(key: string, value: readonly ModelFinding[]): void;
}

/** The key of one model request; the text is hashed, so the cache never holds note text in its keys. */
export function cacheKey(model: string, promptVersion: string, text: string): string {
  return createHash('sha256').update(model).update('\u0000').update(promptVersion).update('\u0000').update(text).digest('hex');
}

export class LruCache implements LlmCache {
  private readonly entries = new Map<string, readonly ModelFinding[]>();

  constructor(readonly maxEntries = 1000) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): readonly ModelFinding[] | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Map keeps insertion order: re-inserting marks the entry as most recently used
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: readonly ModelFinding[]): void {
    this.entries.delete(key);
    this.entries.set(key, Object.freeze([...value]));
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
