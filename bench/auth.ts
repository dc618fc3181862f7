/**
 * bench/auth: read and search with SMART auth on vs off (issue 11: auth costs ≤ 10 %). The real built
 * server runs in its own process, once with auth off and once with auth on against the real development
 * authorization server (server/idp, oidc-provider): its tokens come from the IdP's token endpoint
 * (client credentials, private_key_jwt) and the server verifies them against the IdP's JWKS, caching each
 * verified token. With two CPUs, the servers are pinned to CPU 1 and this load generator (and the IdP) to
 * CPU 0, so the client cannot steal the servers' time. Two figures per side: throughput, and the server's
 * own CPU time per request (utime+stime from /proc, independent of the load generator). Rounds rotate
 * the order of the sides so machine noise hits all alike; costs are medians of per-round (paired) costs, with spreads and
 * the load average of every round; a second auth-off server (the control) shows how much two identical
 * processes differ by on this machine. Audit and rate limits are off on all: the difference is auth alone.
 * Also prints, in-process, one JWT verification vs a cache hit and the whole per-request auth step.
 */
import type { IncomingMessage } from 'node:http';
import autocannon from 'autocannon';
import { createAuth } from '../server/auth/context';
import { issuerMetadata } from '../server/auth/issuer-metadata';
import { createTokenVerifier } from '../server/auth/token-verifier';
import { startBenchIdp, type BenchIdp } from './lib/idp';
import { canPin, cpuSeconds, loadAverage, pin } from './lib/proc-cpu';
import { freshDatabase, startServer, type RunningServer } from './lib/server';
import { fmt } from './lib/stats';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
/** Distinct tokens in use, each held by CONNECTIONS / TOKENS connections; each is verified once, then served from the caches. */
const TOKENS = 8;
const SCOPE = 'system/*.rs';

interface Round { rps: number; cpuUs: number; load: string }

async function seed(baseUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const entry = Array.from({ length: 50 }, (_, j) => ({
      resource: { resourceType: 'Patient', name: [{ family: `Auth${i % 5}`, given: ['Bench'] }], gender: j % 2 ? 'female' : 'male', birthDate: '1970-01-01' },
      request: { method: 'POST', url: 'Patient' },
    }));
    const res = await fetch(baseUrl, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }) });
    if (!res.ok) throw new Error(`seeding answered ${res.status}`);
    const out = (await res.json()) as { entry: { response: { location: string } }[] };
    ids.push(...out.entry.map((e) => /Patient\/([^/]+)/.exec(e.response.location)?.[1] ?? ''));
  }
  return ids;
}

/** One autocannon round: requests/s and the server's CPU µs per request (throws on any non-2xx: a refused request would flatter the numbers). */
async function round(server: RunningServer, paths: () => string, tokens: string[], seconds = SECONDS): Promise<Round> {
  let n = 0;
  const pid = server.child.pid as number;
  const load = loadAverage();
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: server.baseUrl, connections: CONNECTIONS, duration: seconds,
    // each connection is one client holding one token, as real clients do. (autocannon resets a request's
    // `context` after every pass over `requests`, so a token kept there changed on every request.)
    setupClient: (client: { setHeaders(h: Record<string, string>): void }) => {
      if (tokens.length) client.setHeaders({ authorization: `Bearer ${tokens[n++ % tokens.length]}` });
    },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/fhir/${paths()}` }) }],
  });
  const cpu = cpuSeconds(pid) - cpuBefore;
  if (result.non2xx + result.errors > 0) throw new Error(`${result.non2xx} non-2xx and ${result.errors} errors: the benchmark is not measuring what it says`);
  return { rps: result.requests.average, cpuUs: (cpu * 1e6) / result['2xx'], load };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[], digits = 0): string => `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

const quartiles = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${fmt(s[Math.floor((s.length - 1) / 4)])}…${fmt(s[Math.ceil((3 * (s.length - 1)) / 4)])}`;
};

type Side = 'off' | 'on' | 'control';

/**
 * Each round's sides run back to back under the same machine load: the median of their paired costs. The
 * control is a second auth-off server: its "cost" against the first is what two identical processes differ
 * by on this machine now (the noise floor the auth cost must be read against).
 */
function report(name: string, res: Record<Side, Round[]>): void {
  const line = (what: string, get: (r: Round) => number, unit: string, costOf: (o: number, a: number) => number): void => {
    const [o, a, c] = [res.off.map(get), res.on.map(get), res.control.map(get)];
    const costs = o.map((x, i) => costOf(x, a[i]));
    const noise = o.map((x, i) => costOf(x, c[i]));
    console.log(`    ${what}: off median ${fmt(median(o), 0)} ${unit} (${range(o)}), on ${fmt(median(a), 0)} (${range(a)}), control ${fmt(median(c), 0)} (${range(c)})`);
    console.log(`      cost of auth: median ${fmt(median(costs))} % (quartiles ${quartiles(costs)} %, per round ${range(costs, 1)} %, ratio of medians ${fmt(costOf(median(o), median(a)))} %); `
      + `control vs off: median ${fmt(median(noise))} % (quartiles ${quartiles(noise)} %)`);
  };
  console.log(`  ${name} (target: cost ≤ 10 %):`);
  line('throughput', (r) => r.rps, 'req/s', (o, a) => (100 * (o - a)) / o);
  line('server CPU per request', (r) => r.cpuUs, 'µs', (o, a) => (100 * (a - o)) / o);
  console.log(`    load average per round, off | on | control (1, 5, 15 min): ${res.off.map((r, i) => `[${r.load} | ${res.on[i].load} | ${res.control[i].load}]`).join(' ')}`);
}

async function compare(name: string, servers: Record<Side, RunningServer>, paths: () => string, tokens: string[]): Promise<void> {
  const sides: [Side, string[]][] = [['off', []], ['on', tokens], ['control', []]];
  // warm-up (JIT, connection pools, token cache), not counted
  for (const [side, tks] of sides) await round(servers[side], paths, tks, 2);
  const res: Record<Side, Round[]> = { off: [], on: [], control: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // rotate which goes first, so a trend in machine load does not favour one side
    const order = [...sides.slice(r % 3), ...sides.slice(0, r % 3)];
    for (const [side, tks] of order) res[side].push(await round(servers[side], paths, tks));
  }
  report(name, res);
}

/** In-process: what the cache saves per request (a full jose verification vs a cache hit), and the whole auth step. */
async function verifierCost(idp: BenchIdp, aud: string): Promise<void> {
  const verifier = createTokenVerifier({ issuer: idp.issuer, audience: aud, clockToleranceSec: 30, cacheSize: 100_000 }, issuerMetadata(idp.issuer));
  const fresh: string[] = [];
  for (let i = 0; i < 60; i++) fresh.push(await idp.token(SCOPE));
  await verifier.verify(fresh[0]);
  let t = performance.now();
  for (const tk of fresh.slice(1)) await verifier.verify(tk);
  const cold = (performance.now() - t) / (fresh.length - 1);
  t = performance.now();
  for (let i = 0; i < 20_000; i++) await verifier.verify(fresh[i % fresh.length]);
  const hit = (performance.now() - t) / 20_000;
  console.log(`  in-process: token verification ${fmt(cold * 1000, 0)} µs per new token (jose RS256 against the IdP's JWKS), ${fmt(hit * 1000, 1)} µs per cached token`);
  const auth = createAuth({ issuer: idp.issuer, audience: aud });
  const reqs = fresh.slice(0, TOKENS).map((tk) => ({ headers: { authorization: `Bearer ${tk}` } }) as IncomingMessage);
  for (const r of reqs) await auth.contextFor(r, 'warm');
  t = performance.now();
  for (let i = 0; i < 20_000; i++) await auth.contextFor(reqs[i % reqs.length], 'bench');
  console.log(`  in-process: access context per request with a cached token ${fmt(((performance.now() - t) / 20_000) * 1000, 1)} µs (a new connection each time)`);
  // keep-alive: the same header again on the same socket (what a client's connection sends)
  const onConnection = reqs.map((r) => ({ headers: r.headers, socket: {} }) as unknown as IncomingMessage);
  for (const r of onConnection) await auth.contextFor(r, 'warm');
  t = performance.now();
  for (let i = 0; i < 20_000; i++) await auth.contextFor(onConnection[i % onConnection.length], 'bench');
  console.log(`  in-process: access context per request on a keep-alive connection ${fmt(((performance.now() - t) / 20_000) * 1000, 1)} µs`);
}

export async function benchAuth(): Promise<void> {
  const pinned = canPin();
  if (pinned) pin(process.pid, '0');
  const [clientCpu, serverCpu] = pinned ? ['0', '1'] : [undefined, undefined];
  const db = await freshDatabase('twinfhir_bench_auth');
  const common = { AUDIT_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '0' };
  const onPort = 21000 + Math.floor(Math.random() * 20000);
  const aud = `http://127.0.0.1:${onPort}/fhir`;
  const idp = await startBenchIdp(aud, onPort + 1, clientCpu);
  const off = await startServer(db.url, common, false, { cpus: serverCpu });
  const control = await startServer(db.url, common, false, { cpus: serverCpu });
  const on = await startServer(db.url, { ...common, PORT: String(onPort), AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: aud }, false, { cpus: serverCpu });
  try {
    const tokens = await Promise.all(Array.from({ length: TOKENS }, () => idp.token(SCOPE)));
    const ids = await seed(off.baseUrl);
    if ((await fetch(`${on.baseUrl}/Patient/${ids[0]}`)).status !== 401) throw new Error('the auth-on server answers without a token: auth is not on');
    console.log(`auth: SMART auth off vs on (real server processes; oidc-provider IdP, RS256 JWTs, ${TOKENS} tokens '${SCOPE}'), ${CONNECTIONS} connections, `
      + `${ROUNDS} alternating rounds of ${SECONDS} s, PostgreSQL, audit off; ${pinned ? 'servers pinned to CPU 1, load generator + IdP to CPU 0' : 'NOT pinned (taskset or a second CPU missing)'}; load average ${loadAverage()}`);
    let k = 0;
    await compare('read GET Patient/{id}', { off, on, control }, () => `Patient/${ids[k++ % ids.length]}`, tokens);
    await compare('search GET Patient?family=…&gender=female&_count=20', { off, on, control }, () => `Patient?family=Auth${k++ % 5}&gender=female&_count=20`, tokens);
    await verifierCost(idp, aud);
    console.log(`  load average at the end: ${loadAverage()}`);
  } finally {
    await Promise.all([off.stop(), on.stop(), control.stop(), idp.stop()]);
    await db.drop();
  }
}
