/**
 * Scopes × interactions against the real app with tokens from the real authorization server
 * (authorization code + PKCE for users and patients, client credentials for backend services):
 * SMART v1, v2, query-restricted and system scopes, patient confinement, administrative operations.
 */
import { type SmartWorld, startSmartWorld } from './smart-setup';
import { seed } from './seed';

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

const newObs = (patient: string, category = 'laboratory') => ({
  resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] }],
});
const newCondition = { resourceType: 'Condition', subject: { reference: 'Patient/maria' }, code: { text: 'Hypertension' } };
const BP = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
const newSubscription = (id?: string) => ({
  resourceType: 'Subscription', ...(id ? { id } : {}), status: 'requested', reason: 'matrix', criteria: 'https://twinfhir.org/fhir/SubscriptionTopic/provisional-finding',
  channel: { type: 'rest-hook', endpoint: 'https://receiver.example.org/hook', payload: 'application/fhir+json', _payload: { extension: [{ url: `${BP}/backport-payload-content`, valueCode: 'id-only' }] } },
});
const searchParameter = {
  resourceType: 'SearchParameter', url: 'https://twinfhir.org/fhir/SearchParameter/test-note', name: 'test-note', status: 'active',
  description: 'x', code: 'test-note', base: ['Observation'], type: 'string', expression: 'Observation.note.text',
};

const importParameters = {
  resourceType: 'Parameters',
  parameter: [{ name: 'inputFormat', valueCode: 'application/fhir+ndjson' }, { name: 'input', part: [{ name: 'url', valueUri: 'Binary/none' }] }],
};

beforeAll(async () => {
  w = await startSmartWorld({ PSEUDONYMIZATION_KEY: 'k6H1wqf3VbXJ4m0rT8yZpL2sN9dC5eA7gU1iO3hK6jQ=' });
  await seed(w);
});
afterAll(async () => { await w?.close(); });

type Case = [token: string, method: string, path: string, status: number, body?: unknown];
const MATRIX: Case[] = [
  // SMART v1 user scopes
  ['user:user/*.read', 'GET', 'Observation/lab-sofia', 200],
  ['user:user/*.read', 'GET', 'Condition', 200],
  ['user:user/*.read', 'GET', 'Observation/lab-sofia/_history', 200],
  ['user:user/*.read', 'POST', 'Condition', 403, newCondition],
  ['user:user/*.read', 'DELETE', 'Observation/lab-maria', 403],
  // SMART v2, one type
  ['user:user/Observation.rs', 'GET', 'Observation/lab-sofia', 200],
  ['user:user/Observation.rs', 'GET', 'Observation?code=2345-7', 200],
  ['user:user/Observation.rs', 'GET', 'Condition/cond-maria', 403],
  ['user:user/Observation.rs', 'GET', 'Condition', 403],
  ['user:user/Observation.rs', 'POST', 'Observation', 403, newObs('maria')],
  ['user:user/Observation.rs', 'GET', 'Patient/maria/$everything', 403],
  ['user:user/Observation.r', 'GET', 'Observation', 403],
  ['user:user/Condition.cruds', 'POST', 'Condition', 201, newCondition],
  ['user:user/Condition.cruds', 'PUT', 'Condition/cond-new', 201, { ...newCondition, id: 'cond-new' }],
  ['user:user/Condition.cruds', 'DELETE', 'Condition/cond-new', 200],
  ['user:user/Condition.cruds', 'GET', 'Observation/lab-maria', 403],
  ['user:user/Condition.cud', 'GET', 'Condition/cond-maria', 403],
  // patient context (Maria): her compartment only; reads elsewhere 404, writes elsewhere 403
  ['pat:patient/*.rs', 'GET', 'Observation/lab-maria', 200],
  ['pat:patient/*.rs', 'GET', 'Patient/maria', 200],
  ['pat:patient/*.rs', 'GET', 'Observation/lab-sofia', 404],
  ['pat:patient/*.rs', 'GET', 'Observation/lab-sofia/_history/1', 404],
  ['pat:patient/*.rs', 'GET', 'Observation/lab-sofia/_history', 404],
  ['pat:patient/*.rs', 'GET', 'Patient/sofia', 404],
  ['pat:patient/*.rs', 'GET', 'Patient/nobody', 404],
  ['pat:patient/*.rs', 'GET', 'Organization/org-1', 404],
  ['pat:patient/*.rs', 'GET', 'Patient/sofia/Observation', 404],
  ['pat:patient/*.rs', 'GET', 'Patient/sofia/$everything', 404],
  ['pat:patient/*.rs', 'GET', 'Observation/_history', 200],
  ['pat:patient/*.rs', 'GET', '_history', 403],
  ['pat:patient/*.rs', 'POST', 'Observation', 403, newObs('maria')],
  ['pat:patient/*.cruds', 'POST', 'Observation', 201, newObs('maria')],
  ['pat:patient/*.cruds', 'POST', 'Observation', 403, newObs('sofia')],
  ['pat:patient/*.cruds', 'PUT', 'Observation/lab-sofia', 403, { ...newObs('maria'), id: 'lab-sofia' }],
  ['pat:patient/*.cruds', 'PUT', 'Observation/lab-maria', 403, { ...newObs('sofia'), id: 'lab-maria' }],
  ['pat:patient/*.cruds', 'DELETE', 'Observation/lab-sofia', 403],
  ['pat:patient/*.cruds', 'POST', 'Organization', 403, { resourceType: 'Organization', name: 'x' }],
  ['pat:patient/*.write patient/*.read', 'POST', 'Condition', 201, newCondition],
  // query-restricted v2 scope
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation?category=laboratory', 200],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation', 403],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation?category=laboratory,vital-signs', 403],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation/lab-maria', 200],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation/vitals-maria', 404],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Condition/cond-maria', 403],
  ['user:user/Observation.cruds?category=laboratory', 'POST', 'Observation', 201, newObs('sofia')],
  ['user:user/Observation.cruds?category=laboratory', 'POST', 'Observation', 403, newObs('sofia', 'vital-signs')],
  // backend services and administrative operations
  ['sys:system/*.rs', 'GET', 'Observation', 200],
  ['sys:system/*.rs', 'GET', 'AuditEvent', 200],
  ['sys:system/*.rs', 'POST', 'Observation', 403, newObs('maria')],
  ['sys:system/*.rs', 'POST', '$reindex', 403],
  ['sys:system/*.rs', 'POST', 'SearchParameter', 403, searchParameter],
  ['sys:system/*.cruds', 'POST', 'SearchParameter', 201, searchParameter],
  ['user:user/*.cruds', 'POST', 'SearchParameter', 403, { ...searchParameter, url: `${searchParameter.url}-2` }],
  ['user:user/*.cruds', 'GET', 'AuditEvent', 403],
  ['user:user/*.cruds', 'POST', '$reindex', 403],
  ['user:user/*.cruds', 'GET', 'Patient/maria/$everything', 200],
  ['user:user/*.cruds', 'POST', 'Observation', 201, newObs('maria')],
  // bulk $import: a system/ write scope at kick-off (each line's type is checked per line, below)
  ['sys:system/*.rs', 'POST', '$import', 403, importParameters],
  ['user:user/*.cruds', 'POST', '$import', 403, importParameters],
  ['pat:patient/*.cruds', 'POST', '$import', 403, importParameters],
  ['sys:system/*.rs', 'GET', '$import-status/any-job', 404],
  // Subscriptions: their own scopes; $status, $events, $get-ws-binding-token need Subscription read and the author's client
  ['user:user/Observation.rs', 'POST', 'Subscription', 403, newSubscription()],
  ['pat:patient/*.cruds', 'POST', 'Subscription', 403, newSubscription()],
  ['user:user/Subscription.cruds', 'PUT', 'Subscription/sub-matrix', 201, newSubscription('sub-matrix')],
  ['user:user/Subscription.rs', 'GET', 'Subscription/sub-matrix/$status', 200],
  ['user:user/Subscription.rs', 'GET', 'Subscription/sub-matrix/$events', 200],
  ['user:user/Subscription.rs', 'GET', 'Subscription/sub-matrix/$get-ws-binding-token', 422],
  ['user:user/Observation.rs', 'GET', 'Subscription/sub-matrix/$status', 403],
  ['user:user/Observation.rs', 'GET', 'Subscription/sub-matrix/$events', 403],
  ['sys:system/*.rs', 'GET', 'Subscription/sub-matrix/$status', 403],
  ['sys:system/*.rs', 'GET', 'Subscription/sub-matrix/$events', 403],
];

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

/** Bulk Data $export kick-off: read+search on every exported type (and on Consent with _pseudonymize); patient tokens only at Patient level, for their patient. */
type ExportCase = [token: string, path: string, status: number];
const EXPORT_MATRIX: ExportCase[] = [
  ['sys:system/*.rs', '$export?_type=Observation', 202],
  ['sys:system/*.rs', 'Patient/$export', 202],
  ['sys:system/*.rs', '$export?_type=AuditEvent', 202],
  ['user:user/Observation.rs', '$export?_type=Observation', 202],
  ['user:user/Observation.rs', '$export?_type=Condition', 403],
  ['user:user/Observation.r', '$export?_type=Observation', 403],
  ['user:user/*.read', '$export?_type=AuditEvent', 403],
  ['user:user/*.cud', '$export', 403],
  ['pat:patient/*.rs', 'Patient/$export', 202],
  ['pat:patient/*.rs', '$export', 403],
  ['pat:patient/*.rs', 'Group/any/$export', 403],
  ['pat:patient/Observation.rs?category=laboratory', 'Patient/$export?_type=Observation', 403],
  // _pseudonymize: exclusions come from the patients' Consents, so Consent read+search is needed as well
  ['sys:system/*.rs', '$export?_type=Observation&_pseudonymize=gdpr-default', 202],
  ['user:user/Observation.rs user/Consent.rs', '$export?_type=Observation&_pseudonymize=gdpr-default', 202],
  ['user:user/Observation.rs', '$export?_type=Observation&_pseudonymize=gdpr-default', 403],
  ['user:user/Observation.rs user/Consent.r', '$export?_type=Observation&_pseudonymize=gdpr-default', 403],
  ['pat:patient/*.rs', 'Patient/$export?_pseudonymize=gdpr-default', 202],
  ['pat:patient/Observation.rs', 'Patient/$export?_type=Observation&_pseudonymize=gdpr-default', 403],
];

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
