/**
 * Bounds the request bodies held in memory at once. A request announcing a body (Content-Length, or
 * MAX_BODY for a chunked upload) reserves its size before its body is read; one that does not fit
 * waits — its upload stays unread, so TCP holds the sender back — until earlier bodies are answered.
 * A body alone is always admitted, so any body up to MAX_BODY still works; one that waited longer than
 * `maxWaitMs` is refused with 503 and Retry-After. Every byte the body worker pool queues or parses
 * comes from an admitted body, so the pool's bytes are bounded by the same budget.
 */
import type { NextFunction, Request, Response } from 'express';
import { FhirError } from '../core/fhir-error';

/** Bodies smaller than this pass without accounting: they cost little and must never wait behind an upload. */
export const UNCOUNTED_BODY_BYTES = 64 * 1024;

export interface BodyBudget {
  /** Resolves with the release function once `bytes` fit; rejects with a 503 after `maxWaitMs`. */
  admit(bytes: number): Promise<() => void>;
  /** Bytes reserved by admitted bodies now. */
  reserved(): number;
  /** Requests waiting for room. */
  waiting(): number;
}

interface Waiter { bytes: number; resolve(release: () => void): void }

export function createBodyBudget(limitBytes: number, maxWaitMs: number): BodyBudget {
  let reserved = 0;
  const waiters: Waiter[] = [];
  const grant = (bytes: number): (() => void) => {
    reserved += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      reserved -= bytes;
      wake();
    };
  };
  // in arrival order, but a later small body may pass a large one that still does not fit
  const wake = (): void => {
    for (const w of [...waiters]) {
      if (reserved > 0 && reserved + w.bytes > limitBytes) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(grant(w.bytes));
    }
  };
  return {
    admit(bytes) {
      if (reserved === 0 || reserved + bytes <= limitBytes) return Promise.resolve(grant(bytes));
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          bytes,
          resolve: (release) => { clearTimeout(timer); resolve(release); },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new FhirError(503, 'transient', 'Too many large request bodies in progress; retry shortly', undefined, { 'Retry-After': '5' }));
        }, maxWaitMs);
        waiters.push(waiter);
      });
    },
    reserved: () => reserved,
    waiting: () => waiters.length,
  };
}

/** The size a request's body may reach: its Content-Length, or `maxBodyBytes` when it is sent without one. */
export function announcedBodyBytes(req: Pick<Request, 'headers'>, maxBodyBytes: number): number {
  const length = req.headers['content-length'];
  if (length !== undefined) return Math.min(Number(length) || 0, maxBodyBytes);
  return req.headers['transfer-encoding'] ? maxBodyBytes : 0;
}

/** express middleware, before the body parser: reserves the body's size, released when the answer is done. */
export function bodyAdmission(budget: BodyBudget, maxBodyBytes: number, onRefused: (res: Response, err: FhirError) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const bytes = announcedBodyBytes(req, maxBodyBytes);
    if (bytes < UNCOUNTED_BODY_BYTES) return next();
    budget.admit(bytes).then((release) => {
      res.on('close', release);
      if (res.writableEnded || res.destroyed) release();
      next();
    }, (err: FhirError) => {
      res.set('Connection', 'close'); // the unread upload is not drained
      onRefused(res, err);
    });
  };
}
