/**
 * The token verifier against a live JWKS endpoint: keys are fetched once and cached, a token signed
 * with a newly rotated key triggers a refetch (after jose's cooldown), a verified token is served
 * from the cache without touching the JWKS again, and the issuer's metadata is discovered.
 */
import { SignJWT } from 'jose';
import { issuerMetadata } from '../../server/auth/issuer-metadata';
import { TokenError, createTokenVerifier } from '../../server/auth/token-verifier';
import { type SigningKey, newSigningKey } from '../support/idp-process';
import { type JwksServer, startJwksServer } from '../support/jwks-server';

jest.setTimeout(60_000);

let jwks: JwksServer;
let issuer: string;
let published: SigningKey[] = [];
let jwksFetches = 0;
const AUD = 'https://fhir.example.org/fhir';

beforeAll(async () => {
  jwks = await startJwksServer(() => published.map((k) => k.publicJwk), () => { jwksFetches++; });
  issuer = jwks.issuer;
});
afterAll(() => { jwks?.close(); });

const sign = (key: SigningKey, over: Record<string, unknown> = {}) => new SignJWT({ scope: 'system/*.rs', client_id: 'svc', ...over })
  .setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer(issuer).setAudience(AUD).setIssuedAt().setExpirationTime('5m').sign(key.privateKey);

test('discovery, caching, and key rotation with refetch on an unknown kid', async () => {
  const a = await newSigningKey('key-a');
  const b = await newSigningKey('key-b');
  published = [a];
  const verifier = createTokenVerifier({ issuer, audience: AUD, clockToleranceSec: 0, cacheSize: 100 }, issuerMetadata(issuer));
  const tokenA = await sign(a);
  await expect(verifier.verify(tokenA)).resolves.toMatchObject({ clientId: 'svc', scopes: ['system/*.rs'] });
  expect(jwksFetches).toBe(1);
  // cached: neither the JWKS nor the signature is looked at again
  for (let i = 0; i < 50; i++) await verifier.verify(tokenA);
  expect(jwksFetches).toBe(1);

  // the issuer rotates to key B; a token signed with B has a kid the cached set lacks
  published = [b, a];
  await new Promise((r) => setTimeout(r, 5_200)); // past jose's refetch cooldown
  await expect(verifier.verify(await sign(b))).resolves.toMatchObject({ clientId: 'svc' });
  expect(jwksFetches).toBe(2);

  // A retired: tokens signed with it stop verifying once the set no longer has it (after the next refetch)
  published = [b];
  await new Promise((r) => setTimeout(r, 5_200));
  const c = await newSigningKey('key-c');
  await expect(verifier.verify(await sign(c))).rejects.toBeInstanceOf(TokenError);
  await expect(verifier.verify(await sign(a, { jti: 'fresh' }))).rejects.toThrow(/signature|no key/);
});
