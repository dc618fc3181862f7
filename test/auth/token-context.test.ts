/**
 * The access context a verified token becomes (auth/context.ts): built once per token and shared by its
 * requests (only the request id differs), with its row restrictions frozen so no request can loosen
 * another's confinement; distinct tokens never share a context, also on one keep-alive connection (which
 * remembers its last token only until that token expires). Real RS256 tokens against a live JWKS.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { SignJWT } from 'jose';
import { createAuth } from '../../server/auth/context';
import { type SigningKey, newSigningKey } from '../support/idp-process';
import { type JwksServer, startJwksServer } from '../support/jwks-server';

let jwks: JwksServer;
let issuer: string;
let key: SigningKey;
const AUD = 'https://fhir.example.org/fhir';

beforeAll(async () => {
  key = await newSigningKey('k1');
  jwks = await startJwksServer(() => [key.publicJwk]);
  issuer = jwks.issuer;
});
afterAll(() => { jwks?.close(); });

const sign = (claims: Record<string, unknown>) => new SignJWT({ client_id: 'app', ...claims })
  .setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer(issuer).setAudience(AUD).setIssuedAt().setExpirationTime('5m').sign(key.privateKey);
const request = (token: string, socket?: object) => ({ headers: { authorization: `Bearer ${token}` }, socket: socket as Socket | undefined }) as IncomingMessage;

test('one context per token, shared by its requests except the request id; restrictions frozen; tokens never share', async () => {
  const auth = createAuth({ issuer, audience: AUD });
  const alice = await sign({ scope: 'patient/*.rs user/Observation.rs', patient: 'alice' });
  const system = await sign({ scope: 'system/*.rs' });
  const first = await auth.contextFor(request(alice), 'r1');
  const second = await auth.contextFor(request(alice), 'r2');
  expect([first.requestId, second.requestId]).toEqual(['r1', 'r2']);
  expect({ ...first, requestId: 'x' }).toEqual({ ...second, requestId: 'x' });
  expect(first.readRestriction).toEqual({ patient: 'alice', exemptTypes: ['Observation'] });
  expect(first).not.toBe(second);
  const restriction = first.readRestriction as { patient: string; exemptTypes: string[] };
  expect(() => { restriction.patient = 'bruno'; }).toThrow(TypeError);
  expect(() => { restriction.exemptTypes.push('Patient'); }).toThrow(TypeError);
  expect((await auth.contextFor(request(alice), 'r3')).readRestriction).toEqual({ patient: 'alice', exemptTypes: ['Observation'] });
  const other = await auth.contextFor(request(system), 'r4');
  expect([other.readRestriction, other.patient, other.scopes]).toEqual([undefined, undefined, ['system/*.rs']]);
});

test('one connection, several tokens: each request gets its own token\'s context; a remembered token still expires', async () => {
  const auth = createAuth({ issuer, audience: AUD, clockSkewSec: 0 });
  const socket = {};
  const alice = await sign({ scope: 'patient/*.rs', patient: 'alice' });
  const bruno = await sign({ scope: 'patient/*.rs', patient: 'bruno' });
  const seen = [];
  for (const [token, id] of [[alice, 'a1'], [alice, 'a2'], [bruno, 'b1'], [alice, 'a3'], [bruno, 'b2']]) {
    const ctx = await auth.contextFor(request(token, socket), id);
    seen.push([id, ctx.patient, ctx.readRestriction?.patient]);
  }
  expect(seen).toEqual([['a1', 'alice', 'alice'], ['a2', 'alice', 'alice'], ['b1', 'bruno', 'bruno'], ['a3', 'alice', 'alice'], ['b2', 'bruno', 'bruno']]);
  // a tampered header on the same connection is verified afresh, not matched to the remembered one
  await expect(auth.contextFor(request(`${bruno.slice(0, -4)}AAAA`, socket), 'x')).rejects.toMatchObject({ status: 401 });
  // 2 to 3 s of life (whole seconds): the first use must land inside it even on a loaded machine
  const exp = Math.floor(Date.now() / 1000) + 3;
  const shortLived = await new SignJWT({ client_id: 'app', scope: 'system/*.rs' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer(issuer).setAudience(AUD).setIssuedAt().setExpirationTime(exp).sign(key.privateKey);
  await expect(auth.contextFor(request(shortLived, socket), 's1')).resolves.toMatchObject({ scopes: ['system/*.rs'] });
  await new Promise((r) => setTimeout(r, (exp + 1) * 1000 - Date.now()));
  await expect(auth.contextFor(request(shortLived, socket), 's2')).rejects.toMatchObject({ status: 401 });
});
