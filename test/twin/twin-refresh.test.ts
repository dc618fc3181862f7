/** Kept current: the outbox hook and refresher rebuild the twin after writes, verification, transactions; one twin under concurrency. */
import { driversUnderTest } from '../support/databases';
import {
  FHIR, type Json, LIZ, type TwinApp, create, entryKeys, labCa125, loadSynthea, note, provisionalCa125, provisionalCondition,
  decide, section, startTwinApp, waitFor,
} from './helpers';

describe.each(driversUnderTest())('Digital Twin refresh on %s', (kind) => {
  let t: TwinApp;
  let patientId: string;
  const twinUrl = (): string => `/fhir/Composition/twin-${patientId}`;

  beforeAll(async () => {
    t = await startTwinApp(kind, { debounceMs: 30 });
    patientId = (await loadSynthea(t, LIZ)).patientId;
  }, 60_000);
  afterAll(async () => { await t.close(); });

  const idle = async (): Promise<void> => {
    await waitFor(async () => {
      const q = (await t.app.store.jobs.depth()).twin;
      return !q || (q.waiting === 0 && q.running === 0) ? true : undefined;
    }, 20_000, 'twin queue to drain');
  };
  /** The twin once `ok` holds for it. */
  const twinWhen = (ok: (twin: Json) => boolean, what: string): Promise<Json> => waitFor(async () => {
    const res = await t.api().get(twinUrl());
    return res.status === 200 && ok(res.body) ? (res.body as Json) : undefined;
  }, 20_000, what);

  test('a patient loaded in a transaction gets a twin without asking', async () => {
    const twin = await twinWhen(() => true, 'first twin');
    expect(twin.status).toBe('final');
    expect(entryKeys(section(twin, 'provisional-findings'))).toEqual([]);
  });

  test('new findings make it preliminary; verification moves them to the verified sections; _history shows each step', async () => {
    await idle();
    const start = Number((await t.api().get(twinUrl())).body.meta.versionId);
    const doc = await create(t, note(patientId));
    const condition = provisionalCondition(patientId, doc);
    const obs = provisionalCa125(patientId, doc);
    const condId = await create(t, condition);
    const obsId = await create(t, obs);
    let twin = await twinWhen((x) => entryKeys(section(x, 'provisional-findings')).length === 2, 'provisional findings');
    expect(twin.status).toBe('preliminary');

    // $verify flips the tag with an update: the hook sees it like any other write.
    await decide(t, 'Condition', condId, 'verified');
    twin = await twinWhen((x) => entryKeys(section(x, '11450-4')).includes(`Condition/${condId}`), 'verified condition in the problem list');
    expect(entryKeys(section(twin, 'provisional-findings'))).toEqual([`Observation/${obsId}`]);
    expect(twin.status).toBe('preliminary');

    await decide(t, 'Observation', obsId, 'verified');
    twin = await twinWhen((x) => x.status === 'final', 'final twin');
    expect(entryKeys(section(twin, 'tumor-markers'))).toEqual([`Observation/${obsId}`]);
    expect(section(twin, 'provisional-findings').emptyReason).toBeDefined();

    await idle();
    const history = (await t.api().get(`${twinUrl()}/_history`)).body;
    const versions = (history.entry as Json[]).map((e) => Number(e.resource.meta.versionId));
    expect(Math.max(...versions)).toBeGreaterThanOrEqual(start + 3);
    const statuses = (history.entry as Json[]).map((e) => e.resource.status as string);
    expect(statuses).toContain('preliminary');
    expect(statuses).toContain('final');
  });

  test('data arriving in a transaction Bundle reaches the twin', async () => {
    const res = await t.api().post('/fhir').set('Content-Type', FHIR).send({
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: labCa125(patientId, 501, '2026-04-01'), request: { method: 'POST', url: 'Observation' } },
        { resource: labCa125(patientId, 502, '2026-04-15'), request: { method: 'POST', url: 'Observation' } },
      ],
    });
    expect(res.status).toBe(200);
    const ids = (res.body.entry as Json[]).map((e) => `Observation/${new URL(e.response.location as string).pathname.split('/')[3]}`);
    const twin = await twinWhen((x) => ids.every((id) => entryKeys(section(x, 'tumor-markers')).includes(id)), 'transaction data');
    expect(section(twin, 'tumor-markers').text.div).toContain('<td>2026-04-15</td><td>502 U/mL</td>');
  });

  test('concurrent writes and rebuilds of one patient leave exactly one current twin with every write in it', async () => {
    await idle();
    const before = Number((await t.api().get(twinUrl())).body.meta.versionId);
    const writes = Array.from({ length: 20 }, (_, i) => create(t, labCa125(patientId, 600 + i, `2026-05-${String(i + 1).padStart(2, '0')}`)));
    const rebuilds = Array.from({ length: 4 }, () => t.api().post(`/fhir/Patient/${patientId}/$twin`).set('Content-Type', FHIR));
    const created = await Promise.all(writes);
    for (const r of await Promise.all(rebuilds)) expect(r.status).toBe(200);
    const twin = await twinWhen((x) => created.every((id) => entryKeys(section(x, 'tumor-markers')).includes(`Observation/${id}`)), 'all 20 writes');
    await idle();
    const search = await t.api().get(`/fhir/Composition?subject=Patient/${patientId}&type=https://twinfhir.org/fhir/CodeSystem/twinfhir|digital-twin&_total=accurate`);
    expect(search.body.total).toBe(1);
    expect(search.body.entry[0].resource.id).toBe(twin.id);
    // debounced: far fewer versions than the 24 writes and rebuilds
    const after = Number((await t.api().get(twinUrl())).body.meta.versionId);
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(after - before).toBeLessThan(24);
    const failed = (await t.app.store.jobs.depth()).twin?.failed ?? 0;
    expect(failed).toBe(0);
  });

  test('a second twin for the patient cannot be written through the API', async () => {
    const current = (await t.api().get(twinUrl())).body as Json;
    const { id: _id, meta: _meta, ...copy } = current;
    const res = await t.api().post('/fhir/Composition').set('Content-Type', FHIR).send(copy);
    expect(res.status).toBe(422);
    // refused by the hook or, whichever sees it first, by the database constraint (migration 006)
    expect(res.body.issue[0].diagnostics).toMatch(new RegExp(`twin-${patientId}|Patient/${patientId} already has a Digital Twin`));
    // deleted by hand, the server's twin comes back
    expect((await t.api().delete(twinUrl())).status).toBe(200);
    const back = await twinWhen(() => true, 'twin rebuilt after a delete');
    expect(back.section).toEqual(current.section);
  });

  test('deleting the patient deletes the twin', async () => {
    const other = (await loadSynthea(t, LIZ)).patientId;
    const url = `/fhir/Composition/twin-${other}`;
    await waitFor(async () => ((await t.api().get(url)).status === 200 ? true : undefined), 20_000, 'second twin');
    expect((await t.api().delete(`/fhir/Patient/${other}`)).status).toBe(200);
    await waitFor(async () => ((await t.api().get(url)).status === 410 ? true : undefined), 20_000, 'twin deleted');
  });
});
