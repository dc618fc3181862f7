/** Shared by the audit suites: the AuditEvents a request produced, read through the store (reading them over HTTP would audit the read). */
import type { AuditEvent } from 'fhir/r4';
import { systemContext } from '../../server/core/access-context';
import type { App } from '../../server/app';

export async function allAuditEvents(app: Pick<App, 'store' | 'audit'>): Promise<(AuditEvent & { id: string })[]> {
  await app.audit?.flush();
  const out: (AuditEvent & { id: string })[] = [];
  let cursor: string | undefined;
  do {
    const page = await app.store.history(systemContext(), { resourceType: 'AuditEvent', count: 1000, cursor });
    for (const e of page.entries) {
      const r = e.resource ?? (e.json ? (JSON.parse(e.json) as AuditEvent) : undefined);
      if (r) out.push(r as AuditEvent & { id: string });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * Resolves once the recorder has received `n` events ('finish' may fire just after the client has the response).
 * Bounded by the clock, not a count of 5 ms turns (which a loaded machine stretches or cuts short), and loud on
 * timeout: a missing event must fail here rather than as a short list later.
 */
export async function receivedAtLeast(app: Pick<App, 'audit'>, n: number, ms = 15_000): Promise<void> {
  for (const until = Date.now() + ms; (app.audit?.received() ?? 0) < n;) {
    if (Date.now() > until) throw new Error(`the audit recorder received ${app.audit?.received() ?? 0} events, expected at least ${n}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs `fn` (`requests` requests) and returns exactly the AuditEvents written meanwhile. */
export async function auditedBy(app: Pick<App, 'store' | 'audit'>, fn: () => Promise<unknown>, requests = 1): Promise<AuditEvent[]> {
  const before = new Set((await allAuditEvents(app)).map((e) => e.id));
  const received = app.audit?.received() ?? 0;
  await fn();
  await receivedAtLeast(app, received + requests);
  await new Promise((r) => setTimeout(r, 10)); // a stray second event would show up here
  return (await allAuditEvents(app)).filter((e) => !before.has(e.id));
}

export const subtypeCodes = (e: AuditEvent): string[] => (e.subtype ?? []).map((c) => c.code ?? '');
export const entityRefs = (e: AuditEvent): string[] => (e.entity ?? []).map((x) => x.what?.reference ?? '').filter(Boolean);
export const entityQuery = (e: AuditEvent): string | undefined => {
  const q = (e.entity ?? []).find((x) => x.query)?.query;
  return q === undefined ? undefined : Buffer.from(q, 'base64').toString('utf8');
};
