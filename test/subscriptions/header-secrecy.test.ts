/**
 * Subscription.channel.header values (a receiver's credentials) reach only the subscription's author (auth on,
 * real authorization server, both drivers): every read path another client has — read, vread, history, search
 * and its includes, batch Bundles, _content, bulk $export — is scanned for the secret; the author sees it on
 * the current version; delivery still sends it; a masked copy written back keeps it for the author and is
 * refused (422) for anyone else; a placeholder in a new Subscription is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type SmartWorld, startSmartWorld } from '../auth/smart-setup';
import { driversUnderTest } from '../support/databases';
import { FAST_ENV, type Json, Receiver, TOPIC, subscription, waitFor } from './helpers';

jest.setTimeout(180_000);

const SECRET = 'Bearer s3cr3t-T0KEN-4711';
const KEY = 'k3y-0815-XYZ';
const HEADERS = [`Authorization: ${SECRET}`, `X-Api-Key: ${KEY}`];
const MASKED = ['Authorization: ***', 'X-Api-Key: ***'];
const local = (url: string): string => url.slice(url.indexOf('/fhir/') + '/fhir/'.length);
const leaks = (body: unknown): boolean => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.includes('s3cr3t') || text.includes('k3y-0815');
};

describe.each(driversUnderTest())('channel.header secrecy on %s', (kind) => {
  let w: SmartWorld;
  let dir: string;
  let rx: Receiver;
  let owner: string;
  let other: string;
  let reader: string;
  let id: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-header-secrecy-'));
    w = await startSmartWorld({ ...FAST_ENV, EXPORT_DIR: dir }, { kind });
    rx = await new Receiver().start();
    owner = (await w.user({ scope: 'openid fhirUser user/Subscription.cruds user/Observation.rs' })).access_token;
    other = (await w.system('system/*.cruds')).access_token;
    reader = (await w.system('system/*.rs', 'backend-opaque')).access_token;
    const res = await w.fhir('Subscription', owner, { method: 'POST', body: subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=4711-1'], endpoint: rx.url, headers: HEADERS }) });
    expect(res.status).toBe(201);
    id = res.body.id as string;
    await waitFor(() => rx.ofType('handshake').length === 1, 'handshake');
  });
  afterAll(async () => {
    await rx?.close();
    await w?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('delivery sends the real header values; the author reads them on the current version', async () => {
    expect(rx.received[0].headers.authorization).toBe(SECRET);
    expect(rx.received[0].headers['x-api-key']).toBe(KEY);
    const read = await w.fhir(`Subscription/${id}`, owner);
    expect(read.body.channel.header).toEqual(HEADERS);
    expect(JSON.stringify(read.body.meta.security ?? [])).not.toContain('MASKED');
    const search = await w.fhir(`Subscription?_id=${id}`, owner);
    expect(search.body.entry[0].resource.channel.header).toEqual(HEADERS);
  });

  test('every read path of another client answers Name: *** with the MASKED label', async () => {
    const version = Number((await w.fhir(`Subscription/${id}`, other)).body.meta.versionId);
    const provenance = await w.fhir('Provenance', other, { method: 'POST', body: { resourceType: 'Provenance', target: [{ reference: `Subscription/${id}` }], recorded: '2026-01-01T00:00:00Z', agent: [{ who: { reference: 'Practitioner/dr-keller' } }] } });
    expect(provenance.status).toBe(201);
    const paths = [
      `Subscription/${id}`, `Subscription/${id}/_history/1`, `Subscription/${id}/_history/${version}`, `Subscription/${id}/_history`,
      'Subscription/_history', '_history', 'Subscription', `Subscription?_id=${id}`, `Provenance?_id=${provenance.body.id}&_include=Provenance:target`,
    ];
    for (const token of [other, reader]) {
      for (const p of paths) {
        const res = await w.fhir(p, token);
        expect([p, res.status]).toEqual([p, 200]);
        expect([p, leaks(res.body)]).toEqual([p, false]);
        expect(JSON.stringify(res.body)).toContain('Authorization: ***');
      }
      const read = await w.fhir(`Subscription/${id}`, token);
      expect(read.body.channel.header).toEqual(MASKED);
      expect(read.body.meta.security).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'MASKED' })]));
      const batch = await w.fhir('', token, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: paths.map((url) => ({ request: { method: 'GET', url } })) } });
      expect(batch.status).toBe(200);
      expect(leaks(batch.body)).toBe(false);
      // _content must not be an oracle for a value: credentials are not in the text index
      const content = await w.fhir('Subscription?_content=s3cr3t', token);
      expect(content.body.total ?? content.body.entry?.length ?? 0).toBe(0);
    }
    // the author's older versions hold the same values (the server's status changes add versions): visible
    expect((await w.fhir(`Subscription/${id}/_history/1`, owner)).body.channel.header).toEqual(HEADERS);
  });

  test('bulk $export never writes header values, whoever exports', async () => {
    for (const token of [other, owner]) {
      const kick = await w.fhir('$export?_type=Subscription', token, { headers: { Prefer: 'respond-async' } });
      if (token === owner && kick.status === 403) continue; // a user token may lack export rights
      expect(kick.status).toBe(202);
      const status = local(String(kick.headers.get('content-location')));
      let manifest: Json | undefined;
      for (let i = 0; i < 400 && !manifest; i++) {
        const res = await w.fhir(status, token);
        if (res.status === 200) manifest = res.body as Json;
        else await new Promise((r) => setTimeout(r, 50));
      }
      let all = '';
      for (const o of (manifest?.output ?? []) as Json[]) all += await (await fetch(`${w.fhirBase}/${local(o.url as string)}`, { headers: { Authorization: `Bearer ${token}` } })).text();
      expect(all).toContain('Authorization: ***');
      expect(leaks(all)).toBe(false);
    }
  });

  test('a masked copy written back keeps the secret for the author and is refused for anyone else', async () => {
    const masked = (await w.fhir(`Subscription/${id}`, other)).body as Json;
    const before = (await w.fhir(`Subscription/${id}`, owner)).body as Json;
    const refused = await w.fhir(`Subscription/${id}`, other, { method: 'PUT', body: { ...masked, reason: 'changed by another client' } });
    expect(refused.status).toBe(422);
    expect(leaks(refused.body)).toBe(false);
    expect((await w.fhir(`Subscription/${id}`, owner)).body).toEqual(before);
    // the author round-trips the masked copy, asking for a new handshake: the stored values are kept
    const handshakes = rx.ofType('handshake').length;
    const kept = await w.fhir(`Subscription/${id}`, owner, { method: 'PUT', body: { ...masked, status: 'requested', reason: 'kept' } });
    expect(kept.status).toBe(200);
    const after = (await w.fhir(`Subscription/${id}`, owner)).body as Json;
    expect(after.channel.header).toEqual(HEADERS);
    expect(after.reason).toBe('kept');
    expect(JSON.stringify(after.meta.security ?? [])).not.toContain('MASKED');
    await waitFor(() => rx.ofType('handshake').length > handshakes, 'second handshake');
    expect(rx.received.at(-1)?.headers.authorization).toBe(SECRET);
  });

  test('a placeholder with nothing stored to keep is refused', async () => {
    const create = await w.fhir('Subscription', owner, { method: 'POST', body: subscription({ topic: TOPIC('resource-write'), endpoint: rx.url, headers: ['Authorization: ***'] }) });
    expect(create.status).toBe(422);
    const renamed = (await w.fhir(`Subscription/${id}`, owner)).body as Json;
    const put = await w.fhir(`Subscription/${id}`, owner, { method: 'PUT', body: { ...renamed, channel: { ...renamed.channel, header: ['X-Other: ***'] } } });
    expect(put.status).toBe(422);
  });

  test('a new author of the subscription sees its own values; the previous author no longer sees any', async () => {
    const { meta: _masked, ...current } = (await w.fhir(`Subscription/${id}`, other)).body as Json;
    const put = await w.fhir(`Subscription/${id}`, other, { method: 'PUT', body: { ...current, channel: { ...current.channel, header: ['Authorization: Bearer other-client-token'] } } });
    expect(put.status).toBe(200);
    expect((await w.fhir(`Subscription/${id}`, other)).body.channel.header).toEqual(['Authorization: Bearer other-client-token']);
    expect((await w.fhir(`Subscription/${id}`, owner)).body.channel.header).toEqual(['Authorization: ***']);
    // the new author does not inherit the previous author's secret through history
    const history = await w.fhir(`Subscription/${id}/_history`, other);
    expect(leaks(history.body)).toBe(false);
    expect(JSON.stringify(history.body)).toContain('other-client-token');
  });
});
