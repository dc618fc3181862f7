/**
 * bench/terminology: latency of the terminology operations against the server on PostgreSQL — the
 * largest shipped ValueSet, and a synthetic 11,111-concept CodeSystem (fan-out 10, depth 4; half the
 * links nested, half `parent` properties): the first call (index built) and warm calls (index cached).
 */
import type { CodeSystem, CodeSystemConcept } from 'fhir/r4';
import { freshDatabase, startServer } from './lib/server';
import { fmt, summarize } from './lib/stats';

const RUNS = Number(process.env.BENCH_TERMINOLOGY_RUNS ?? 50);
const SYSTEM = 'http://bench.example/cs/tree';
const enc = encodeURIComponent;

/** Codes n, n0…n9, n00…: a tree of the given depth. */
function tree(depth: number): CodeSystem {
  const flat: CodeSystemConcept[] = [];
  const make = (code: string, level: number): CodeSystemConcept => {
    const c: CodeSystemConcept = { code, display: `Concept ${code}` };
    if (level < depth) {
      const kids = Array.from({ length: 10 }, (_, i) => make(`${code}${i}`, level + 1));
      c.concept = kids.filter((_, i) => i % 2 === 0);
      for (const k of kids.filter((_, i) => i % 2 === 1)) flat.push({ ...k, property: [{ code: 'parent', valueCode: code }] });
    }
    return c;
  };
  return { resourceType: 'CodeSystem', id: 'bench-tree', url: SYSTEM, status: 'active', content: 'complete', concept: [make('n', 0), ...flat] };
}

async function time(url: string, init?: RequestInit): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${res.status} from ${url}`);
  return performance.now() - t0;
}

async function series(label: string, url: string): Promise<void> {
  const first = await time(url);
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await time(url));
  const s = summarize(warm.sort((a, b) => a - b));
  console.log(`  ${label.padEnd(58)} first ${fmt(first)} ms; warm p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms (n=${s.n})`);
}

export async function benchTerminology(): Promise<void> {
  const db = await freshDatabase('twinfhir_bench_terminology');
  const server = await startServer(db.url, { TERMINOLOGY_MAX_EXPANSION: '20000' });
  try {
    const base = server.baseUrl;
    const cs = tree(4);
    const put = await fetch(`${base}/CodeSystem/bench-tree`, { method: 'PUT', headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(cs) });
    if (put.status >= 300) throw new Error(`PUT CodeSystem: ${put.status}`);
    const vs = (id: string, filter: object) => ({ resourceType: 'ValueSet', id, url: `http://bench.example/vs/${id}`, status: 'active', compose: { include: [{ system: SYSTEM, ...filter }] } });
    for (const v of [vs('subtree', { filter: [{ property: 'concept', op: 'is-a', value: 'n1' }] }), vs('whole', {})]) {
      await fetch(`${base}/ValueSet/${v.id}`, { method: 'PUT', headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(v) });
    }
    console.log(`terminology: sequential requests against the server on PostgreSQL (${RUNS} warm runs each)`);
    await series('$expand nlp-conditions (largest shipped ValueSet)', `${base}/ValueSet/nlp-conditions/$expand`);
    await series('$subsumes n / n1357 (11,111-concept CodeSystem)', `${base}/CodeSystem/$subsumes?system=${enc(SYSTEM)}&codeA=n&codeB=n1357`);
    await series('$lookup n13 (parent + 10 children)', `${base}/CodeSystem/$lookup?system=${enc(SYSTEM)}&code=n13`);
    await series('$expand is-a n1 (1,111 codes)', `${base}/ValueSet/subtree/$expand`);
    await series('$expand whole system (11,111 codes), count=20', `${base}/ValueSet/whole/$expand?count=20`);
    await series('$expand whole system, filter "Concept n13", count=20', `${base}/ValueSet/whole/$expand?filter=${enc('Concept n13')}&count=20`);
    await series('search Observation?code:below=n1 (1,111 codes, empty store)', `${base}/Observation?code:below=${enc(`${SYSTEM}|n1`)}`);
    console.log(`  server RSS ${fmt(server.rssMb(), 0)} MB (peak ${fmt(server.peakRssMb(), 0)} MB)`);
  } finally {
    await server.stop();
    await db.drop();
  }
}
