/**
 * Sends the fuzz requests to a running server and judges every answer: its status, whether the body
 * leaks a stack trace or SQL, whether an error is an OperationOutcome, and — for requests that may
 * touch the seeded resources — whether a refusal left them exactly as they were.
 */
import { leaks } from '../../test/fuzz/cases';
import type { FuzzRequest } from './fuzz-requests';
import { SEEDS } from './fuzz-resources';

export interface Outcome { req: FuzzRequest; status: number; ms: number; text: string; error?: string; startedAt: number }

export interface FuzzTally {
  sent: number;
  /** Requests the HTTP client itself refused to send (headers it cannot encode). */
  unsendable: number;
  statuses: Map<number, number>;
  fiveXx: Outcome[];
  leaked: Outcome[];
  /** 4xx answers whose body is not an OperationOutcome (HEAD and 406 aside). */
  notOutcome: Outcome[];
  /** Connection reset, timeout, crash: no HTTP answer at all. */
  noAnswer: Outcome[];
  seedViolations: string[];
  slowest: Outcome[];
  /** Every request's [start, end] (epoch ms), to tell which were in flight during a /healthz stall. */
  timeline: { kind: string; label: string; start: number; end: number; status: number }[];
}

export function newTally(): FuzzTally {
  return { sent: 0, unsendable: 0, statuses: new Map(), fiveXx: [], leaked: [], notOutcome: [], noAnswer: [], seedViolations: [], slowest: [], timeline: [] };
}

function sendable(req: FuzzRequest): boolean {
  try {
    new Headers(req.headers);
    new URL(req.path, 'http://x');
    return true;
  } catch {
    return false;
  }
}

async function send(root: string, req: FuzzRequest, timeoutMs: number): Promise<Outcome> {
  const t = performance.now();
  const startedAt = Date.now();
  try {
    const res = await fetch(root + req.path, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return { req, status: res.status, ms: performance.now() - t, text, startedAt };
  } catch (err) {
    const cause = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
    return { req, status: 0, ms: performance.now() - t, text: '', error: cause, startedAt };
  }
}

function judge(tally: FuzzTally, o: Outcome): void {
  tally.sent++;
  tally.timeline.push({ kind: o.req.kind, label: `${o.req.method} ${o.req.path.slice(0, 60)}`, start: o.startedAt, end: o.startedAt + o.ms, status: o.status });
  if (o.status === 0) {
    tally.noAnswer.push(o);
    return;
  }
  tally.statuses.set(o.status, (tally.statuses.get(o.status) ?? 0) + 1);
  if (o.status >= 500) tally.fiveXx.push(o);
  if (leaks(o.text)) tally.leaked.push(o);
  if (o.status >= 400 && o.req.method !== 'HEAD' && o.status !== 406 && !/"resourceType"\s*:\s*"OperationOutcome"/.test(o.text.slice(0, 200))) tally.notOutcome.push(o);
  tally.slowest.push(o);
  tally.slowest.sort((a, b) => b.ms - a.ms);
  tally.slowest.length = Math.min(tally.slowest.length, 5);
}

/** versionId of each seed now ('gone' when it cannot be read). */
async function seedVersion(root: string, ref: string): Promise<string> {
  const res = await fetch(`${root}/fhir/${ref}`);
  if (!res.ok) return `gone (${res.status})`;
  const body = (await res.json()) as { meta?: { versionId?: string } };
  return body.meta?.versionId ?? 'no version';
}

export interface SeedBook { expected: Map<string, string> }

/** Stores the seeds (PUT, so their ids are known) and remembers their versions. */
export async function storeSeeds(root: string): Promise<SeedBook> {
  const expected = new Map<string, string>();
  for (const r of SEEDS) {
    const ref = `${String(r.resourceType)}/${String(r.id)}`;
    const res = await fetch(`${root}/fhir/${ref}`, { method: 'PUT', headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(r) });
    if (res.status >= 300) throw new Error(`seeding ${ref} failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
    expected.set(ref, await seedVersion(root, ref));
  }
  return { expected };
}

/** A guarded request runs alone on its lane: a refusal must leave its seeds' versions where they were. */
async function guarded(root: string, req: FuzzRequest, book: SeedBook, tally: FuzzTally, timeoutMs: number): Promise<void> {
  const o = await send(root, req, timeoutMs);
  judge(tally, o);
  const refused = o.status >= 400 || o.status === 0 || (req.path === '/fhir' && o.status !== 200);
  for (const ref of req.guards) {
    const now = await seedVersion(root, ref);
    const before = book.expected.get(ref);
    if (refused && now !== before) tally.seedViolations.push(`${req.method} ${req.path} → ${o.status} changed ${ref} from version ${String(before)} to ${now}`);
    book.expected.set(ref, now);
  }
}

/** Every seed is still at the version the guarded lane last saw: nothing else touched them. */
export async function checkSeeds(root: string, book: SeedBook, tally: FuzzTally): Promise<void> {
  for (const [ref, version] of book.expected) {
    const now = await seedVersion(root, ref);
    if (now !== version) tally.seedViolations.push(`${ref} is at version ${now}, expected ${version}: changed by a request that was not meant to touch it`);
  }
}

export interface RunOptions { root: string; concurrency: number; timeoutMs: number; book: SeedBook; onProgress(done: number): void }

/** Unguarded requests on `concurrency` lanes, guarded ones in order on a lane of their own. */
export async function runRequests(requests: (() => FuzzRequest)[], opts: RunOptions): Promise<FuzzTally> {
  const tally = newTally();
  let next = 0;
  let done = 0;
  const guardQueue: FuzzRequest[] = [];
  let producing = true;
  const lane = async (): Promise<void> => {
    while (next < requests.length) {
      const req = requests[next++]();
      if (!sendable(req)) { tally.unsendable++; continue; }
      if (req.guards.length) { guardQueue.push(req); continue; }
      judge(tally, await send(opts.root, req, opts.timeoutMs));
      if (++done % 1000 === 0) opts.onProgress(done);
    }
  };
  const guardLane = async (): Promise<void> => {
    while (producing || guardQueue.length) {
      const req = guardQueue.shift();
      if (!req) { await new Promise((r) => setTimeout(r, 5)); continue; }
      await guarded(opts.root, req, opts.book, tally, opts.timeoutMs);
      if (++done % 1000 === 0) opts.onProgress(done);
    }
  };
  const guards = guardLane();
  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  producing = false;
  await guards;
  return tally;
}
