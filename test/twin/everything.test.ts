/** Patient/$everything (instance and type level): paging returns everything exactly once; _type, _since, start/end. */
import { readFileSync } from 'node:fs';
import { driversUnderTest } from '../support/databases';
import { type Json, LIZ, LUIGI, type Loaded, SYNTHEA_DIR, type TwinApp, loadSynthea, startTwinApp } from './helpers';

describe.each(driversUnderTest())('$everything on %s', (kind) => {
  let t: TwinApp;
  let liz: Loaded;
  let luigi: Loaded;

  beforeAll(async () => {
    t = await startTwinApp(kind, { hook: false });
    liz = await loadSynthea(t, LIZ);
    luigi = await loadSynthea(t, LUIGI);
  }, 60_000);
  afterAll(async () => { await t.close(); });

  /** Follows next links from `url`; every entry as 'Type/id' with its search mode, and the page count. */
  async function pages(url: string): Promise<{ keys: string[]; modes: Map<string, string>; pages: number }> {
    const keys: string[] = [];
    const modes = new Map<string, string>();
    let next: string | undefined = url;
    let n = 0;
    while (next) {
      const res = await t.api().get(next);
      expect(res.status).toBe(200);
      expect(res.body.type).toBe('searchset');
      for (const e of (res.body.entry ?? []) as Json[]) {
        const k = `${e.resource.resourceType as string}/${e.resource.id as string}`;
        keys.push(k);
        modes.set(k, e.search.mode as string);
      }
      const link = (res.body.link as Json[]).find((l) => l.relation === 'next');
      next = link ? new URL(link.url as string).pathname + new URL(link.url as string).search : undefined;
      n++;
      expect(n).toBeLessThan(200);
    }
    return { keys, modes, pages: n };
  }

  const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

  test('pages of 7 return the patient, the compartment and the referenced practitioners/organizations exactly once', async () => {
    const all = await pages(`/fhir/Patient/${liz.patientId}/$everything?_count=7`);
    expect(all.keys.length).toBe(new Set(all.keys).size);
    expect(sorted(all.keys)).toEqual(sorted(liz.keys));
    expect(all.pages).toBe(Math.ceil(liz.keys.length / 7));
    expect(all.keys[0]).toBe(`Patient/${liz.patientId}`);
    expect(all.modes.get(liz.keys.find((k) => k.startsWith('Practitioner/')) as string)).toBe('include');
    expect(all.modes.get(liz.keys.find((k) => k.startsWith('Observation/')) as string)).toBe('match');
    const one = await pages(`/fhir/Patient/${liz.patientId}/$everything?_count=1000`);
    expect(one.pages).toBe(1);
    expect(sorted(one.keys)).toEqual(sorted(all.keys));
  });

  test('_type limits the types; _since limits to recent changes', async () => {
    const some = await pages(`/fhir/Patient/${liz.patientId}/$everything?_type=Observation,Practitioner&_count=10`);
    expect(sorted(some.keys)).toEqual(sorted(liz.keys.filter((k) => k.startsWith('Observation/') || k.startsWith('Practitioner/'))));
    const future = await pages(`/fhir/Patient/${liz.patientId}/$everything?_since=2999-01-01T00:00:00Z`);
    expect(future.keys).toEqual([]);
    const past = await pages(`/fhir/Patient/${liz.patientId}/$everything?_since=2000-01-01T00:00:00Z&_count=50`);
    expect(sorted(past.keys)).toEqual(sorted(liz.keys));
  });

  test('start/end keep resources whose care dates fall in the range (and undated ones)', async () => {
    const bundle = JSON.parse(readFileSync(`${SYNTHEA_DIR}/${LIZ}`, 'utf8')) as Json;
    const in2015 = (bundle.entry as Json[]).filter((e) => e.resource.resourceType === 'Observation' && String(e.resource.effectiveDateTime).startsWith('2015')).length;
    const res = await pages(`/fhir/Patient/${liz.patientId}/$everything?_type=Observation&start=2015-01-01&end=2015-12-31&_count=5`);
    expect(res.keys.length).toBe(in2015);
    expect(in2015).toBeGreaterThan(0);
    const withPatient = await pages(`/fhir/Patient/${liz.patientId}/$everything?start=2015-01-01&end=2015-12-31`);
    expect(withPatient.keys).toContain(`Patient/${liz.patientId}`);
    expect(withPatient.keys.length).toBeLessThan(liz.keys.length);
  });

  test('type level: every patient and each compartment resource exactly once, paged', async () => {
    const all = await pages('/fhir/Patient/$everything?_count=9');
    const compartment = (k: string): boolean => !k.startsWith('Practitioner/') && !k.startsWith('Organization/');
    const got = all.keys.filter(compartment);
    expect(got.length).toBe(new Set(got).size);
    expect(sorted(got)).toEqual(sorted([...liz.keys, ...luigi.keys].filter(compartment)));
    for (const k of [...liz.keys, ...luigi.keys]) expect(all.keys).toContain(k);
    expect(all.pages).toBeGreaterThan(1);
  });

  test('errors: unknown patient 404, unknown _type 400, tampered continuation 400', async () => {
    expect((await t.api().get('/fhir/Patient/nobody/$everything')).status).toBe(404);
    expect((await t.api().get(`/fhir/Patient/${liz.patientId}/$everything?_type=Nonsense`)).status).toBe(400);
    expect((await t.api().get(`/fhir/Patient/${liz.patientId}/$everything?_cursor=xyz`)).status).toBe(400);
    const forged = Buffer.from(JSON.stringify({ ph: 'm', c: 'forged' })).toString('base64url');
    expect((await t.api().get(`/fhir/Patient/${liz.patientId}/$everything?_cursor=${forged}`)).status).toBe(400);
    expect((await t.api().get(`/fhir/Patient/${liz.patientId}/$everything?start=yesterday`)).status).toBe(400);
  });
});
