/**
 * The CapabilityStatement is generated from the interaction table, the search registry and the
 * operation table; this pins its content (resource types × interactions × search parameters ×
 * operations) to what the server offered before the table existed, so a refactor cannot drop or add
 * a capability unnoticed. Regenerate the fixture only for a deliberate change of what the server offers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CapabilityStatement } from 'fhir/r4';
import request from 'supertest';
import { type TestApp, startTestApp } from '../support/test-app';

/** One line for the statement without its resources, then one line per resource entry (readable diffs). */
const FIXTURE = path.resolve(__dirname, 'fixtures/capability-statement.ndjson');

function readFixture(): CapabilityStatement {
  const [head, ...resources] = readFileSync(FIXTURE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
  const cs = head as CapabilityStatement;
  (cs.rest ?? [])[0].resource = resources as NonNullable<CapabilityStatement['rest']>[number]['resource'];
  return cs;
}

/**
 * Everything but the generation date (which follows the clock) and rest.security (SMART auth came
 * after the fixture was pinned; asserted on its own below, so the fixture stays what the table offers).
 */
function keyContent(cs: CapabilityStatement): Omit<CapabilityStatement, 'date'> {
  const { date: _date, rest, ...others } = cs;
  return { ...others, rest: rest?.map(({ security: _security, ...r }) => r) };
}

describe('CapabilityStatement', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite');
  });
  afterAll(async () => {
    await app.dispose();
  });

  test('offers exactly the pinned types, interactions, search parameters and operations', async () => {
    const res = await request(app.http).get('/fhir/metadata').set('Host', 'twinfhir.test');
    expect(res.status).toBe(200);
    const cs = res.body as CapabilityStatement;
    const expected = readFixture();
    expect(keyContent(cs)).toEqual(expected);
  });

  test('rest.security says that authentication is off (the test app runs without AUTH_ISSUER)', async () => {
    const cs = (await request(app.http).get('/fhir/metadata')).body as CapabilityStatement;
    const security = cs.rest?.[0]?.security;
    expect(security).toEqual({ cors: false, description: expect.stringMatching(/^Authentication is OFF/) as unknown as string });
    expect(security?.service).toBeUndefined();
  });

  test('every resource entry lists the nine type-level interactions and the system lists four', async () => {
    const cs = (await request(app.http).get('/fhir/metadata')).body as CapabilityStatement;
    const rest = cs.rest?.[0];
    const codes = (rest?.resource ?? []).map((r) => (r.interaction ?? []).map((i) => i.code).join(','));
    expect(new Set(codes)).toEqual(new Set(['read,vread,update,patch,delete,history-instance,history-type,create,search-type']));
    expect(rest?.interaction?.map((i) => i.code)).toEqual(['transaction', 'batch', 'search-system', 'history-system']);
  });
});
