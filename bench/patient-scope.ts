/**
 * bench/patient-scope: what the patient-compartment row restriction costs. Synthea bundles are ingested to
 * ≥ BENCH_PATIENT_SCOPE_RESOURCES (default 100,000) through the server on PostgreSQL; then the store is
 * opened directly and a query mix runs three ways, p50/p95 per query: a user token's type search over
 * everyone, the same search narrowed by `subject` to one patient (what the app would ask without patient
 * scoping), and a patient-context token's type search (row restriction in SQL, same patient). HTTP and
 * token verification are the same for all three, so they are left out: this measures the SQL (and the
 * element masking of what a patient token reads). Two cohorts: the first patients by id, and the patients
 * with the most records (where a compartment test that is not type-qualified walks the most foreign rows).
 */
import type { Resource } from 'fhir/r4';
import { Client } from 'pg';
import { type AccessContext, systemContext } from '../server/core/access-context';
import { openStore } from '../server/store/open-store';
import { createSearchRegistry } from '../server/search/registry';
import { parseSearchParams } from '../server/search/parse';
import type { ResourceStore } from '../server/store/types';
import { ingestInto, loadBundles } from './ingest';
import { freshDatabase, startServer } from './lib/server';
import { fmt, summarize } from './lib/stats';

const TARGET = Number(process.env.BENCH_PATIENT_SCOPE_RESOURCES ?? 100_000);
const RUNS = Number(process.env.BENCH_PATIENT_SCOPE_RUNS ?? 30);
const PATIENTS = 10;

/** [type, query]; `{p}` marks where the user-token variant names the patient. */
const QUERIES: [string, string][] = [
  ['Observation', '_count=20'],
  ['Observation', 'code=http://loinc.org|8302-2&_count=20'],
  ['Observation', 'category=laboratory&_sort=-date&_count=20'],
  ['Observation', '_total=accurate&_count=20'],
  ['Condition', '_count=50'],
  ['Encounter', '_count=10&_revinclude=Observation:encounter'],
  ['MedicationRequest', '_include=MedicationRequest:medication&_count=20'],
];

const registry = createSearchRegistry();

async function time(store: ResourceStore, ctx: AccessContext, type: string, qs: string): Promise<{ ms: number; n: number }> {
  const { query } = parseSearchParams(registry, [type], [...new URLSearchParams(qs)]);
  const t = performance.now();
  const res = await store.search(ctx, query);
  return { ms: performance.now() - t, n: res.matches.length + res.includes.length };
}

async function patientIds(store: ResourceStore): Promise<string[]> {
  const { query } = parseSearchParams(registry, ['Patient'], [['_count', String(PATIENTS)], ['_sort', '_id']]);
  return (await store.search(systemContext('bench'), query)).matches.map((r: Resource) => r.id ?? '');
}

async function measure(store: ResourceStore, patients: string[]): Promise<void> {
  const user = systemContext('bench-user');
  console.log('  query                                              user all     user ?subject   patient token   (p50 / p95 ms; rows)');
  for (const [type, qs] of QUERIES) {
    const cols = { all: [] as number[], subject: [] as number[], scoped: [] as number[] };
    const rows = { all: 0, subject: 0, scoped: 0 };
    for (let i = 0; i < RUNS; i++) {
      const p = patients[i % patients.length];
      const ctx: AccessContext = { ...user, patient: p, readRestriction: { patient: p, exemptTypes: [] } };
      const subjectParam = type === 'Encounter' || type === 'Condition' || type === 'Observation' || type === 'MedicationRequest' ? 'subject' : 'patient';
      const runs = [['all', user, qs], ['subject', user, `${qs}&${subjectParam}=Patient/${p}`], ['scoped', ctx, qs]] as const;
      for (const [k, c, q] of runs) {
        const r = await time(store, c, type, q);
        cols[k].push(r.ms);
        rows[k] += r.n;
      }
    }
    const cell = (k: keyof typeof cols) => { const s = summarize(cols[k]); return `${fmt(s.p50)} / ${fmt(s.p95)} (${Math.round(rows[k] / RUNS)})`.padEnd(16); };
    console.log(`  ${`${type}?${qs}`.padEnd(50)} ${cell('all')} ${cell('subject')} ${cell('scoped')}`);
  }
}

export async function benchPatientScope(): Promise<void> {
  const db = await freshDatabase('twinfhir_bench_patient_scope');
  try {
    const server = await startServer(db.url);
    let loaded: number;
    try {
      loaded = (await ingestInto(server, loadBundles(), TARGET)).resources;
    } finally {
      await server.stop();
    }
    // Fresh statistics, as a production database would have: the plans are what is measured.
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query('ANALYZE');
    const largest = (await c.query<{ p: string }>(`SELECT p FROM resource, unnest(patients) AS p GROUP BY p ORDER BY count(*) DESC, p LIMIT ${PATIENTS}`)).rows.map((r) => r.p);
    await c.end();
    const store = await openStore({ databaseUrl: db.url, dataDir: '', poolSize: 2, statementTimeoutMs: 60_000 }, registry, { now: () => new Date() });
    try {
      console.log(`patient-scope: ${loaded} resources on PostgreSQL, ${RUNS} runs per query, ${PATIENTS} patients in turn`);
      console.log('  cohort: the first patients by id');
      await measure(store, await patientIds(store));
      console.log('  cohort: the patients with the most records');
      await measure(store, largest);
    } finally {
      await store.close();
    }
  } finally {
    await db.drop();
  }
}
