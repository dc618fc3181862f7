/**
 * The Subscriptions Backport operations on one Subscription (https://hl7.org/fhir/uv/subscriptions-backport/operations.html):
 * `$status` (a searchset Bundle holding its SubscriptionStatus), `$events` (past events by number, to
 * replay a gap) and `$get-ws-binding-token` (a short-lived token for the websocket channel). Each needs
 * read access to the Subscription (the access guard) and, with auth on, to be its author's client.
 */
import type { Bundle, Parameters, Subscription } from 'fhir/r4';
import { FhirError, badRequest, gone, notFound } from '../core/fhir-error';
import type { Exec, OperationSpec } from '../rest/deps';
import { checkId } from '../rest/resource-body';
import type { FhirRequest } from '../rest/types';
import type { SubscriptionState } from '../store/types';
import { BACKPORT, PAYLOAD_CONTENTS, type PayloadContent } from '../subscriptions/backport';
import { issueBindingToken } from '../subscriptions/binding-token';
import { notificationBundle, statusParameters } from '../subscriptions/notification';
import { WS_PATH } from '../subscriptions/service';
import { readInParams } from './terminology/in-params';

export interface SubscriptionOperationOptions {
  /** Signs websocket binding tokens (shared by replicas). */
  secret: string;
  bindingTokenMs: number;
}

/** Most events one $events call returns; page on with eventsSinceNumber. */
export const MAX_EVENTS_PER_CALL = 1000;

const definition = (name: string): string => `${BACKPORT}/OperationDefinition/backport-subscription-${name}`;
const base = (name: string): Omit<OperationSpec, 'handler'> => ({
  name, definition: definition(name), scopes: ['instance'], resourceTypes: ['Subscription'], methods: ['GET', 'POST'], affectsState: false,
});

interface Target { sub: Subscription & { id: string }; state: SubscriptionState }

/** The Subscription and its state, if the caller may act on it (its author's client when auth is on). */
async function subscriptionOf(req: FhirRequest, exec: Exec, store: { state(id: string): Promise<SubscriptionState | null> }, rawId: string | undefined): Promise<Target> {
  const id = checkId(rawId ?? '');
  const stored = await exec.reader.read(req.ctx, 'Subscription', id);
  if (!stored) throw notFound(`Subscription/${id} is not known`);
  if (stored.deleted || !stored.resource) throw gone(`Subscription/${id} was deleted`);
  const state = await store.state(id);
  if (!state) throw notFound(`Subscription/${id} has no event record`);
  const a = state.access;
  const author = req.ctx.authDisabled || a.authDisabled || (a.clientId === req.ctx.clientId && a.subject === req.ctx.subject);
  if (!author) throw new FhirError(403, 'forbidden', `Subscription/${id} belongs to another client`);
  return { sub: stored.resource as Subscription & { id: string }, state };
}

const bundleOf = (entries: Parameters[], type: Bundle['type'], now: Date): Bundle => ({
  resourceType: 'Bundle', type, timestamp: now.toISOString(), total: entries.length, entry: entries.map((resource) => ({ resource })),
});

export const subscriptionStatusOperation: OperationSpec = {
  ...base('status'),
  async handler(deps, req, target, exec) {
    readInParams(req, {}, 'status');
    const { sub, state } = await subscriptionOf(req, exec, deps.store.subscriptionLog, target.id);
    const params = statusParameters({
      baseUrl: req.baseUrl, subscriptionId: sub.id, topic: sub.criteria, status: sub.status, type: 'query-status',
      eventsSinceStart: state.lastEvent, events: [], content: 'empty', ...(state.lastError ? { error: state.lastError } : {}),
    });
    return { status: 200, headers: {}, body: bundleOf([params], 'searchset', deps.clock.now()) };
  },
};

function eventNumber(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw badRequest(`${name} must be a non-negative event number`, [name]);
  return Number(raw);
}

export const subscriptionEventsOperation: OperationSpec = {
  ...base('events'),
  async handler(deps, req, target, exec) {
    const p = readInParams(req, { eventsSinceNumber: { type: 'string' }, eventsUntilNumber: { type: 'string' }, content: { type: 'string' } }, 'events');
    const { sub, state } = await subscriptionOf(req, exec, deps.store.subscriptionLog, target.id);
    // Events older than the retention may be pruned (subscriptions/event-pruning.ts): without a lower bound the
    // replay starts at the oldest event still held; a range reaching below it is answered 410 naming that number.
    const oldest = (await deps.store.subscriptionLog.oldestEvent(sub.id)) ?? state.lastEvent + 1;
    const since = eventNumber(p.string('eventsSinceNumber'), 'eventsSinceNumber') ?? oldest;
    const until = eventNumber(p.string('eventsUntilNumber'), 'eventsUntilNumber') ?? state.lastEvent;
    const from = Math.max(1, since);
    if (from < oldest && from <= until && from <= state.lastEvent) {
      throw new FhirError(410, 'not-found',
        `Events ${from}–${Math.min(until, oldest - 1)} of Subscription/${sub.id} are no longer held (pruned after delivery); the oldest event available is ${oldest}: ask again with eventsSinceNumber=${oldest}`,
        ['eventsSinceNumber']);
    }
    const content = p.string('content') ?? 'id-only';
    if (!(PAYLOAD_CONTENTS as readonly string[]).includes(content)) throw badRequest(`content must be one of ${PAYLOAD_CONTENTS.join(', ')}`, ['content']);
    if (until < since - 1) throw badRequest('eventsUntilNumber is before eventsSinceNumber', ['eventsUntilNumber']);
    const events = await deps.store.subscriptionLog.events(sub.id, Math.max(0, since - 1), until, MAX_EVENTS_PER_CALL);
    const resources = new Map();
    if (content === 'full-resource') {
      for (const e of events) {
        const v = await exec.reader.vread(req.ctx, e.focusType, e.focusId, e.focusVersion).catch(() => null);
        if (v?.resource) resources.set(`${e.focusType}/${e.focusId}/${e.focusVersion}`, v.resource);
      }
    }
    const bundle = notificationBundle({
      baseUrl: req.baseUrl, subscriptionId: sub.id, topic: sub.criteria, status: sub.status, type: 'query-event',
      eventsSinceStart: state.lastEvent, events, content: content as PayloadContent,
    }, deps.ids.newId(), deps.clock.now(), resources);
    return { status: 200, headers: {}, body: bundle };
  },
};

export function wsBindingTokenOperation(o: SubscriptionOperationOptions): OperationSpec {
  return {
    ...base('get-ws-binding-token'),
    definition: `${BACKPORT}/OperationDefinition/backport-subscription-get-ws-binding-token`,
    async handler(deps, req, target, exec) {
      readInParams(req, {}, 'get-ws-binding-token');
      const { sub } = await subscriptionOf(req, exec, deps.store.subscriptionLog, target.id);
      const ws = sub.channel?.type === 'websocket' || JSON.stringify((sub.channel as { _type?: unknown })._type ?? '').includes('"websocket"');
      if (!ws) throw new FhirError(422, 'business-rule', `Subscription/${sub.id} does not use the websocket channel`);
      if (sub.status === 'off' || sub.status === 'error') throw new FhirError(422, 'business-rule', `Subscription/${sub.id} is ${sub.status}`);
      const exp = deps.clock.now().getTime() + o.bindingTokenMs;
      const token = issueBindingToken(o.secret, { subscriptionId: sub.id, clientId: req.ctx.clientId, exp });
      const url = new URL(req.baseUrl);
      const wsUrl = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}${WS_PATH}`;
      const body: Parameters = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'token', valueString: token },
          { name: 'expiration', valueDateTime: new Date(exp).toISOString() },
          { name: 'subscription', valueString: `${req.baseUrl}/Subscription/${sub.id}` },
          { name: 'websocket-url', valueUrl: wsUrl },
        ],
      };
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, body };
    },
  };
}
