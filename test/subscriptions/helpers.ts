/**
 * Shared set-up for the subscription suites: the real app listening on a port, a real HTTP receiver
 * that records every notification (and can be told to fail), and small builders for Backport IG
 * Subscription resources.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppOverrides } from '../../server/app';
import type { DriverKind } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

export type Json = Record<string, any>; // notification bundles and response bodies as received
export const FHIR_JSON = 'application/fhir+json';
export const BP = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
export const TOPIC = (id: string): string => `https://twinfhir.org/fhir/SubscriptionTopic/${id}`;
export const TWIN_CS = 'https://twinfhir.org/fhir/CodeSystem/twinfhir';

/** Settings that make delivery fast and allow the loopback receiver. */
export const FAST_ENV: Record<string, string> = {
  SUBSCRIPTION_ALLOW_PRIVATE: 'true', SUBSCRIPTION_REFRESH_MS: '100', SUBSCRIPTION_BACKOFF_MS: '50', SUBSCRIPTION_BACKOFF_MAX_MS: '200',
  SUBSCRIPTION_ERROR_AFTER: '2', SUBSCRIPTION_TIMEOUT_MS: '2000', AUDIT_ENABLED: 'false',
};

export interface Received { headers: Record<string, string | string[] | undefined>; body: Json }

/** A rest-hook endpoint: records what arrives; `fail` makes it answer 503 (or hang with 'hang'). */
export class Receiver {
  readonly received: Received[] = [];
  fail: false | 'error' | 'hang' = false;
  /** Requests held open by 'hang' right now. */
  hanging = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      // decided when the request arrives, so a POST sent while failing never counts as received
      const failing = this.fail;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (failing === 'hang') {
          this.hanging++;
          res.on('close', () => this.hanging--);
          return;
        }
        if (failing) { res.statusCode = 503; res.end(); return; }
        this.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json });
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  /** The status Parameters of each notification of this type. */
  ofType(type: string): Json[] {
    return this.received.map((r) => statusOf(r.body)).filter((s) => param(s, 'type')?.valueCode === type);
  }

  /** Event numbers of every event-notification, in arrival order. */
  eventNumbers(): number[] {
    return this.ofType('event-notification').flatMap((s) => events(s).map((e) => e.number));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export const statusOf = (bundle: Json): Json => bundle.entry[0].resource;
export const param = (p: Json, name: string): Json | undefined => (p.parameter as Json[]).find((x) => x.name === name);

export function events(status: Json): { number: number; focus?: string }[] {
  return (status.parameter as Json[]).filter((x) => x.name === 'notification-event').map((e) => ({
    number: Number((e.part as Json[]).find((p) => p.name === 'event-number')?.valueString),
    focus: (e.part as Json[]).find((p) => p.name === 'focus')?.valueReference?.reference,
  }));
}

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface SubscriptionOptions {
  topic: string;
  filters?: string[];
  endpoint?: string;
  channel?: 'rest-hook' | 'websocket';
  content?: 'empty' | 'id-only' | 'full-resource';
  headers?: string[];
  heartbeatSec?: number;
  maxCount?: number;
}

export function subscription(o: SubscriptionOptions): Json {
  const ext = [
    ...(o.heartbeatSec ? [{ url: `${BP}/backport-heartbeat-period`, valueUnsignedInt: o.heartbeatSec }] : []),
    ...(o.maxCount ? [{ url: `${BP}/backport-max-count`, valuePositiveInt: o.maxCount }] : []),
  ];
  return {
    resourceType: 'Subscription',
    meta: { profile: [`${BP}/backport-subscription`] },
    status: 'requested',
    reason: 'test',
    criteria: o.topic,
    ...(o.filters?.length ? { _criteria: { extension: o.filters.map((f) => ({ url: `${BP}/backport-filter-criteria`, valueString: f })) } } : {}),
    channel: {
      ...(ext.length ? { extension: ext } : {}),
      type: o.channel ?? 'rest-hook',
      ...(o.channel === 'websocket' ? {} : { endpoint: o.endpoint }),
      payload: FHIR_JSON,
      _payload: { extension: [{ url: `${BP}/backport-payload-content`, valueCode: o.content ?? 'id-only' }] },
      ...(o.headers ? { header: o.headers } : {}),
    },
  };
}

/** The real app listening on an ephemeral loopback port, websocket endpoint attached. */
export interface ServedApp { app: TestApp; base: string; server: Server; close(): Promise<void> }

export async function serveApp(kind: DriverKind, env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<ServedApp> {
  const app = await startTestApp(kind, { ...FAST_ENV, ...env }, overrides);
  const server = app.http.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  app.attachWebSocket(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  return {
    app, base, server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.dispose();
    },
  };
}

export async function fhir(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}/${path}`, {
    method, headers: { accept: FHIR_JSON, ...(body ? { 'content-type': FHIR_JSON } : {}), ...headers }, ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

export const observation = (code: string, patient = 'p1', status = 'final'): Json => ({
  resourceType: 'Observation', status, code: { coding: [{ system: 'http://loinc.org', code }] }, subject: { reference: `Patient/${patient}` },
});
