/**
 * The websocket channel: a client asks `$get-ws-binding-token`, opens `{base}/ws`, sends
 * `bind-with-token <token>`, and receives a handshake, then every new event of its subscription (in
 * event-number order, starting after the newest event at bind time) and heartbeats. Delivery on a socket
 * is best effort: events missed while disconnected are replayed with `$events` (their numbers show the gap).
 * Events committed by other servers are picked up by polling the subscription's event counter.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { systemContext } from '../core/access-context';
import type { Clock, IdGenerator } from '../core/clock';
import type { Logger } from '../core/logger';
import type { ResourceStore, SubscriptionAccess, SubscriptionEvent } from '../store/types';
import type { NotificationType } from './backport';
import { verifyBindingToken } from './binding-token';
import type { SubscriptionCatalogue } from './catalogue';
import { authorReadContext, focusResources, notificationBundle } from './notification';
import type { ParsedSubscription } from './subscription-spec';

export interface WsHubDeps {
  store: ResourceStore;
  catalogue: SubscriptionCatalogue;
  secret: string;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  baseUrl: string;
  /** Path of the endpoint, e.g. /fhir/ws. */
  path: string;
  pollMs: number;
}

export interface WsHub {
  /** Serves the websocket endpoint on this HTTP server's upgrade requests. */
  attach(server: Server): void;
  /** Events for these subscriptions just committed in this process: push them now. */
  notify(subscriptionIds: readonly string[]): void;
  close(): Promise<void>;
}

interface Binding { ws: WebSocket; spec: ParsedSubscription; access: SubscriptionAccess; sent: number; busy: boolean; again: boolean; heartbeat?: NodeJS.Timeout }

const MAX_SOCKETS_PER_SUBSCRIPTION = 10;
const BIND_WITHIN_MS = 30_000;
const ctx = systemContext('subscription-websocket');

class Hub implements WsHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  private readonly bound = new Map<string, Set<Binding>>();
  private readonly poll: NodeJS.Timeout;

  constructor(private readonly d: WsHubDeps) {
    this.wss.on('connection', (ws: WebSocket) => this.connected(ws));
    this.poll = setInterval(() => this.pollAll(), d.pollMs);
    this.poll.unref();
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((req.url ?? '').split('?', 1)[0] !== this.d.path) { socket.destroy(); return; }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
    });
  }

  notify(ids: readonly string[]): void {
    for (const id of ids) for (const b of this.bound.get(id) ?? []) void this.pushTo(b);
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    for (const set of this.bound.values()) for (const b of set) if (b.heartbeat) clearInterval(b.heartbeat);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private connected(ws: WebSocket): void {
    let binding: Binding | undefined;
    const deadline = setTimeout(() => { if (!binding) ws.close(4001, 'bind-with-token expected'); }, BIND_WITHIN_MS).unref();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const m = isBinary ? null : /^bind-with-token (\S{1,2048})$/.exec(data.toString('utf8').trim());
      if (!m || binding) { ws.close(4000, binding ? 'already bound' : 'expected: bind-with-token <token>'); return; }
      this.bind(ws, m[1]).then((b) => {
        if (!b) ws.close(4003, 'invalid or expired binding token');
        else { binding = b; clearTimeout(deadline); }
      }, () => ws.close(1011, 'binding failed'));
    });
    ws.on('close', () => { clearTimeout(deadline); if (binding) this.unbind(binding); });
    ws.on('error', () => ws.terminate());
  }

  private async bind(ws: WebSocket, token: string): Promise<Binding | undefined> {
    const claims = verifyBindingToken(this.d.secret, token, this.d.clock.now().getTime());
    const live = claims && this.d.catalogue.live().find((s) => s.spec.id === claims.subscriptionId && s.spec.channel === 'websocket');
    if (!claims || !live || (this.bound.get(claims.subscriptionId)?.size ?? 0) >= MAX_SOCKETS_PER_SUBSCRIPTION) return undefined;
    const state = await this.d.store.subscriptionLog.state(live.spec.id);
    const b: Binding = { ws, spec: live.spec, access: live.access, sent: state?.lastEvent ?? 0, busy: false, again: false };
    this.bound.set(b.spec.id, (this.bound.get(b.spec.id) ?? new Set<Binding>()).add(b));
    await this.send(b, 'handshake', b.sent, []);
    if (b.spec.heartbeatSec) b.heartbeat = setInterval(() => void this.send(b, 'heartbeat', b.sent, []), b.spec.heartbeatSec * 1000).unref();
    return b;
  }

  private unbind(b: Binding): void {
    if (b.heartbeat) clearInterval(b.heartbeat);
    const set = this.bound.get(b.spec.id);
    set?.delete(b);
    if (set?.size === 0) this.bound.delete(b.spec.id);
  }

  private async send(b: Binding, type: NotificationType, sinceStart: number, events: SubscriptionEvent[]): Promise<void> {
    const resources = await focusResources(this.d.store, authorReadContext(ctx, b.access), b.spec.content, events);
    const bundle = notificationBundle({
      baseUrl: this.d.baseUrl, subscriptionId: b.spec.id, topic: b.spec.topic.url, status: 'active', type, eventsSinceStart: sinceStart, events, content: b.spec.content,
    }, this.d.ids.newId(), this.d.clock.now(), resources);
    if (b.ws.readyState === b.ws.OPEN) b.ws.send(JSON.stringify(bundle));
  }

  /** Sends what the socket has not seen yet, in order; one push at a time per socket. */
  private async pushTo(b: Binding): Promise<void> {
    if (b.busy) { b.again = true; return; }
    b.busy = true;
    try {
      do {
        b.again = false;
        const state = await this.d.store.subscriptionLog.state(b.spec.id);
        if (!state || state.lastEvent <= b.sent) continue;
        const events = await this.d.store.subscriptionLog.events(b.spec.id, b.sent, state.lastEvent, b.spec.maxCount);
        if (!events.length) continue;
        await this.send(b, 'event-notification', state.lastEvent, events);
        b.sent = events[events.length - 1].eventNumber;
        if (b.sent < state.lastEvent) b.again = true;
      } while (b.again);
    } catch (err) {
      this.d.logger.warn({ err, subscription: b.spec.id }, 'websocket push failed; the next poll retries');
    } finally {
      b.busy = false;
    }
  }

  private pollAll(): void {
    const live = new Set(this.d.catalogue.live().map((s) => s.spec.id));
    for (const [id, set] of this.bound) {
      for (const b of set) {
        if (!live.has(id)) b.ws.close(4004, 'subscription is no longer active');
        else void this.pushTo(b);
      }
    }
  }
}

export const createWsHub = (d: WsHubDeps): WsHub => new Hub(d);
