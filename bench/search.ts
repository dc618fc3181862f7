/**
 * bench/search: the Synthea bundles copied to ≥ BENCH_SEARCH_RESOURCES (default 1,000,000) on PostgreSQL,
 * then a fixed query mix; prints p50/p95/p99 per query and whether EXPLAIN shows index use.
 * BENCH_SEARCH_REUSE=1 keeps the loaded database (a fixed name under BENCH_DATABASE_URL) and reuses
 * it on the next run, loading only what is missing, so query work can be iterated without a reload;
 * pending migrations still run on it at server start. Drop it by hand when done.
 */
import { Client } from 'pg';
import { createSearchRegistry } from '../server/search/registry';
import { parseSearchParams } from '../server/search/parse';
import { whereSql } from '../server/store/search/search-sql';
import { SqlBuilder } from '../server/store/search/sql-builder';
import { segmentSql } from '../server/store/search/page-query';
import { multiKeyWalk } from '../server/store/search/keyed-source';
import { sortColumns } from '../server/store/search/sort';
import { ingestInto, loadBundles } from './ingest';
import { type BenchDatabase, adminUrl, freshDatabase, startServer } from './lib/server';
import { fmt, summarize } from './lib/stats';

const TARGET = Number(process.env.BENCH_SEARCH_RESOURCES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 30);
const REUSE = process.env.BENCH_SEARCH_REUSE === '1';
const REUSE_DB = 'twinfhir_bench_search_reuse';

/** The kept database of BENCH_SEARCH_REUSE (created when missing); `drop` leaves it in place. */
async function reusableDatabase(): Promise<BenchDatabase> {
  const admin = adminUrl();
  if (!admin) throw new Error('Set BENCH_DATABASE_URL (a PostgreSQL URL whose user may CREATE DATABASE) to run this benchmark');
  const c = new Client({ connectionString: admin });
  await c.connect();
  const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [REUSE_DB]);
  if (found.rowCount === 0) await c.query(`CREATE DATABASE ${REUSE_DB}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${REUSE_DB}`;
  return { url: url.toString(), drop: () => Promise.resolve() };
}

async function storedResources(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>('SELECT count(*)::text AS n FROM resource');
    return Number(rows[0].n);
  } finally {
    await c.end();
  }
}

interface Compartment { resourceType: string; id: string }
interface Bundle { total?: number; entry?: { resource: { id: string; name?: { family?: string }[] } }[]; link?: { relation: string; url: string }[] }

async function get(url: string): Promise<{ ms: number; body: Bundle }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = (await res.json()) as Bundle;
  if (res.status !== 200) throw new Error(`${res.status} for ${url}: ${JSON.stringify(body).slice(0, 300)}`);
  return { ms: performance.now() - t, body };
}

/** Index use of a query's WHERE clause, read from EXPLAIN (no ANALYZE: the plan is what matters). */
async function explain(db: Client, type: string, qs: string, compartment?: Compartment): Promise<string> {
  const registry = createSearchRegistry();
  const pairs = [...new URLSearchParams(qs)];
  const { query } = parseSearchParams(registry, [type], pairs.filter(([k]) => !k.startsWith('_') || k === '_sort'));
  if (compartment) query.compartment = compartment;
  const b = new SqlBuilder();
  // A sorted search: the plan of its first page query, read as page-query.ts reads it (compartment:
  // matches first; one key, or a date/number first: the walk of its index; else the planner's); else the WHERE's.
  const cols = sortColumns(query, registry);
  const segment = compartment ? 'matches' : cols.length === 1 || multiKeyWalk(cols) ? 'walk' : 'keyed';
  const { text, params } = query.sort.length
    ? segmentSql({ query, registry, codeSets: new Map(), where: (wb) => whereSql(wb, query, registry), limit: 21 }, segment, 21)
    : { text: `SELECT r.rid FROM resource r WHERE ${whereSql(b, query, registry)}`, params: b.params };
  const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
  const indexes = [...new Set([...plan.matchAll(/Index (?:Only )?Scan (?:Backward )?using (\w+)/g, ), ...plan.matchAll(/Bitmap Index Scan on (\w+)/g)].map((m) => m[1]))];
  return indexes.length ? `indexes: ${indexes.join(', ')}${/Seq Scan/.test(plan) ? ' (+ seq scan)' : ''}` : 'NO INDEX (seq scan)';
}

export async function benchSearch(): Promise<void> {
  const db = REUSE ? await reusableDatabase() : await freshDatabase('twinfhir_bench_search');
  const server = await startServer(db.url);
  const client = new Client({ connectionString: db.url });
  try {
    const stored = REUSE ? await storedResources(db.url) : 0;
    if (stored < TARGET) {
      const load = await ingestInto(server, loadBundles(), TARGET - stored);
      console.log(`search: ${load.resources} resources loaded in ${fmt(load.seconds)} s (${fmt(load.resources / load.seconds, 0)} resources/s with all indexes)`);
    }
    console.log(`search: ${await storedResources(db.url)} resources stored`);
    await client.connect();
    await client.query('ANALYZE');
    const base = server.baseUrl;
    const sample = (await get(`${base}/Patient?_count=50`)).body.entry ?? [];
    const pid = sample[7]?.resource.id ?? sample[0].resource.id;
    const family = sample[3]?.resource.name?.[0]?.family ?? 'Smith';
    const patient: Compartment = { resourceType: 'Patient', id: pid };
    const mix: [string, string, string, Compartment?][] = [
      ['token', 'Observation', 'code=http://loinc.org|8302-2&_count=20'],
      ['patient+code+date', 'Observation', `subject=Patient/${pid}&code=http://loinc.org|8302-2&date=ge2010-01-01`],
      ['string prefix', 'Patient', `name=${family.slice(0, 4)}`],
      ['chained', 'Observation', `subject:Patient.name=${family}&_count=20`],
      ['_has', 'Patient', '_has:Condition:patient:code=http://snomed.info/sct|44054006&_count=20'],
      ['_include', 'Observation', `subject=Patient/${pid}&_include=Observation:subject&_count=20`],
      ['_revinclude', 'Patient', `_id=${pid}&_revinclude=Encounter:patient`],
      ['_sort=-date page 1', 'Observation', 'code=http://loinc.org|8302-2&_sort=-date&_count=20'],
      ['_total=accurate', 'Observation', 'code=http://loinc.org|8302-2&_total=accurate&_count=1'],
      ['compartment _sort', 'Observation', '_sort=-date&_count=20', patient],
      ['compartment /*', '*', '_count=50', patient],
      ['_sort=-date,status', 'Observation', 'code=http://loinc.org|8302-2&_sort=-date,status&_count=20'],
    ];
    for (const [name, type, qs, comp] of mix) {
      const times: number[] = [];
      const path = comp ? `${comp.resourceType}/${comp.id}/${type}` : type;
      for (let i = 0; i < RUNS; i++) times.push((await get(`${base}/${path}?${qs}`)).ms);
      const s = summarize(times);
      const plan = type === '*' ? '' : await explain(client, type, qs, comp);
      console.log(`  ${name.padEnd(20)} p50 ${fmt(s.p50)} ms  p95 ${fmt(s.p95)} ms  p99 ${fmt(s.p99)} ms   ${plan}`);
    }
    // Deep paging: follow `next` to page 200, then time page 200 itself against page 1.
    let url = `${base}/Observation?code=http://loinc.org|8302-2&_sort=-date&_count=20`;
    const first = summarize(await Promise.all([0, 1, 2].map(async () => (await get(url)).ms)));
    for (let page = 1; page < 200; page++) {
      const next = (await get(url)).body.link?.find((l) => l.relation === 'next')?.url;
      if (!next) break;
      url = next;
    }
    const deep = summarize(await Promise.all([0, 1, 2].map(async () => (await get(url)).ms)));
    console.log(`  deep paging (_sort=-date): page 1 p50 ${fmt(first.p50)} ms, page 200 p50 ${fmt(deep.p50)} ms (×${fmt(deep.p50 / first.p50, 2)})`);
  } finally {
    await client.end().catch(() => undefined);
    await server.stop();
    await db.drop();
  }
}
