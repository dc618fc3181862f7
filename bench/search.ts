/**
 * bench/search: the Synthea bundles copied to ≥ BENCH_SEARCH_RESOURCES (default 1,000,000) on PostgreSQL,
 * then a fixed query mix; prints p50/p95/p99 per query and whether EXPLAIN shows index use.
 */
import { Client } from 'pg';
import { createSearchRegistry } from '../server/search/registry';
import { parseSearchParams } from '../server/search/parse';
import { whereSql } from '../server/store/search/search-sql';
import { SqlBuilder } from '../server/store/search/sql-builder';
import { ingestInto, loadBundles } from './ingest';
import { freshDatabase, startServer } from './lib/server';
import { fmt, summarize } from './lib/stats';

const TARGET = Number(process.env.BENCH_SEARCH_RESOURCES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 30);

interface Bundle { total?: number; entry?: { resource: { id: string; name?: { family?: string }[] } }[]; link?: { relation: string; url: string }[] }

async function get(url: string): Promise<{ ms: number; body: Bundle }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = (await res.json()) as Bundle;
  if (res.status !== 200) throw new Error(`${res.status} for ${url}: ${JSON.stringify(body).slice(0, 300)}`);
  return { ms: performance.now() - t, body };
}

/** Index use of a query's WHERE clause, read from EXPLAIN (no ANALYZE: the plan is what matters). */
async function explain(db: Client, type: string, qs: string): Promise<string> {
  const registry = createSearchRegistry();
  const { query } = parseSearchParams(registry, [type], [...new URLSearchParams(qs)].filter(([k]) => !k.startsWith('_')));
  const b = new SqlBuilder();
  const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT r.rid FROM resource r WHERE ${whereSql(b, query, registry)}`, b.params)).rows.map((r) => r['QUERY PLAN']).join('\n');
  const indexes = [...new Set([...plan.matchAll(/Index (?:Only )?Scan (?:Backward )?using (\w+)/g, ), ...plan.matchAll(/Bitmap Index Scan on (\w+)/g)].map((m) => m[1]))];
  return indexes.length ? `indexes: ${indexes.join(', ')}${/Seq Scan/.test(plan) ? ' (+ seq scan)' : ''}` : 'NO INDEX (seq scan)';
}

export async function benchSearch(): Promise<void> {
  const db = await freshDatabase('twinfhir_bench_search');
  const server = await startServer(db.url);
  const client = new Client({ connectionString: db.url });
  try {
    const load = await ingestInto(server, loadBundles(), TARGET);
    console.log(`search: ${load.resources} resources loaded in ${fmt(load.seconds)} s (${fmt(load.resources / load.seconds, 0)} resources/s with all indexes)`);
    await client.connect();
    await client.query('ANALYZE');
    const base = server.baseUrl;
    const sample = (await get(`${base}/Patient?_count=50`)).body.entry ?? [];
    const pid = sample[7]?.resource.id ?? sample[0].resource.id;
    const family = sample[3]?.resource.name?.[0]?.family ?? 'Smith';
    const mix: [string, string, string][] = [
      ['token', 'Observation', 'code=http://loinc.org|8302-2&_count=20'],
      ['patient+code+date', 'Observation', `subject=Patient/${pid}&code=http://loinc.org|8302-2&date=ge2010-01-01`],
      ['string prefix', 'Patient', `name=${family.slice(0, 4)}`],
      ['chained', 'Observation', `subject:Patient.name=${family}&_count=20`],
      ['_has', 'Patient', '_has:Condition:patient:code=http://snomed.info/sct|44054006&_count=20'],
      ['_include', 'Observation', `subject=Patient/${pid}&_include=Observation:subject&_count=20`],
      ['_revinclude', 'Patient', `_id=${pid}&_revinclude=Encounter:patient`],
      ['_sort=-date page 1', 'Observation', 'code=http://loinc.org|8302-2&_sort=-date&_count=20'],
      ['_total=accurate', 'Observation', 'code=http://loinc.org|8302-2&_total=accurate&_count=1'],
    ];
    for (const [name, type, qs] of mix) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push((await get(`${base}/${type}?${qs}`)).ms);
      const s = summarize(times);
      console.log(`  ${name.padEnd(20)} p50 ${fmt(s.p50)} ms  p95 ${fmt(s.p95)} ms  p99 ${fmt(s.p99)} ms   ${await explain(client, type, qs)}`);
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
