/**
 * bench/auth: read and search throughput with SMART auth on vs off in one run (issue 11: auth costs
 * ≤ 10 %). A tiny authorization server in this process publishes OpenID metadata and a JWKS; the
 * auth-on server discovers it (AUTH_ISSUER) and verifies real RS256 JWTs with jose against it,
 * caching each verified token until it expires. Both servers share one seeded database and run at
 * the same time; rounds alternate off/on so machine noise hits both alike; the cost is the median of
 * the per-round (paired) costs, printed with medians and spreads. Audit and rate limits are off on
 * both so the difference is authentication/authorization.
 * Also prints, measured in-process, one JWT verification vs a cache hit and the whole per-request
 * authentication step (a steadier figure than end-to-end throughput on a loaded host).
 */
import { once } from 'node:events';
import { type IncomingMessage, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { type KeyLike, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createAuth } from '../server/auth/context';
import { createTokenVerifier } from '../server/auth/token-verifier';
import { freshDatabase, startServer, type RunningServer } from './lib/server';
import { fmt } from './lib/stats';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/** Distinct tokens in use (clients); each is verified once, then served from the cache. */
const TOKENS = 8;
const KID = 'bench-key';

interface Issuer { url: string; server: Server; privateKey: KeyLike }

/** Metadata + JWKS over HTTP, as an authorization server publishes them. */
async function startIssuer(): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] });
  let url = '';
  const server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/jwks') return void res.end(jwks);
    if (req.url?.startsWith('/.well-known/')) {
      return void res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks`, authorization_endpoint: `${url}/auth`, token_endpoint: `${url}/token`, scopes_supported: ['openid'] }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server, privateKey };
}

const token = (iss: Issuer, aud: string, client: string, scope: string): Promise<string> =>
  new SignJWT({ scope, client_id: client }).setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'at+jwt' })
    .setIssuer(iss.url).setAudience(aud).setSubject(client).setIssuedAt().setExpirationTime('2h').setJti(`${client}-${Math.random()}`).sign(iss.privateKey);

async function seed(baseUrl: string, auth: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const entry = Array.from({ length: 50 }, (_, j) => ({
      resource: { resourceType: 'Patient', name: [{ family: `Auth${i % 5}`, given: ['Bench'] }], gender: j % 2 ? 'female' : 'male', birthDate: '1970-01-01' },
      request: { method: 'POST', url: 'Patient' },
    }));
    const res = await fetch(baseUrl, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json', ...auth }, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }) });
    if (!res.ok) throw new Error(`seeding answered ${res.status}`);
    const out = (await res.json()) as { entry: { response: { location: string } }[] };
    ids.push(...out.entry.map((e) => /Patient\/([^/]+)/.exec(e.response.location)?.[1] ?? ''));
  }
  return ids;
}

/** One autocannon round: requests/s (throws on any non-2xx: a refused request would flatter the numbers). */
async function round(server: RunningServer, paths: () => string, tokens: string[]): Promise<number> {
  let n = 0;
  const result = await autocannon({
    url: server.baseUrl, connections: CONNECTIONS, duration: SECONDS,
    requests: [{
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/fhir/${paths()}`, headers: { ...req.headers, ...(tokens.length ? { Authorization: `Bearer ${tokens[n++ % tokens.length]}` } : {}) } }),
    }],
  });
  if (result.non2xx + result.errors > 0) throw new Error(`${result.non2xx} non-2xx and ${result.errors} errors: the benchmark is not measuring what it says`);
  return result.requests.average;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[], digits = 0): string => `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

/**
 * The cost is the median of the per-round costs: each round's off and on run back to back under the
 * same machine load, so their ratio is far steadier than the ratio of two medians on a busy host.
 */
function report(name: string, off: number[], on: number[]): void {
  const costs = off.map((o, i) => (100 * (o - on[i])) / o);
  console.log(`  ${name}: auth off median ${fmt(median(off), 0)} req/s (${range(off)}), auth on median ${fmt(median(on), 0)} req/s (${range(on)})`);
  console.log(`    cost of auth: median ${fmt(median(costs))} % over ${costs.length} paired rounds (per round ${range(costs, 1)} %; target ≤ 10 %)`);
}

/** In-process: what the cache saves per request (a full jose verification vs a cache hit). */
async function verifierCost(iss: Issuer, aud: string): Promise<void> {
  const verifier = createTokenVerifier({ issuer: iss.url, audience: aud, jwksUrl: `${iss.url}/jwks`, clockToleranceSec: 30, cacheSize: 100_000 }, () => Promise.reject(new Error('unused')));
  const fresh = await Promise.all(Array.from({ length: 500 }, (_, i) => token(iss, aud, `c${i}`, 'system/*.rs')));
  await verifier.verify(fresh[0]);
  let t = performance.now();
  for (const tk of fresh.slice(1)) await verifier.verify(tk);
  const cold = (performance.now() - t) / (fresh.length - 1);
  t = performance.now();
  for (let i = 0; i < 20_000; i++) await verifier.verify(fresh[i % fresh.length]);
  const hit = (performance.now() - t) / 20_000;
  console.log(`  token verification: ${fmt(cold * 1000, 0)} µs per new token (jose RS256 against the JWKS), ${fmt(hit * 1000, 1)} µs per cached token`);
  // The whole per-request authentication step the server runs (bearer parsing, cached verification, access context).
  const auth = createAuth({ issuer: iss.url, audience: aud, jwksUrl: `${iss.url}/jwks` });
  const reqs = fresh.slice(0, TOKENS).map((tk) => ({ headers: { authorization: `Bearer ${tk}` } }) as IncomingMessage);
  for (const r of reqs) await auth.contextFor(r, 'warm');
  t = performance.now();
  for (let i = 0; i < 20_000; i++) await auth.contextFor(reqs[i % reqs.length], 'bench');
  console.log(`  access context per request with a cached token: ${fmt(((performance.now() - t) / 20_000) * 1000, 1)} µs`);
}

export async function benchAuth(): Promise<void> {
  const iss = await startIssuer();
  const db = await freshDatabase('twinfhir_bench_auth');
  const common = { AUDIT_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '0' };
  const off = await startServer(db.url, common);
  // Same database, second process: AUTH_AUDIENCE must be its own base, known once it has a port.
  const onPort = 21000 + Math.floor(Math.random() * 20000);
  const aud = `http://127.0.0.1:${onPort}/fhir`;
  const on = await startServer(db.url, { ...common, PORT: String(onPort), AUTH_ISSUER: iss.url, AUTH_AUDIENCE: aud });
  try {
    const tokens = await Promise.all(Array.from({ length: TOKENS }, (_, i) => token(iss, aud, `bench-client-${i}`, 'system/*.rs')));
    const ids = await seed(off.baseUrl, {});
    if ((await fetch(`${on.baseUrl}/Patient/${ids[0]}`)).status !== 401) throw new Error('the auth-on server answers without a token: auth is not on');
    console.log(`auth: SMART auth off vs on (jose RS256, JWKS from an in-bench issuer, ${TOKENS} tokens), ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s, PostgreSQL, audit off`);
    let k = 0;
    const workloads: [string, () => string][] = [
      ['read GET Patient/{id}', () => `Patient/${ids[k++ % ids.length]}`],
      ['search GET Patient?family=…&gender=female&_count=20', () => `Patient?family=Auth${k++ % 5}&gender=female&_count=20`],
    ];
    for (const [name, paths] of workloads) {
      const res = { off: [] as number[], on: [] as number[] };
      for (let r = 0; r < ROUNDS; r++) {
        // alternate which goes first, so a trend in machine load does not favour one side
        const order: ['off' | 'on', RunningServer, string[]][] = [['off', off, []], ['on', on, tokens]];
        for (const [side, server, tks] of r % 2 ? order.reverse() : order) res[side].push(await round(server, paths, tks));
      }
      report(name, res.off, res.on);
    }
    await verifierCost(iss, aud);
  } finally {
    await Promise.all([off.stop(), on.stop()]);
    iss.server.close();
    await db.drop();
  }
}
