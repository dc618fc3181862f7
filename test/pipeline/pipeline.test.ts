/**
 * Notes → provisional findings through the real app on every driver: a DocumentReference POSTed (or sent in
 * a transaction) gets a Task in the same transaction, the worker writes grounded, coded, provisional
 * Conditions/Observations with Provenance, re-extraction replaces only unreviewed findings, failures fail the Task.
 */
import { readFileSync } from 'node:fs';
import type { Bundle, Condition, Device, FamilyMemberHistory, Observation, Patient, Provenance, Task } from 'fhir/r4';
import request from 'supertest';
import { fromRoot } from '../../server/core/paths';
import { driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';
import { FHIR_JSON, PROVISIONAL, b64, evidenceOf, extractionTasks, noteDocument, post, search, settledTask } from './helpers';

interface DevNote { id: string; language: 'en' | 'de'; date: string; text: string }
const devNote = (id: string): DevNote => JSON.parse(readFileSync(fromRoot('..', 'shared', 'nlp', 'dev', `${id}.json`), 'utf8')) as DevNote;

const snomed = (r: Condition): string[] => (r.code?.coding ?? []).filter((c) => c.system === 'http://snomed.info/sct').map((c) => c.code ?? '');

describe.each(driversUnderTest())('notes to provisional findings on %s', (kind) => {
  let app: TestApp;
  let patient: Patient & { id: string };
  beforeAll(async () => {
    app = await startTestApp(kind, { NLP_WORKERS: '2', NLP_POLL_MS: '50' });
    patient = await post<Patient>(app, { resourceType: 'Patient', name: [{ family: 'Sommer', given: ['Helga'] }], birthDate: '1958-05-11' });
  }, 60_000);
  afterAll(async () => app?.dispose());

  test('a POSTed English note yields grounded, coded, provisional findings with one Provenance', async () => {
    const note = devNote('dev-001');
    const doc = await post(app, noteDocument(patient.id, note.text, { language: 'en', date: `${note.date}T09:00:00Z` }));
    const task = await settledTask(app, doc.id);
    expect(task.status).toBe('completed');
    expect(task.for?.reference).toBe(`Patient/${patient.id}`);
    const outputs = (task.output ?? []).map((o) => o.valueReference?.reference ?? '');
    expect(outputs.length).toBeGreaterThan(5);

    const conditions = await search<Condition>(app, `Condition?evidence-detail=DocumentReference/${doc.id}`);
    expect(conditions.length).toBeGreaterThan(2);
    for (const c of conditions) {
      expect(c.verificationStatus?.coding?.[0]?.code).toBe('unconfirmed');
      expect(c.meta?.tag?.some((t) => `${t.system}|${t.code}` === PROVISIONAL)).toBe(true);
      expect(c.meta?.security?.some((s) => s.code === 'AIAST')).toBe(true);
      expect(c.subject.reference).toBe(`Patient/${patient.id}`);
      const ev = evidenceOf(c);
      // grounded: the quote is the note's text at the recorded offsets
      expect(note.text.slice(ev.offset!, ev.offset! + ev.length!)).toBe(ev.quote);
      expect(ev.extractor).toMatch(/^rules\b/);
      expect(outputs).toContain(`Condition/${c.id}`);
    }
    // ovarian cancer (SNOMED 363443007) present; "No liver metastases" and the mother's breast cancer are not the patient's Conditions
    expect(conditions.some((c) => snomed(c).includes('363443007'))).toBe(true);
    const quotes = conditions.map((c) => evidenceOf(c).quote ?? '');
    expect(quotes.some((q) => /liver metastases/i.test(q))).toBe(false);
    expect(quotes.some((q) => /breast cancer/i.test(q))).toBe(false);
    const family = await search<FamilyMemberHistory>(app, `FamilyMemberHistory?patient=Patient/${patient.id}`);
    expect(family.some((f) => /breast/i.test(JSON.stringify(f.condition ?? [])))).toBe(true);

    const markers = await search<Observation>(app, `Observation?derived-from=DocumentReference/${doc.id}&code=http://loinc.org|10334-1`);
    expect(markers.map((o) => o.valueQuantity?.value).sort((a, b) => a! - b!)).toEqual([980, 1612, 1875]);
    for (const o of markers) {
      expect(o.status).toBe('preliminary');
      expect(o.valueQuantity?.system).toBe('http://unitsofmeasure.org');
    }
    expect(markers.find((o) => o.valueQuantity?.value === 980)?.effectiveDateTime).toBe('2025-12-02');

    const provenance = await search<Provenance>(app, `Provenance?entity=DocumentReference/${doc.id}`);
    expect(provenance).toHaveLength(1);
    expect(new Set(provenance[0].target.map((t) => t.reference))).toEqual(new Set(outputs.filter((o) => !o.startsWith('Provenance/'))));
    const device = provenance[0].agent[0].who?.reference ?? '';
    expect(device).toMatch(/^Device\//);
    const dev = (await request(app.http).get(`/fhir/${device}`)).body as Device;
    expect(dev.resourceType).toBe('Device');
    expect(await search(app, `Condition?_tag=${PROVISIONAL}&subject=Patient/${patient.id}`)).not.toHaveLength(0);
  }, 60_000);

  test('a German note inside a transaction Bundle: Task in the same transaction, findings follow', async () => {
    const note = devNote('dev-017');
    const bundle: Bundle = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:6f0c7a4e-2b1d-4a57-9c1e-1d2f3a4b5c6d', resource: { resourceType: 'Patient', name: [{ family: 'Sommer' }] }, request: { method: 'POST', url: 'Patient' } },
        {
          resource: { ...noteDocument('x', note.text, { language: 'de', date: `${note.date}T12:00:00Z` }), subject: { reference: 'urn:uuid:6f0c7a4e-2b1d-4a57-9c1e-1d2f3a4b5c6d' } },
          request: { method: 'POST', url: 'DocumentReference' },
        },
      ],
    };
    const res = await request(app.http).post('/fhir').set('Content-Type', FHIR_JSON).send(JSON.stringify(bundle));
    expect(res.status).toBe(200);
    const docId = /DocumentReference\/([^/]+)/.exec(String((res.body as Bundle).entry?.[1].response?.location))?.[1] ?? '';
    expect(await extractionTasks(app, docId)).toHaveLength(1);
    expect((await settledTask(app, docId)).status).toBe('completed');
    const conditions = await search<Condition>(app, `Condition?evidence-detail=DocumentReference/${docId}`);
    expect(conditions.some((c) => snomed(c).includes('363443007'))).toBe(true);
    for (const c of conditions) {
      const ev = evidenceOf(c);
      expect(note.text.slice(ev.offset!, ev.offset! + ev.length!)).toBe(ev.quote);
    }
  }, 60_000);

  test('a transaction that fails leaves neither document nor Task nor job', async () => {
    const before = (await search<Task>(app, 'Task?code=https://twinfhir.org/fhir/CodeSystem/twinfhir|extract')).length;
    const bundle: Bundle = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: noteDocument(patient.id, 'Ascites.'), request: { method: 'POST', url: 'DocumentReference' } },
        { resource: { resourceType: 'Patient', id: 'gone' }, request: { method: 'PUT', url: 'Patient/gone' }, },
        { request: { method: 'DELETE', url: 'Patient/gone' } },
      ],
    };
    const res = await request(app.http).post('/fhir').set('Content-Type', FHIR_JSON).send(JSON.stringify(bundle));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await search<Task>(app, 'Task?code=https://twinfhir.org/fhir/CodeSystem/twinfhir|extract')).length).toBe(before);
  });

  test('re-extraction replaces unreviewed findings and never touches reviewed ones', async () => {
    const doc = await post(app, noteDocument(patient.id, 'Assessment: ascites. Pleural effusion on the right. CA-125 512 U/mL on 02/01/2026.', { language: 'en' }));
    expect((await settledTask(app, doc.id)).status).toBe('completed');
    const first = await search<Condition>(app, `Condition?evidence-detail=DocumentReference/${doc.id}`);
    expect(first.length).toBeGreaterThanOrEqual(2);
    // a clinician confirms one through $verify (the only way a finding's review state changes)
    const doctor = await post(app, { resourceType: 'Practitioner', name: [{ family: 'Reviewer' }] });
    const put = await request(app.http).post(`/fhir/Condition/${first[0].id}/$verify`).set('Content-Type', FHIR_JSON).send(JSON.stringify({
      resourceType: 'Parameters',
      parameter: [{ name: 'decision', valueCode: 'confirm' }, { name: 'reviewer', valueReference: { reference: `Practitioner/${doctor.id}` } }],
    }));
    expect(put.status).toBe(200);

    const updated = { ...doc, content: [{ attachment: { contentType: 'text/plain', data: b64('Assessment: ascites. Pleural effusion on the right. New: hydronephrosis on the left.') } }] };
    expect((await request(app.http).put(`/fhir/DocumentReference/${doc.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(updated))).status).toBe(200);
    const tasks = await extractionTasks(app, doc.id);
    expect(tasks.length).toBe(2);
    expect((await settledTask(app, doc.id)).status).toBe('completed');
    const after = await search<Condition>(app, `Condition?evidence-detail=DocumentReference/${doc.id}`);
    const kept = after.find((c) => c.id === first[0].id);
    expect(kept?.verificationStatus?.coding?.[0]?.code).toBe('confirmed');
    expect(kept?.meta?.versionId).toBe('2');
    // the other first-run findings are gone (deleted), replaced by this run's; the reviewed one is not proposed again
    for (const c of first.slice(1)) expect((await request(app.http).get(`/fhir/Condition/${c.id}`)).status).toBe(410);
    const provisional = after.filter((c) => c.meta?.tag?.some((t) => t.code === 'provisional'));
    expect(provisional.every((c) => evidenceOf(c).offset !== evidenceOf(first[0]).offset || c.code?.coding?.[0]?.code !== first[0].code?.coding?.[0]?.code)).toBe(true);
    expect(provisional.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  test('$extract runs synchronously and returns what it wrote', async () => {
    const doc = await post(app, noteDocument(patient.id, 'Impression: malignant ascites. ECOG 1.', { language: 'en' }));
    const res = await request(app.http).post(`/fhir/DocumentReference/${doc.id}/$extract`).set('Content-Type', FHIR_JSON).send('{"resourceType":"Parameters"}');
    expect(res.status).toBe(200);
    const bundle = res.body as Bundle;
    expect(bundle.type).toBe('collection');
    const types = (bundle.entry ?? []).map((e) => e.resource?.resourceType);
    expect(types).toContain('Condition');
    expect(types).toContain('Provenance');
    expect(types[types.length - 1]).toBe('Task');
    expect(((bundle.entry ?? []).at(-1)?.resource as Task).status).toBe('completed');
    // an instance that does not exist (or the caller may not see) is 404, like a read of it
    expect((await request(app.http).post('/fhir/DocumentReference/nope/$extract').set('Content-Type', FHIR_JSON).send('{"resourceType":"Parameters"}')).status).toBe(404);
  }, 60_000);

  test('a note behind a Binary and an HTML note: offsets point into the source', async () => {
    const html = '<html><head><style>p{}</style></head><body><h1>Findings</h1><p>Massive <b>ascites</b> &amp; pleural effusion.</p></body></html>';
    const bin = await post(app, { resourceType: 'Binary', contentType: 'text/html; charset=utf-8', data: b64(html) });
    const doc = await post(app, { ...noteDocument(patient.id, ''), content: [{ attachment: { contentType: 'text/html', url: `Binary/${bin.id}` } }] });
    expect((await settledTask(app, doc.id)).status).toBe('completed');
    const conditions = await search<Condition>(app, `Condition?evidence-detail=DocumentReference/${doc.id}`);
    const ascites = conditions.find((c) => /ascites/i.test(evidenceOf(c).quote ?? ''));
    expect(ascites).toBeDefined();
    const ev = evidenceOf(ascites!);
    expect(html.slice(ev.offset!, ev.offset! + ev.length!)).toContain('ascites');
  }, 60_000);

  test('documents that cannot be read fail their Task with a reason; nothing is written', async () => {
    const png = await post(app, { ...noteDocument(patient.id, ''), content: [{ attachment: { contentType: 'image/png', data: b64('\x89PNG') } }] });
    const noSubject = await post(app, { ...noteDocument(patient.id, 'Ascites.'), subject: undefined });
    for (const doc of [png, noSubject]) {
      const task = await settledTask(app, doc.id);
      expect(task.status).toBe('failed');
      expect(task.statusReason?.text).toBeTruthy();
      expect(await search(app, `Condition?evidence-detail=DocumentReference/${doc.id}`)).toHaveLength(0);
    }
    expect((await settledTask(app, png.id)).statusReason?.text).toMatch(/image\/png/);
  }, 60_000);

  test('/metrics counts findings by engine and jobs by outcome', async () => {
    const metrics = await request(app.http).get('/metrics');
    expect(metrics.text).toMatch(/twinfhir_nlp_findings_total\{engine="rules",kind="Condition"\} [1-9]/);
    expect(metrics.text).toMatch(/twinfhir_nlp_jobs_total\{outcome="completed"\} [1-9]/);
    // queue depth for autoscaling: every job of this suite is done
    expect(metrics.text).toMatch(/twinfhir_jobs\{queue="nlp",state="waiting"\} 0/);
  });
});

describe.each(driversUnderTest())('extraction Tasks without workers on %s', (kind) => {
  let app: TestApp;
  let patientId: string;
  beforeAll(async () => {
    app = await startTestApp(kind, { NLP_WORKERS: '0' });
    patientId = (await post<Patient>(app, { resourceType: 'Patient', name: [{ family: 'Waiting' }] })).id;
  }, 60_000);
  afterAll(async () => app?.dispose());

  test('a new version supersedes the waiting extraction; deleting the document cancels it', async () => {
    const doc = await post(app, noteDocument(patientId, 'Ascites.'));
    const [first] = await extractionTasks(app, doc.id);
    expect(first.status).toBe('requested');
    expect(first.focus?.reference).toBe(`DocumentReference/${doc.id}`);
    expect(first.input?.[0].valueReference?.reference).toBe(`DocumentReference/${doc.id}/_history/1`);
    await request(app.http).put(`/fhir/DocumentReference/${doc.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify({ ...noteDocument(patientId, 'Ascites and effusion.'), id: doc.id }));
    const tasks = await extractionTasks(app, doc.id);
    expect(tasks.map((t) => t.status).sort()).toEqual(['cancelled', 'requested']);
    expect(tasks.find((t) => t.status === 'cancelled')?.statusReason?.text).toMatch(/superseded by version 2/);
    await request(app.http).delete(`/fhir/DocumentReference/${doc.id}`);
    expect((await extractionTasks(app, doc.id)).map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
  });
});
