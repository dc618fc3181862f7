/**
 * $export with SMART auth on (real oidc-provider): the job belongs to the client that started it — another
 * client's token gets 404 on its status, files and DELETE; files need a token; a patient-context token's
 * Patient-level export holds its own patient's data only; every request is audited.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type SmartWorld, startSmartWorld } from '../auth/smart-setup';
import { seed } from '../auth/seed';

jest.setTimeout(180_000);

let w: SmartWorld;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-auth-'));
  w = await startSmartWorld({ EXPORT_DIR: dir });
  await seed(w);
});
afterAll(async () => {
  await w?.close();
  rmSync(dir, { recursive: true, force: true });
});

const local = (url: string): string => url.slice(url.indexOf('/fhir/') + '/fhir/'.length);

async function manifestOf(statusPath: string, token: string): Promise<{ output: { type: string; url: string }[]; requiresAccessToken: boolean }> {
  for (let i = 0; i < 400; i++) {
    const res = await w.fhir(statusPath, token);
    if (res.status === 200) return res.body;
    expect(res.status).toBe(202);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('export did not finish');
}

async function text(pathBelowBase: string, token?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${w.fhirBase}/${pathBelowBase}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.text() };
}

test('status, files and cancel answer only the client that started the job', async () => {
  const mine = (await w.system('system/*.rs')).access_token;
  const other = (await w.system('system/*.rs', 'backend-opaque')).access_token;
  const kick = await w.fhir('$export?_type=Patient,Observation', mine, { headers: { Prefer: 'respond-async' } });
  expect(kick.status).toBe(202);
  const status = local(String(kick.headers.get('content-location')));
  const manifest = await manifestOf(status, mine);
  expect(manifest.requiresAccessToken).toBe(true);
  const file = local(manifest.output[0].url);
  expect((await text(file, mine)).status).toBe(200);
  expect((await w.fhir(status, other)).status).toBe(404);
  expect((await text(file, other)).status).toBe(404);
  expect((await text(file)).status).toBe(401);
  expect((await w.fhir(status, other, { method: 'DELETE' })).status).toBe(404);
  expect((await w.fhir(status, mine)).status).toBe(200);
  expect((await w.fhir(status, mine, { method: 'DELETE' })).status).toBe(202);
});

test('a patient-context token exports its own patient\'s compartment only', async () => {
  const token = (await w.user({ scope: 'openid fhirUser launch/patient patient/*.rs', patient: 'maria' })).access_token;
  const kick = await w.fhir('Patient/$export', token, { headers: { Prefer: 'respond-async' } });
  expect(kick.status).toBe(202);
  const manifest = await manifestOf(local(String(kick.headers.get('content-location'))), token);
  let all = '';
  for (const o of manifest.output) all += (await text(local(o.url), token)).body;
  expect(all).toMatch(/"id": ?"maria"/);
  expect(all).toMatch(/lab-maria/);
  expect(all).not.toMatch(/sofia|Marin|Asthma|General Hospital/);
});

/** The ids of each exported type, and what the same token's search of that type shows. */
async function exportedVsSearched(token: string, types: string): Promise<{ exported: Record<string, string[]>; searched: Record<string, string[]> }> {
  const kick = await w.fhir(`Patient/$export?_type=${types}`, token, { headers: { Prefer: 'respond-async' } });
  expect(kick.status).toBe(202);
  const manifest = await manifestOf(local(String(kick.headers.get('content-location'))), token);
  const exported: Record<string, string[]> = {};
  const searched: Record<string, string[]> = {};
  for (const type of types.split(',')) {
    const file = manifest.output.find((o) => o.type === type);
    const lines = file ? (await text(local(file.url), token)).body.split('\n').filter(Boolean) : [];
    exported[type] = lines.map((l) => (JSON.parse(l) as { id: string }).id).sort();
    const bundle = await w.fhir(`${type}?_count=100`, token);
    expect(bundle.status).toBe(200);
    searched[type] = (bundle.body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
  }
  return { exported, searched };
}

test('a patient-context token\'s export reads through its row restriction: type by type what its searches show', async () => {
  // Condition is granted outright (user/), so it is exempt from the restriction in searches and in the export alike.
  const token = (await w.user({ scope: 'openid fhirUser launch/patient patient/Patient.rs patient/Observation.rs user/Condition.rs', patient: 'maria' })).access_token;
  const { exported, searched } = await exportedVsSearched(token, 'Patient,Observation,Condition');
  expect(exported).toEqual(searched);
  expect(exported.Patient).toEqual(['maria']);
  expect(exported.Observation).toEqual(['lab-maria', 'vitals-maria']);
  expect(exported.Condition).toEqual(['cond-maria', 'cond-sofia']);
});

test('includeAssociatedData exports Provenance, so it needs read and search on Provenance', async () => {
  const ask = async (scope: string): Promise<number> => {
    const token = (await w.system(scope)).access_token;
    return (await w.fhir('$export?_type=Observation&includeAssociatedData=LatestProvenanceResources', token, { headers: { Prefer: 'respond-async' } })).status;
  };
  expect(await ask('system/Observation.rs')).toBe(403);
  expect(await ask('system/Observation.rs system/Provenance.r')).toBe(403);
  expect(await ask('system/Observation.rs system/Provenance.rs')).toBe(202);
});

test('kick-off, polling and download are audited', async () => {
  const auditor = (await w.system('system/*.rs')).access_token;
  // The recorder writes in batches: poll until the download's event is in (a fixed 1 s wait is too short under load)
  let operations = '';
  for (const until = Date.now() + 30_000; !operations.includes('export-download') && Date.now() < until;) {
    const res = await w.fhir('AuditEvent?_count=200&_sort=-date', auditor);
    operations = JSON.stringify(res.body.entry?.map((e: { resource: unknown }) => e.resource) ?? []);
    if (!operations.includes('export-download')) await new Promise((r) => setTimeout(r, 200));
  }
  expect(operations).toMatch(/\$export/);
  expect(operations).toMatch(/export-poll-status/);
  expect(operations).toMatch(/export-download/);
});
