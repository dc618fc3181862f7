/**
 * `includeAssociatedData` (Bulk Data IG 2.0): LatestProvenanceResources adds the most recent Provenance of
 * each exported resource (by Provenance.target), RelevantProvenanceResources all of them; Provenance of
 * resources the export leaves out never comes along. Unknown values are a 400. Examples plus a property over
 * random targets and creation orders, on both drivers.
 */
import fc from 'fast-check';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { download, kickOff, waitForManifest } from './export-helpers';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 1414);

describe.each(driversUnderTest())('$export includeAssociatedData (%s)', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind, { EXPORT_PAGE_SIZE: '3' }); });
  afterAll(async () => { await app.dispose(); });

  const put = async (r: { resourceType: string; id: string; [k: string]: unknown }): Promise<void> => {
    const res = await request(app.http).put(`/fhir/${r.resourceType}/${r.id}`).set('Content-Type', 'application/fhir+json').send(r);
    if (res.status >= 300) throw new Error(`${r.resourceType}/${r.id}: ${res.status} ${res.text.slice(0, 300)}`);
  };
  const observation = (id: string, code: string) => ({ resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'urn:test', code }] } });
  const provenance = (id: string, targets: string[]) => ({
    resourceType: 'Provenance', id, target: targets.map((t) => ({ reference: `Observation/${t}` })), recorded: '2024-05-01T10:00:00Z', agent: [{ who: { display: 'lab system' } }],
  });

  /** The Provenance ids an export of run `code`'s Observations brings along. */
  async function exportedProvenance(code: string, mode: string): Promise<string[]> {
    const manifest = await waitForManifest(app.http, await kickOff(app.http, `/fhir/$export?_type=Observation&_typeFilter=${encodeURIComponent(`Observation?code=urn:test|${code}`)}&includeAssociatedData=${mode}`));
    const file = manifest.output.find((o) => o.type === 'Provenance');
    return file ? (await download(app.http, file.url)).map((r) => r.id).sort() : [];
  }

  test('the latest or every Provenance of the exported resources, nothing of the others', async () => {
    for (const [id, code] of [['ex-a', 'ex'], ['ex-b', 'ex'], ['ex-other', 'elsewhere']]) await put(observation(id, code));
    await put(provenance('ex-p1', ['ex-a']));
    await put(provenance('ex-p2', ['ex-a']));
    await put(provenance('ex-p3', ['ex-b', 'ex-other']));
    await put(provenance('ex-p4', ['ex-other']));
    expect(await exportedProvenance('ex', 'LatestProvenanceResources')).toEqual(['ex-p2', 'ex-p3']);
    expect(await exportedProvenance('ex', 'RelevantProvenanceResources')).toEqual(['ex-p1', 'ex-p2', 'ex-p3']);
    expect(await exportedProvenance('ex', 'LatestProvenanceResources,RelevantProvenanceResources')).toEqual(['ex-p1', 'ex-p2', 'ex-p3']);
    expect(await exportedProvenance('nothing-has-it', 'LatestProvenanceResources')).toEqual([]);
  }, 120_000);

  test('Provenance asked for itself is exported whole, the associated ones included once', async () => {
    const manifest = await waitForManifest(app.http, await kickOff(app.http, '/fhir/$export?_type=Observation,Provenance&includeAssociatedData=LatestProvenanceResources'));
    expect(manifest.output.filter((o) => o.type === 'Provenance')).toHaveLength(1);
    const ids = (await download(app.http, manifest.output.find((o) => o.type === 'Provenance')?.url ?? '')).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['ex-p1', 'ex-p2', 'ex-p3', 'ex-p4']));
  }, 120_000);

  test.each([
    ['includeAssociatedData=Bogus', 400],
    ['includeAssociatedData=_custom', 400],
    ['includeAssociatedData=', 400],
    ['includeAssociatedData=LatestProvenanceResources,Nope', 400],
    ['includeAssociatedData=LatestProvenanceResources&_pseudonymize=gdpr-default', 400],
  ])('$export?%s → %i', async (qs, status) => {
    const res = await request(app.http).get(`/fhir/$export?${qs}`).set('Prefer', 'respond-async');
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).resourceType).toBe('OperationOutcome');
  });

  test('property: latest = the last Provenance created per exported target; relevant = every one targeting an exported resource', async () => {
    let run = 0;
    const scenario = fc.record({
      exported: fc.integer({ min: 0, max: 3 }),
      others: fc.integer({ min: 0, max: 2 }),
      provenances: fc.array(fc.array(fc.nat(4), { minLength: 1, maxLength: 3 }), { maxLength: 6 }),
    });
    await fc.assert(fc.asyncProperty(scenario, async ({ exported, others, provenances }) => {
      const code = `prop-${run++}`;
      const obs = [...Array.from({ length: exported }, (_, i) => `${code}-in-${i}`), ...Array.from({ length: others }, (_, i) => `${code}-out-${i}`)];
      for (const id of obs) await put(observation(id, id.includes('-in-') ? code : `${code}-x`));
      const made: { id: string; targets: string[] }[] = [];
      for (const [i, picks] of provenances.entries()) {
        if (!obs.length) break;
        const targets = [...new Set(picks.map((k) => obs[k % obs.length]))];
        made.push({ id: `${code}-p${i}`, targets });
        await put(provenance(`${code}-p${i}`, targets));
      }
      const inExport = (t: string): boolean => t.includes('-in-');
      const relevant = made.filter((p) => p.targets.some(inExport)).map((p) => p.id).sort();
      const latest = [...new Set(obs.filter(inExport).map((t) => made.filter((p) => p.targets.includes(t)).pop()?.id).filter((x): x is string => x !== undefined))].sort();
      expect(await exportedProvenance(code, 'RelevantProvenanceResources')).toEqual(relevant);
      expect(await exportedProvenance(code, 'LatestProvenanceResources')).toEqual(latest);
    }), { numRuns: Math.max(3, Math.round(RUNS / 12)), seed: SEED });
  }, 600_000);
});
