/**
 * End to end as a client application would do it: fhir-kit-client against a listening server with NLP and twin
 * workers on — a note POSTed becomes provisional findings, a clinician confirms one with $verify, and the
 * patient's Digital Twin shows it as verified.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Client from 'fhir-kit-client';
import type { Bundle, Composition, Condition, Parameters, Patient, Practitioner, Task } from 'fhir/r4';
import { type TestApp, startTestApp } from '../support/test-app';

const TWIN_TYPE = 'https://twinfhir.org/fhir/CodeSystem/twinfhir|digital-twin';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('fhir-kit-client: note → findings → verification → twin', () => {
  let app: TestApp;
  let server: Server;
  let client: Client;
  beforeAll(async () => {
    app = await startTestApp(process.env.TEST_DATABASE_URL ? 'pg' : 'pglite', {
      NLP_WORKERS: '1', NLP_POLL_MS: '50', TWIN_WORKERS: '1', TWIN_DEBOUNCE_MS: '20', TWIN_POLL_MS: '50',
    });
    server = app.http.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    client = new Client({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir` });
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await app.dispose();
  });

  test('a POSTed note is extracted, a finding is confirmed, and the twin follows', async () => {
    const patient = (await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Kit' }] } })) as Patient;
    const doctor = (await client.create({ resourceType: 'Practitioner', body: { resourceType: 'Practitioner', name: [{ family: 'Berger' }] } })) as Practitioner;
    const note = 'Assessment: high-grade serous carcinoma of the left ovary. Moderate ascites. No pleural effusion.';
    const doc = (await client.create({
      resourceType: 'DocumentReference',
      body: {
        resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${patient.id as string}` },
        content: [{ attachment: { contentType: 'text/plain', language: 'en', data: Buffer.from(note).toString('base64') } }],
      },
    })) as unknown as { id: string };

    const task = await until('the extraction Task', async () => {
      const b = (await client.search({ resourceType: 'Task', searchParams: { focus: `DocumentReference/${doc.id}`, status: 'completed' } })) as Bundle;
      return b.entry?.[0]?.resource as Task | undefined;
    });
    expect(task.output?.length).toBeGreaterThan(0);
    const found = (await client.search({ resourceType: 'Condition', searchParams: { 'evidence-detail': `DocumentReference/${doc.id}` } })) as Bundle;
    const conditions = (found.entry ?? []).map((e) => e.resource as Condition);
    expect(conditions.map((c) => c.verificationStatus?.coding?.[0]?.code)).toEqual(conditions.map(() => 'unconfirmed'));
    const cancer = conditions.find((c) => c.code?.coding?.some((x) => x.code === '363443007'));
    expect(cancer).toBeDefined();
    expect(conditions.some((c) => JSON.stringify(c).includes('pleural effusion'))).toBe(false);

    const verified = (await client.operation({
      name: 'verify', resourceType: 'Condition', id: cancer!.id as string, method: 'POST',
      input: { resourceType: 'Parameters', parameter: [
        { name: 'decision', valueCode: 'confirm' }, { name: 'reviewer', valueReference: { reference: `Practitioner/${doctor.id as string}` } },
        { name: 'version', valueInteger: Number(cancer!.meta?.versionId) },
      ] } as Parameters,
    })) as Parameters;
    const now = verified.parameter?.find((p) => p.name === 'resource')?.resource as Condition;
    expect(now.verificationStatus?.coding?.[0]?.code).toBe('confirmed');

    // the twin lists the confirmed cancer among the verified conditions (kept current by the refresher)
    const twin = await until('a twin with the confirmed condition', async () => {
      const b = (await client.search({ resourceType: 'Composition', searchParams: { subject: `Patient/${patient.id as string}`, type: TWIN_TYPE } })) as Bundle;
      const c = b.entry?.[0]?.resource as Composition | undefined;
      const problems = c?.section?.find((s) => s.code?.coding?.some((x) => x.code === '11450-4'));
      return problems?.entry?.some((e) => e.reference === `Condition/${cancer!.id as string}`) ? c : undefined;
    });
    expect(twin.subject?.reference).toBe(`Patient/${patient.id as string}`);
  }, 60_000);
});
