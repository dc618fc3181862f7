/**
 * Sends a Bundle's JSON entry by entry, yielding to the event loop every SLICE characters, so a page
 * of large resources (type-level $everything, a searchset with _count=1000) never blocks /healthz for
 * its whole serialisation nor builds one giant string. Up to BUFFER_LIMIT characters the answer is
 * sent in one piece as before (Content-Length, ETag); past it, chunked with backpressure.
 */
import type { Response } from 'express';

const SLICE = 256 * 1024;
const BUFFER_LIMIT = 1024 * 1024;

type Entries = { entry: unknown[] } & Record<string, unknown>;

export function hasEntries(body: unknown): body is Entries {
  const b = body as { resourceType?: unknown; entry?: unknown } | null;
  return typeof b === 'object' && b !== null && b.resourceType === 'Bundle' && Array.isArray(b.entry) && b.entry.length > 1;
}

const pause = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The text before the first entry and after the last; same layout as JSON.stringify(bundle, null, indent) with entry last. */
function frame(bundle: Entries, pretty: boolean): { open: string; sep: string; close: string; indent(text: string): string } {
  const { entry: _entry, ...rest } = bundle;
  const head = JSON.stringify(rest, null, pretty ? 2 : undefined);
  const body = head.slice(0, head.lastIndexOf('}')).replace(/\s+$/, '');
  const comma = body === '{' ? '' : ',';
  if (!pretty) return { open: `${body}${comma}"entry":[`, sep: ',', close: ']}', indent: (t) => t };
  // JSON strings hold no raw newlines, so re-indenting by line is exact
  return { open: `${body}${comma}\n  "entry": [\n    `, sep: ',\n    ', close: '\n  ]\n}', indent: (t) => t.replace(/\n/g, '\n    ') };
}

async function flush(res: Response, text: string): Promise<void> {
  if (res.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes `bundle` to `res` (status and headers already set); the caller has checked `hasEntries`. */
export async function writeBundle(res: Response, bundle: Entries, pretty: boolean): Promise<void> {
  const f = frame(bundle, pretty);
  let parts: string[] = [f.open];
  let pending = f.open.length;
  let streaming = false;
  let sinceYield = 0;
  for (let i = 0; i < bundle.entry.length; i++) {
    const text = f.indent(JSON.stringify(bundle.entry[i], null, pretty ? 2 : undefined) ?? 'null');
    parts.push(i ? f.sep + text : text);
    pending += text.length;
    sinceYield += text.length;
    if (sinceYield < SLICE) continue;
    sinceYield = 0;
    await pause();
    if (res.destroyed) return;
    if (!streaming && pending >= BUFFER_LIMIT) streaming = true;
    if (streaming) {
      await flush(res, parts.join(''));
      parts = [];
      pending = 0;
    }
  }
  parts.push(f.close);
  if (streaming) res.end(parts.join(''));
  else res.send(parts.join(''));
}
