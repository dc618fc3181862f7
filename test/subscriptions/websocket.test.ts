/** The websocket channel end to end with a real `ws` client: binding token, bind, handshake, events in order, heartbeat, refusals. */
import WebSocket from 'ws';
import { driversUnderTest } from '../support/databases';
import { type Json, type ServedApp, TOPIC, events, fhir, observation, param, serveApp, statusOf, subscription, waitFor } from './helpers';

interface Client { ws: WebSocket; messages: Json[]; closed?: { code: number; reason: string } }

function connect(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const c: Client = { ws, messages: [] };
    ws.on('message', (data: Buffer) => c.messages.push(JSON.parse(data.toString('utf8')) as Json));
    ws.on('close', (code: number, reason: Buffer) => { c.closed = { code, reason: reason.toString() }; });
    ws.once('open', () => resolve(c));
    ws.once('error', reject);
  });
}

const typeOf = (m: Json): string => param(statusOf(m), 'type')?.valueCode as string;

describe.each(driversUnderTest())('websocket subscriptions (%s)', (kind) => {
  let s: ServedApp;
  beforeAll(async () => {
    s = await serveApp(kind);
  });
  afterAll(async () => {
    await s.close();
  });

  test('bind-with-token: handshake, then each new event in order, then heartbeats; $events replays what came before', async () => {
    const sub = await fhir(s.base, 'POST', 'Subscription', subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=5555-5'], channel: 'websocket', heartbeatSec: 1 }));
    expect(sub.status).toBe(201);
    const id = sub.body.id as string;
    await waitFor(async () => (await fhir(s.base, 'GET', `Subscription/${id}`)).body.status === 'active', 'active');
    await fhir(s.base, 'POST', 'Observation', observation('5555-5')); // recorded before binding: only $events has it
    await waitFor(async () => param(statusOf((await fhir(s.base, 'GET', `Subscription/${id}/$status`)).body), 'events-since-subscription-start')?.valueString === '1', 'first event recorded');
    const tokenRes = await fhir(s.base, 'GET', `Subscription/${id}/$get-ws-binding-token`);
    expect(tokenRes.status).toBe(200);
    const token = param(tokenRes.body, 'token')?.valueString as string;
    const url = param(tokenRes.body, 'websocket-url')?.valueUrl as string;
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/fhir\/ws$/);
    expect(Date.parse(param(tokenRes.body, 'expiration')?.valueDateTime as string)).toBeGreaterThan(Date.now());
    const c = await connect(url);
    c.ws.send(`bind-with-token ${token}`);
    await waitFor(() => c.messages.length >= 1, 'handshake');
    expect(typeOf(c.messages[0])).toBe('handshake');
    await fhir(s.base, 'POST', 'Observation', observation('5555-5'));
    await fhir(s.base, 'POST', 'Observation', observation('9999-9'));
    await fhir(s.base, 'POST', 'Observation', observation('5555-5'));
    await waitFor(() => c.messages.filter((m) => typeOf(m) === 'event-notification').flatMap((m) => events(statusOf(m))).length >= 2, 'two events');
    await waitFor(() => c.messages.some((m) => typeOf(m) === 'heartbeat'), 'heartbeat', 5000);
    expect(c.messages.filter((m) => typeOf(m) === 'event-notification').flatMap((m) => events(statusOf(m)).map((e) => e.number))).toEqual([2, 3]);
    const replay = await fhir(s.base, 'GET', `Subscription/${id}/$events?eventsSinceNumber=1&eventsUntilNumber=1`);
    expect(events(statusOf(replay.body)).map((e) => e.number)).toEqual([1]);
    c.ws.close();
  });

  test('a forged, foreign or malformed binding is refused and the socket closed', async () => {
    const bad = await connect(`${s.base.replace('http', 'ws')}/ws`);
    bad.ws.send('bind-with-token eyJmb28iOjF9.AAAA');
    await waitFor(() => bad.closed !== undefined, 'close');
    expect(bad.closed?.code).toBe(4003);
    const junk = await connect(`${s.base.replace('http', 'ws')}/ws`);
    junk.ws.send('hello');
    await waitFor(() => junk.closed !== undefined, 'close');
    expect(junk.closed?.code).toBe(4000);
    const hook = await fhir(s.base, 'POST', 'Subscription', subscription({ topic: TOPIC('resource-write'), filters: ['Patient?'], endpoint: 'http://127.0.0.1:9/x' }));
    expect((await fhir(s.base, 'GET', `Subscription/${hook.body.id as string}/$get-ws-binding-token`)).status).toBe(422);
  });
});
