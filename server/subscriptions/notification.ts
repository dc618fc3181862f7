/**
 * The R4 Backport notification shapes: a `history` Bundle whose first entry is the SubscriptionStatus
 * as a Parameters (backport-subscription-status-r4), then, by payload content, the focus resources
 * (full-resource), their addresses only (id-only) or nothing (empty). Event numbers are strings (int64 in R5).
 */
import type { Bundle, BundleEntry, FhirResource, Parameters, ParametersParameter, Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { rowRestrictionsOf } from '../auth/row-restrictions';
import { parseScopes } from '../auth/scopes';
import type { StoreReader, SubscriptionAccess, SubscriptionEvent } from '../store/types';
import { BACKPORT_NOTIFICATION_PROFILE, BACKPORT_STATUS_PROFILE, type NotificationType, type PayloadContent } from './backport';

export interface StatusInput {
  baseUrl: string;
  subscriptionId: string;
  topic: string;
  status: string;
  type: NotificationType;
  /** Events raised since the subscription started (its newest event number). */
  eventsSinceStart: number;
  events: readonly SubscriptionEvent[];
  content: PayloadContent;
  error?: string;
}

const focusUrl = (base: string, e: SubscriptionEvent): string => `${base}/${e.focusType}/${e.focusId}`;

function eventPart(s: StatusInput, e: SubscriptionEvent): ParametersParameter {
  return {
    name: 'notification-event',
    part: [
      { name: 'event-number', valueString: String(e.eventNumber) },
      { name: 'timestamp', valueInstant: e.occurredAt.toISOString() },
      ...(s.content === 'empty' ? [] : [{ name: 'focus', valueReference: { reference: focusUrl(s.baseUrl, e) } }]),
    ],
  };
}

export function statusParameters(s: StatusInput): Parameters {
  return {
    resourceType: 'Parameters',
    meta: { profile: [BACKPORT_STATUS_PROFILE] },
    parameter: [
      { name: 'subscription', valueReference: { reference: `${s.baseUrl}/Subscription/${s.subscriptionId}` } },
      { name: 'topic', valueCanonical: s.topic },
      { name: 'status', valueCode: s.status },
      { name: 'type', valueCode: s.type },
      { name: 'events-since-subscription-start', valueString: String(s.eventsSinceStart) },
      ...s.events.map((e) => eventPart(s, e)),
      ...(s.error ? [{ name: 'error', valueCodeableConcept: { text: s.error } }] : []),
    ],
  };
}

function focusEntry(base: string, e: SubscriptionEvent, resource: Resource | undefined): BundleEntry {
  const created = e.action === 'create';
  return {
    fullUrl: focusUrl(base, e),
    ...(resource ? { resource: resource as FhirResource } : {}),
    request: { method: created ? 'POST' : e.action === 'delete' ? 'DELETE' : 'PUT', url: created ? e.focusType : `${e.focusType}/${e.focusId}` },
    response: { status: created ? '201' : '200', etag: `W/"${e.focusVersion}"` },
  };
}

/** A notification Bundle; `resources` holds the focus versions for full-resource payloads (key `Type/id/version`). */
export function notificationBundle(s: StatusInput, bundleId: string, now: Date, resources: ReadonlyMap<string, Resource> = new Map()): Bundle {
  const focus = s.content === 'empty' ? [] : s.events.map((e) => focusEntry(s.baseUrl, e, s.content === 'full-resource' ? resources.get(`${e.focusType}/${e.focusId}/${e.focusVersion}`) : undefined));
  return {
    resourceType: 'Bundle',
    id: bundleId,
    meta: { profile: [BACKPORT_NOTIFICATION_PROFILE] },
    type: 'history',
    timestamp: now.toISOString(),
    entry: [
      {
        fullUrl: `urn:uuid:${bundleId}`,
        resource: statusParameters(s),
        request: { method: 'GET', url: `Subscription/${s.subscriptionId}/$status` },
        response: { status: '200' },
      },
      ...focus,
    ],
  };
}

/** The focus versions a `full-resource` notification carries, keyed `type/id/version` (empty for other payloads). */
/**
 * The context focus resources are read with: the delivery's own, under the row restriction the author's
 * reads had, so a patient-context author gets shared resources masked as on every read (store/read-mask.ts).
 */
export function authorReadContext(base: AccessContext, access: SubscriptionAccess): AccessContext {
  if (access.authDisabled) return base;
  const { readRestriction } = rowRestrictionsOf(parseScopes(access.scopes), access.patient);
  return readRestriction ? { ...base, readRestriction } : base;
}

export async function focusResources(store: StoreReader, ctx: AccessContext, content: PayloadContent, events: readonly SubscriptionEvent[]): Promise<Map<string, Resource>> {
  const resources = new Map<string, Resource>();
  if (content !== 'full-resource') return resources;
  for (const e of events) {
    const v = await store.vread(ctx, e.focusType, e.focusId, e.focusVersion);
    if (v?.resource) resources.set(`${e.focusType}/${e.focusId}/${e.focusVersion}`, v.resource);
  }
  return resources;
}
