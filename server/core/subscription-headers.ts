/**
 * Secrecy of Subscription.channel.header values (a receiver's bearer token or API key). The rule: a header
 * value is shown only to the subscription's author — the client (and user) whose write the server recorded
 * as the subscription's access, reading its current version — and to callers with auth off (development,
 * and the server's own services). Everyone else, and everyone reading an older version (which may hold a
 * previous author's secret), gets `Name: ***` and the v3 MASKED label, as foreign-mask.ts does. A masked
 * copy sent back may keep the stored values only when its author sends it (see restoreMaskedHeaders);
 * anyone else would become the author of a secret they were never shown, so that is refused.
 * Pure: the store applies it on its read and write seams.
 */
import type { Resource, Subscription } from 'fhir/r4';
import { FhirError } from './fhir-error';
import { MASKED_LABEL, isMaskedCopy } from './foreign-mask';

/** What stands where a header value was hidden. */
export const MASKED_HEADER_VALUE = '***';

/** The parts of an access context (or of a recorded author) that decide ownership. */
export interface HeaderOwner { clientId: string; subject?: string; authDisabled: boolean }

/** May `reader` see the header values of a subscription whose recorded author is `author`? */
export function isSubscriptionAuthor(reader: HeaderOwner, author: HeaderOwner | undefined): boolean {
  if (reader.authDisabled) return true;
  // A subscription written with auth off has no author a token could match.
  return Boolean(author && !author.authDisabled && author.clientId === reader.clientId && author.subject === reader.subject);
}

const HEADER = /^([^:]*):[ \t]*(.*)$/s;

/** `Name: ***` for `Name: value` (a malformed entry keeps nothing of its text). */
export function maskHeader(header: unknown): string {
  const m = typeof header === 'string' ? HEADER.exec(header) : null;
  return m ? `${m[1]}: ${MASKED_HEADER_VALUE}` : MASKED_HEADER_VALUE;
}

/** Is this header entry the placeholder a masked copy carries? */
export function isMaskedHeader(header: unknown): header is string {
  const m = typeof header === 'string' ? HEADER.exec(header) : null;
  return Boolean(m && m[2].trim() === MASKED_HEADER_VALUE);
}

type WithHeaders = Subscription & { channel: Subscription['channel'] & { header: unknown[] } };

/** A Subscription with at least one channel.header entry (anything else has nothing to hide). */
export function hasHeaders(resource: Resource | undefined): resource is WithHeaders {
  if (resource?.resourceType !== 'Subscription') return false;
  const header = (resource as Subscription).channel?.header as unknown;
  return Array.isArray(header) && header.length > 0;
}

/** A copy with every header value replaced by the placeholder and the MASKED label added. */
export function maskSubscriptionHeaders<T extends Resource>(resource: T): T {
  if (!hasHeaders(resource)) return resource;
  const security = (resource.meta?.security ?? []).filter((c) => !(c.system === MASKED_LABEL.system && c.code === MASKED_LABEL.code));
  return {
    ...resource,
    meta: { ...resource.meta, security: [...security, { ...MASKED_LABEL }] },
    channel: { ...resource.channel, header: resource.channel.header.map(maskHeader) },
  };
}

const headerName = (h: unknown): string => typeof h !== 'string' ? '' : (HEADER.exec(h)?.[1] ?? '').trim().toLowerCase();

/**
 * A Subscription write: each placeholder entry (`Name: ***`) takes the value of the same-named header of the
 * stored version, when the writer is the author; the MASKED label goes (it describes a read copy, not data).
 * A placeholder from anyone else, or for a header the stored version does not have, is refused (422).
 */
export function restoreMaskedHeaders<T extends Resource>(incoming: T, stored: Resource | undefined, writerIsAuthor: boolean): T {
  if (!hasHeaders(incoming)) return incoming;
  const headers = incoming.channel.header;
  const masked = headers.map((h, i) => (isMaskedHeader(h) ? i : -1)).filter((i) => i >= 0);
  if (!masked.length) return withoutMaskedLabel(incoming);
  const where = masked.map((i) => `Subscription.channel.header[${i}]`);
  if (!writerIsAuthor) {
    throw new FhirError(422, 'business-rule',
      'channel.header carries a masked value (***): only the subscription\'s author may keep the stored value; send the real value or leave the header out', where);
  }
  const kept = hasHeaders(stored) ? stored.channel.header.filter((h): h is string => typeof h === 'string' && !isMaskedHeader(h)) : [];
  // A placeholder that is the n-th `Name` entry keeps the n-th stored `Name` header (a name may repeat).
  const seen = new Map<string, number>();
  const restored = headers.map((h) => {
    const name = headerName(h);
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (!isMaskedHeader(h)) return h;
    const original = kept.filter((k) => headerName(k) === name)[n];
    if (original === undefined) {
      throw new FhirError(422, 'business-rule', `channel.header '${name}' is masked (***) but the stored Subscription has no such header to keep; send the real value`, where);
    }
    return original;
  });
  return withoutMaskedLabel({ ...incoming, channel: { ...incoming.channel, header: restored } });
}

/** Does a write carry anything a masked read copy adds (a placeholder or the MASKED label)? */
export function looksMasked(resource: Resource): boolean {
  return hasHeaders(resource) && (resource.channel.header.some(isMaskedHeader) || isMaskedCopy(resource));
}

/** The MASKED label describes a read copy, not data: a Subscription write never stores it. */
function withoutMaskedLabel<T extends Resource>(resource: T): T {
  if (!isMaskedCopy(resource)) return resource;
  const { security = [], ...otherMeta } = resource.meta ?? {};
  const rest = security.filter((c) => !(c.system === MASKED_LABEL.system && c.code === MASKED_LABEL.code));
  return { ...resource, meta: { ...otherMeta, ...(rest.length ? { security: rest } : {}) } };
}
