/** End to end: a listening server driven by fhir-kit-client, as an integration engineer would. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Client from 'fhir-kit-client';
import type { Bundle, Observation, Patient } from 'fhir/r4';
import { type TestApp, startTestApp } from '../support/test-app';

describe('fhir-kit-client against a listening server', () => {
  let app: TestApp;
  let server: Server;
  let client: Client;
  beforeAll(async () => {
    app = await startTestApp(process.env.TEST_DATABASE_URL ? 'pg' : 'pglite');
    server = app.http.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    client = new Client({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir` });
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await app.dispose();
  });

  test('capability statement', async () => {
    const cs = (await client.capabilityStatement()) as unknown as { fhirVersion: string; rest: { resource: { type: string }[] }[] };
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.rest[0].resource.map((r) => r.type)).toEqual(expect.arrayContaining(['Patient', 'Observation', 'DocumentReference']));
  });

  test('create, read, update, search, transaction, delete', async () => {
    const created = (await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Kit', given: ['Client'] }], identifier: [{ system: 'urn:e2e', value: 'K1' }] } })) as Patient;
    expect(created.id).toBeDefined();
    const read = (await client.read({ resourceType: 'Patient', id: created.id as string })) as Patient;
    expect(read.name?.[0].family).toBe('Kit');
    const updated = (await client.update({ resourceType: 'Patient', id: created.id as string, body: { ...read, gender: 'female' } })) as Patient;
    expect(updated.meta?.versionId).toBe('2');
    const found = (await client.search({ resourceType: 'Patient', searchParams: { identifier: 'urn:e2e|K1' } })) as Bundle;
    expect(found.entry?.map((e) => e.resource?.id)).toEqual([created.id]);
    const tx = (await client.transaction({
      body: {
        resourceType: 'Bundle', type: 'transaction', entry: [{
          fullUrl: 'urn:uuid:11111111-2222-4333-8444-555555555555',
          resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '83050-9' }] }, subject: { reference: `Patient/${created.id as string}` } } as Observation,
          request: { method: 'POST', url: 'Observation' },
        }],
      },
    })) as Bundle;
    expect(tx.type).toBe('transaction-response');
    expect(tx.entry?.[0].response?.status).toMatch(/^201/);
    await client.delete({ resourceType: 'Patient', id: created.id as string });
    await expect(client.read({ resourceType: 'Patient', id: created.id as string })).rejects.toMatchObject({ response: { status: 410 } });
  });
});
