/**
 * Scopes × interactions against the real app with tokens from the real authorization server
 * (authorization code + PKCE for users and patients, client credentials for backend services):
 * SMART v1, v2, query-restricted and system scopes, patient confinement, administrative operations.
 */
import { type SmartWorld, startSmartWorld } from './smart-setup';
import { seed } from './seed';
import { EXPORT_MATRIX, type Case, type ExportCase, MATRIX, newObs } from './scope-matrix-cases';
import { OPERATION_ACCESS } from '../../server/rest/access-requirements';
import { INTERACTIONS } from '../../server/rest/interaction-table';
import { routeOf } from '../../server/rest/route';
import type { FhirRequest } from '../../server/rest/types';

jest.setTimeout(120_000);

let w: SmartWorld;
const tokens = new Map<string, string>();

/** `sys:` scopes come from client credentials; `pat:` from a launch choosing Maria; others from a user login. */
async function token(spec: string): Promise<string> {
  const hit = tokens.get(spec);
  if (hit) return hit;
  const [kind, scope] = spec.split(':', 2);
  const t = kind === 'sys' ? await w.system(scope)
    : kind === 'pat' ? await w.user({ scope: `openid fhirUser launch/patient ${scope}`, patient: 'maria' })
      : await w.user({ scope: `openid fhirUser ${scope}` });
  tokens.set(spec, t.access_token);
  return t.access_token;
}

beforeAll(async () => {
  w = await startSmartWorld({ PSEUDONYMIZATION_KEY: 'k6H1wqf3VbXJ4m0rT8yZpL2sN9dC5eA7gU1iO3hK6jQ=' });
  await seed(w);
});
afterAll(async () => { await w?.close(); });

describe('scope × interaction matrix', () => {
  // a rest parameter: jest would take a fifth declared parameter for a `done` callback on 4-element rows
  test.each(MATRIX)('%s %s /%s → %i', async (...row: Case) => {
    const [spec, method, path, status, body] = row;
    const res = await w.fhir(path, await token(spec), { method, body });
    // the diagnostics ride along so a failure says why
    expect({ status: res.status, diagnostics: res.body?.issue?.[0]?.diagnostics }).toMatchObject({ status });
    if (status === 403) {
      expect(res.body.resourceType).toBe('OperationOutcome');
      if (res.headers.get('www-authenticate')) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=".*", error="insufficient_scope"/);
    }
  });

  test('$reindex with system/*.cruds is accepted', async () => {
    const res = await w.fhir('$reindex', await token('sys:system/*.cruds'), { method: 'POST' });
    expect(res.status).toBeLessThan(300);
  });
});

describe('$export scope matrix', () => {
  test.each(EXPORT_MATRIX)('%s GET /%s → %i', async (...row: ExportCase) => {
    const [spec, path, status] = row;
    const res = await w.fhir(path, await token(spec), { headers: { Prefer: 'respond-async' } });
    expect({ status: res.status, diagnostics: res.body?.issue?.[0]?.diagnostics }).toMatchObject({ status });
    if (status === 202) expect(res.headers.get('content-location')).toMatch(/\$export-poll-status\?_jobId=/);
    else expect(res.body.resourceType).toBe('OperationOutcome');
  });
});

describe('bulk $import', () => {
  const upload = async (scope: string, ndjson: string) => {
    const res = await w.fhir('$import', await token(scope), { method: 'POST', body: ndjson, headers: { 'Content-Type': 'application/fhir+ndjson', Prefer: 'respond-async' } });
    expect(res.status).toBe(202);
    return new URL(res.headers.get('content-location') as string).pathname.replace(/^\/fhir\//, '');
  };
  const finished = async (status: string, scope: string) => {
    for (let i = 0; i < 600; i++) {
      const res = await w.fhir(status, await token(scope));
      if (res.status !== 202) return res;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('import did not finish');
  };
  const patientLine = JSON.stringify({ resourceType: 'Patient', id: 'imported-by-backend', name: [{ family: 'Bulk' }] });
  const obsLine = JSON.stringify({ ...newObs('maria'), id: 'imported-obs' });

  test('system/*.cruds imports; the status URL is the requesting client\'s alone', async () => {
    const status = await upload('sys:system/*.cruds', patientLine);
    const done = await finished(status, 'sys:system/*.cruds');
    expect(done.status).toBe(200);
    expect(done.body.output).toEqual([{ type: 'Patient', count: 1 }]);
    expect(done.body.requiresAccessToken).toBe(true);
    const other = await w.fhir(status, (await w.system('system/*.rs', 'backend-opaque')).access_token);
    expect(other.status).toBe(404);
    expect((await w.fhir(`${status}/error.ndjson`, (await w.system('system/*.rs', 'backend-opaque')).access_token)).status).toBe(404);
    expect((await w.fhir(status, await token('user:user/*.cruds'))).status).toBe(404);
    expect((await w.fhir(status, undefined)).status).toBe(401);
  });

  test('a type-specific system scope: lines of other types are refused per line with 403 forbidden', async () => {
    const status = await upload('sys:system/Observation.cu', `${obsLine}\n${patientLine.replace('imported-by-backend', 'smuggled')}`);
    const done = await finished(status, 'sys:system/Observation.cu');
    expect(done.body.output).toEqual([{ type: 'Observation', count: 1 }]);
    expect(done.body.error[0].count).toBe(1);
    expect((await w.fhir('Patient/smuggled', await token('sys:system/*.rs'))).status).toBe(404);
  });

  test('an upload with a patient-context token → 403', async () => {
    const res = await w.fhir('$import', await token('pat:patient/*.cruds'), { method: 'POST', body: patientLine, headers: { 'Content-Type': 'application/fhir+ndjson', Prefer: 'respond-async' } });
    expect(res.status).toBe(403);
  });
});

describe('patient confinement leaks nothing', () => {
  test('a type search returns only the patient\'s resources, total included', async () => {
    const res = await w.fhir('Observation?_total=accurate', await token('pat:patient/*.rs'));
    expect(res.status).toBe(200);
    const ids = (res.body.entry ?? []).map((e: any) => e.resource.id).sort();
    expect(ids).toEqual(expect.arrayContaining(['lab-maria', 'vitals-maria']));
    expect(JSON.stringify(res.body)).not.toMatch(/sofia/);
    expect(res.body.total).toBe(ids.length);
  });

  test('searching for the other patient\'s records finds nothing', async () => {
    const res = await w.fhir('Condition?subject=Patient/sofia', await token('pat:patient/*.rs'));
    expect(res.status).toBe(200);
    expect(res.body.entry ?? []).toEqual([]);
  });

  test('$everything of her own record has no foreign ids', async () => {
    const res = await w.fhir('Patient/maria/$everything', await token('pat:patient/*.rs'));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toMatch(/sofia|Marin|Asthma/);
    expect(res.body.entry.map((e: any) => e.resource.id)).toEqual(expect.arrayContaining(['maria', 'lab-maria', 'cond-maria']));
  });

  test('a transaction Bundle cannot do what a single request may not', async () => {
    const bundle = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [{ resource: newObs('sofia'), request: { method: 'POST', url: 'Observation' } }],
    };
    const sofias = async () => (await w.fhir('Observation?subject=Patient/sofia&_total=accurate', (await w.system('system/*.rs')).access_token)).body.total;
    const before = await sofias();
    const res = await w.fhir('', await token('pat:patient/*.cruds'), { method: 'POST', body: bundle });
    expect(res.status).toBe(403);
    expect(await sofias()).toBe(before);
  });

  test('a batch answers each forbidden entry with its own 403/404', async () => {
    const bundle = {
      resourceType: 'Bundle', type: 'batch',
      entry: [{ request: { method: 'GET', url: 'Observation/lab-maria' } }, { request: { method: 'GET', url: 'Observation/lab-sofia' } }, { request: { method: 'GET', url: 'Organization/org-1' } }],
    };
    const res = await w.fhir('', await token('pat:patient/*.rs'), { method: 'POST', body: bundle });
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: any) => e.response.status.slice(0, 3))).toEqual(['200', '404', '404']);
    // only the ids the client itself asked for come back; no foreign data
    expect(JSON.stringify(res.body)).not.toMatch(/Patient\/sofia|Marin|Asthma|General Hospital/);
  });
});

describe('the access tables are complete and every row is in the matrix', () => {
  /** The interaction-table entry each matrix case routes to (cases the express app answers itself route nowhere). */
  const routed = [...MATRIX.map(([, method, path]) => [method, path]), ...EXPORT_MATRIX.map(([, path]) => ['GET', path])].flatMap(([method, path]) => {
    try {
      return [routeOf({ method: method as FhirRequest['method'], path: (path as string).split('?')[0] as string })];
    } catch {
      return [];
    }
  });

  test('each entry of the interaction table is exercised by a matrix case', () => {
    const hit = new Set(routed.map((r) => r.spec));
    expect(INTERACTIONS.filter((s) => s.kind !== 'capabilities' && !hit.has(s)).map((s) => `${s.method} /${s.path}`)).toEqual([]);
  });

  test('every operation the running server offers declares its access; every declared operation has a matrix case', async () => {
    const rest = (await w.fhir('metadata', undefined)).body.rest[0];
    const offered = new Set<string>([...(rest.operation ?? []), ...rest.resource.flatMap((r: any) => r.operation ?? [])].map((o: any) => o.name));
    expect(offered.size).toBeGreaterThan(5);
    expect([...offered].filter((name) => !Object.hasOwn(OPERATION_ACCESS, name))).toEqual([]);
    const cased = new Set(routed.filter((r) => r.spec.kind === 'operation').map((r) => r.params.op));
    expect(Object.keys(OPERATION_ACCESS).filter((name) => !cased.has(name))).toEqual([]);
  });
});
