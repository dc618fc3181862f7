/** Messages between the PGlite driver (main thread) and its worker thread (pglite-thread.ts). */
import type { SqlParam } from '../sql';

export type ThreadRequest =
  | { id: number; op: 'query'; tx?: number; text: string; params: SqlParam[] }
  | { id: number; op: 'exec'; tx?: number; script: string }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/** The database error fields db-errors.ts reads, copied across the thread boundary. */
export interface ThreadError { message: string; code?: string; constraint?: string; detail?: string }

/** `started`: the statement has begun executing (its budget starts now). Id 0 answers the opening. */
export type ThreadReply =
  | { id: number; started: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ThreadError };
