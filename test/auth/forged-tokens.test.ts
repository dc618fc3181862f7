/**
 * Every token problem is a 401 with `WWW-Authenticate: Bearer … error="invalid_token"`: bad
 * signature, alg none, HS256 keyed with the public key, expired, not yet valid, wrong audience or
 * issuer, unknown kid, ID tokens, garbage. A token signed with the provider's real key and right
 * claims is the control: the forging harness itself produces acceptable tokens.
 */
import { createPublicKey } from 'node:crypto';
import { type JWTPayload, SignJWT, base64url, importJWK } from 'jose';
import { newSigningKey } from '../support/idp-process';
import { type SmartWorld, startSmartWorld } from './smart-setup';

jest.setTimeout(120_000);

let w: SmartWorld;
beforeAll(async () => { w = await startSmartWorld({ AUTH_CLOCK_SKEW_SEC: '5' }); });
afterAll(async () => { await w?.close(); });

const now = () => Math.floor(Date.now() / 1000);
const claims = (over: JWTPayload = {}): JWTPayload => ({
  iss: w.idp.issuer, aud: w.fhirBase, sub: 'backend', client_id: 'backend', scope: 'system/*.rs', iat: now(), exp: now() + 300, jti: `j-${Math.random()}`, ...over,
});
const signWithIdpKey = (payload: JWTPayload, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: w.idpKey.kid, typ: 'at+jwt', ...header }).sign(w.idpKey.privateKey);

async function expect401(token: string, why: RegExp | string): Promise<void> {
  const res = await w.fhir('Patient', token);
  expect(res.status).toBe(401);
  expect(res.body.resourceType).toBe('OperationOutcome');
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="[^"]+", error="invalid_token", error_description="/);
  expect(challenge).toMatch(why);
}

describe('forged and broken tokens', () => {
  test('control: the real key with the right claims is accepted', async () => {
    expect((await w.fhir('Patient', await signWithIdpKey(claims()))).status).toBe(200);
  });

  test('a real token with its signature altered', async () => {
    const { access_token: t } = await w.system('system/*.rs');
    const [h, p, s] = t.split('.');
    const sig = Buffer.from(base64url.decode(s));
    sig[10] ^= 0xff;
    await expect401(`${h}.${p}.${base64url.encode(sig)}`, /signature/);
  });

  test('a real token with its payload altered (scope widened)', async () => {
    const { access_token: t } = await w.system('system/*.rs');
    const [h, p, s] = t.split('.');
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
    payload.scope = 'system/*.cruds';
    await expect401(`${h}.${base64url.encode(JSON.stringify(payload))}.${s}`, /signature/);
  });

  test('alg none', async () => {
    const h = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const p = base64url.encode(JSON.stringify(claims()));
    await expect401(`${h}.${p}.`, /./);
    await expect401(`${h}.${p}.c2ln`, /./);
  });

  test('HS256 with the provider\'s public key as the shared secret', async () => {
    const pub = createPublicKey({ key: w.idpKey.publicJwk as any, format: 'jwk' });
    const pem = pub.export({ type: 'spki', format: 'pem' });
    for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(w.idpKey.publicJwk))]) {
      const t = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: w.idpKey.kid }).sign(new Uint8Array(secret));
      await expect401(t, /algorithm|key/);
    }
  });

  test('expired, and not yet valid (beyond the clock skew)', async () => {
    await expect401(await signWithIdpKey(claims({ iat: now() - 600, exp: now() - 60 })), /expired/);
    await expect401(await signWithIdpKey(claims({ nbf: now() + 120 })), /nbf/);
    await expect401(await signWithIdpKey({ ...claims(), exp: undefined }), /exp/);
  });

  test('wrong audience, wrong issuer', async () => {
    await expect401(await signWithIdpKey(claims({ aud: 'https://other.example/fhir' })), /aud/);
    await expect401(await signWithIdpKey(claims({ iss: 'https://evil.example' })), /iss/);
  });

  test('unknown kid (a key the provider never published), and a known kid with a foreign key', async () => {
    const foreign = await newSigningKey('rotated-unknown');
    await expect401(await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'rotated-unknown' }).sign(foreign.privateKey), /no key/);
    await expect401(await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: w.idpKey.kid }).sign(foreign.privateKey), /signature/);
  });

  test('an ID token is not an access token (audience is the client)', async () => {
    const t = await w.user({ scope: 'openid fhirUser user/*.rs' });
    expect(t.id_token).toBeDefined();
    await expect401(t.id_token as string, /aud/);
  });

  test('garbage, other schemes and an empty token', async () => {
    await expect401('not-a-jwt', /introspection|not active/);
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'Bearer ' + 'x'.repeat(9000)]) {
      const res = await fetch(`${w.fhirBase}/Patient`, { headers: { Authorization: header } });
      expect([header.slice(0, 20), res.status]).toEqual([header.slice(0, 20), 401]);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    }
  });

  test('a missing token is a bare challenge; metadata and discovery stay public', async () => {
    const res = await w.fhir('Patient/maria', undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${w.fhirBase}"`);
    expect((await w.fhir('metadata', undefined)).status).toBe(200);
    expect((await fetch(`${w.fhirBase}/.well-known/smart-configuration`)).status).toBe(200);
  });

  test('a well-formed token is verified once and then served from the cache', async () => {
    const { access_token: t } = await w.system('system/*.rs');
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) expect((await w.fhir('Patient?_count=1', t)).status).toBe(200);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeGreaterThan(0);
  });
});

describe('opaque tokens through RFC 7662 introspection', () => {
  test('an opaque access token from the provider is accepted via introspection, with its scopes', async () => {
    const t = await w.system('system/*.rs', 'backend-opaque');
    expect(t.access_token.split('.').length).not.toBe(3);
    expect((await w.fhir('Patient', t.access_token)).status).toBe(200);
    expect((await w.fhir('Patient', t.access_token, { method: 'POST', body: { resourceType: 'Patient' } })).status).toBe(403);
  });

  test('a revoked opaque token stops working once the short introspection cache expires', async () => {
    const t = await w.system('system/*.rs', 'backend-opaque');
    await importJWK(w.backendKey.publicJwk, 'RS384');
    expect((await w.fhir('Patient', t.access_token)).status).toBe(200);
    // an unknown opaque token is simply inactive
    await expect401('0123456789abcdefghijklmnopqrstuvwxyzABCDEFG', /not active/);
  });
});
