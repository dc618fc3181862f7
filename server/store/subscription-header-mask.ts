/**
 * The read and write seams of Subscription.channel.header secrecy (core/subscription-headers.ts): every
 * read, vread, history page, search page (matches and includes) and export page the store answers has the
 * header values of subscriptions the caller did not author masked; a write-back of a masked copy keeps the
 * stored values for the author. Authorship is the access recorded in subscription_state by the
 * subscription's last client write, looked up once per answer and only when a Subscription with headers is in it.
 */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { hasHeaders, isSubscriptionAuthor, looksMasked, maskSubscriptionHeaders, restoreMaskedHeaders } from '../core/subscription-headers';
import type { SqlExecutor } from './sql';
import type { StoredResource, SubscriptionAccess } from './types';

/** The recorded author of a subscription and the header list of its current version (what that author set). */
interface Authorship { access: SubscriptionAccess; headers: string }

async function authorships(sql: SqlExecutor, ids: string[]): Promise<Map<string, Authorship>> {
  const { rows } = await sql.query<{ sub_id: string; access: SubscriptionAccess; headers: unknown }>(
    `SELECT s.sub_id, s.access, r.content->'channel'->'header' AS headers FROM subscription_state s
     LEFT JOIN resource r ON r.res_type = 'Subscription' AND r.id = s.sub_id
     WHERE s.sub_id = ANY($1::text[])`, [[...new Set(ids)]], 'twinfhir_subscription_authors');
  return new Map(rows.map((r) => [r.sub_id, { access: r.access, headers: JSON.stringify(r.headers ?? null) }]));
}

/**
 * Whether `ctx` sees the values of this version: its author, reading values the current version holds. An older
 * version with other values may hold a previous author's secret; comparing values, not version numbers, keeps
 * the server's own status changes (new versions, same headers) and a read racing them visible to the author.
 */
function visible(ctx: AccessContext, who: Authorship | undefined, headers: unknown): boolean {
  if (ctx.authDisabled) return true;
  return Boolean(who && isSubscriptionAuthor(ctx, who.access) && JSON.stringify(headers) === who.headers);
}

/** Resources (search matches and includes, export rows) with headers masked where the caller is not the author. */
export async function maskHeadersIn(sql: SqlExecutor, ctx: AccessContext, resources: Resource[]): Promise<Resource[]> {
  if (ctx.authDisabled) return resources;
  const subs = resources.filter(hasHeaders);
  if (!subs.length) return resources;
  const who = await authorships(sql, subs.map((s) => s.id ?? ''));
  return resources.map((r) => (hasHeaders(r) && !visible(ctx, who.get(r.id ?? ''), r.channel.header) ? maskSubscriptionHeaders(r) : r));
}

/** Stored versions (read, vread, history entries) likewise; a version left as stored keeps its JSON text. */
export async function maskHeadersStored<T extends StoredResource>(sql: SqlExecutor, ctx: AccessContext, stored: T[]): Promise<T[]> {
  if (ctx.authDisabled || !stored.some((s) => hasHeaders(s.resource))) return stored;
  const who = await authorships(sql, stored.filter((s) => hasHeaders(s.resource)).map((s) => s.id));
  return stored.map((s) => {
    if (!hasHeaders(s.resource) || visible(ctx, who.get(s.id), s.resource.channel.header)) return s;
    const { json: _stale, resource, ...rest } = s;
    return { ...rest, resource: maskSubscriptionHeaders(resource as Resource) } as T;
  });
}

/**
 * Before a Subscription update is stored (its row locked by the writer): placeholders take the current
 * version's values when the writer is the author, else 422; the MASKED label goes. Anything else passes untouched.
 */
export async function keepMaskedHeaders<T extends Resource & { id: string }>(sql: SqlExecutor, ctx: AccessContext, incoming: T): Promise<T> {
  if (!looksMasked(incoming)) return incoming;
  const { rows } = await sql.query<{ content: Resource | null }>(
    "SELECT content FROM resource WHERE res_type = 'Subscription' AND id = $1 AND NOT deleted", [incoming.id]);
  const who = (await authorships(sql, [incoming.id])).get(incoming.id);
  const author = ctx.origin === 'subscription-delivery' || isSubscriptionAuthor(ctx, who?.access);
  return restoreMaskedHeaders(incoming, rows[0]?.content ?? undefined, author);
}
