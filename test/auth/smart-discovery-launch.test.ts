/**
 * Discovery and a real SMART standalone launch: `.well-known/smart-configuration` and
 * `CapabilityStatement.rest.security` from the provider's metadata, then the official SMART client
 * (`fhirclient`, node build) launching against the real provider and the listening FHIR server:
 * authorize → login/consent choosing the patient → redirect → ready() → FHIR requests with the token.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { reservedServer } from '../support/free-port';
import { Jar, driveInteractions } from '../support/idp-process';
import { type SmartWorld, startSmartWorld } from './smart-setup';
import { seed } from './seed';

 
const smart = require('fhirclient') as (req: IncomingMessage, res: ServerResponse, storage: object) => {
  authorize(o: Record<string, unknown>): Promise<unknown>;
  ready(): Promise<{ patient: { id: string | null }; user: { fhirUser: string | null }; request(url: string): Promise<any>; state: { tokenResponse?: { scope?: string } } }>;
};

jest.setTimeout(120_000);

let w: SmartWorld;
let appServer: Server;
let appOrigin: string;

/** One user's session storage for the launching app (fhirclient keeps its state here between the two requests). */
const session = new Map<string, unknown>();
const storage = {
  get: async (k: string) => session.get(k),
  set: async (k: string, v: unknown) => { session.set(k, v); return v; },
  unset: async (k: string) => session.delete(k),
};

beforeAll(async () => {
  const reserved = await reservedServer();
  const port = reserved.port;
  appOrigin = `http://127.0.0.1:${port}`;
  w = await startSmartWorld({}, { redirectUri: `${appOrigin}/callback` });
  await seed(w);
  // The SMART app: /launch starts the standalone launch, /callback finishes it and reads with the token.
  appServer = reserved.server;
  reserved.serve((req, res) => {
    const url = new URL(req.url ?? '/', appOrigin);
    const fail = (err: unknown) => { res.statusCode = 500; res.end(String(err)); };
    if (url.pathname === '/launch') {
      smart(req, res, storage).authorize({
        iss: w.fhirBase, clientId: 'test-app', redirectUri: `${appOrigin}/callback`, pkceMode: 'required',
        scope: 'openid fhirUser launch/patient patient/*.rs',
      }).catch(fail);
      return;
    }
    smart(req, res, storage).ready().then(async (client) => {
      const observations = await client.request('Observation');
      const patient = await client.request(`Patient/${client.patient.id}`);
      const foreign = await client.request('Observation/lab-sofia').then(() => 'visible', (e: { status?: number }) => e.status);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({
        patient: client.patient.id, fhirUser: client.user.fhirUser, scope: client.state.tokenResponse?.scope,
        observationIds: (observations.entry ?? []).map((e: any) => e.resource.id).sort(), patientName: patient.name?.[0]?.family, foreign,
      }));
    }, fail);
  });
});

afterAll(async () => {
  appServer?.close();
  await w?.close();
});

describe('discovery', () => {
  test('.well-known/smart-configuration comes from the provider and lists the SMART capabilities', async () => {
    const res = await fetch(`${w.fhirBase}/.well-known/smart-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/json/);
    const cfg: any = await res.json();
    expect(cfg).toMatchObject({
      issuer: w.idp.issuer, jwks_uri: `${w.idp.issuer}/jwks`, authorization_endpoint: `${w.idp.issuer}/auth`, token_endpoint: `${w.idp.issuer}/token`,
      introspection_endpoint: `${w.idp.issuer}/token/introspection`, code_challenge_methods_supported: ['S256'], response_types_supported: ['code'],
    });
    expect(cfg.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'client_credentials']));
    expect(cfg.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(cfg.scopes_supported).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'launch/patient', 'patient/*.rs', 'system/*.rs', 'user/*.cruds']));
    expect(cfg.capabilities).toEqual(expect.arrayContaining([
      'launch-standalone', 'client-public', 'client-confidential-asymmetric', 'context-standalone-patient',
      'permission-v1', 'permission-v2', 'permission-patient', 'permission-user', 'sso-openid-connect',
    ]));
    expect(cfg.code_challenge_methods_supported).not.toContain('plain');
  });

  test('CapabilityStatement.rest.security: SMART-on-FHIR service and the oauth-uris extension', async () => {
    const res = await w.fhir('metadata', undefined);
    const security = res.body.rest[0].security;
    expect(security.service[0].coding[0]).toEqual({ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' });
    const ext = security.extension.find((e: any) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris');
    const uris = Object.fromEntries(ext.extension.map((e: any) => [e.url, e.valueUri]));
    expect(uris).toMatchObject({ authorize: `${w.idp.issuer}/auth`, token: `${w.idp.issuer}/token` });
  });
});

describe('standalone launch with the official SMART client (fhirclient)', () => {
  test('authorize → login and patient choice → redirect → ready → reads exactly the chosen patient', async () => {
    const launch = await fetch(`${appOrigin}/launch`, { redirect: 'manual' });
    expect(launch.status).toBe(302);
    const authorizeUrl = new URL(launch.headers.get('location') as string);
    expect(authorizeUrl.origin).toBe(w.idp.issuer);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('aud')).toBe(w.fhirBase);
    const callback = await driveInteractions(new Jar(), authorizeUrl.toString(), `${appOrigin}/callback`, { scope: '', patient: 'maria' });
    const done = await fetch(callback);
    const text = await done.text();
    expect([done.status, text.slice(0, 300)]).toEqual([200, expect.any(String)]);
    const out = JSON.parse(text);
    expect(out).toMatchObject({ patient: 'maria', patientName: 'Keller', fhirUser: expect.stringMatching(/Practitioner\/dr-keller$/), foreign: 404 });
    expect(out.observationIds).toEqual(['lab-maria', 'vitals-maria']);
    expect(out.scope).toMatch(/patient\/\*\.rs/);
  });
});
