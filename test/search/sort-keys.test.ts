/**
 * sort_key (migration 005): the writer keeps one row per (resource, parameter) in step with the index
 * rows, the migration's backfill derives the same rows, sorted pages follow the exact keyset order
 * (nulls last, rid tiebreak, forward and backward), and the sorted query can walk the key's index.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Observation } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { executeSearch, whereSql } from '../../server/store/search/search-sql';
import { segmentSql } from '../../server/store/search/page-query';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { queryPairs } from './helpers/query';

const registry = createSearchRegistry();
const SECRET = 'sort-secret';
const LOINC = 'http://loinc.org';

/** 31 observations: tied dates (whose statuses differ), a Period (low/high differ), missing dates, two statuses. */
function observation(i: number): Observation & { id: string } {
  const day = `2020-01-${String(1 + (i % 9)).padStart(2, '0')}`;
  const effective = i % 6 === 2 ? {} : i % 7 === 3 ? { effectivePeriod: { start: `${day}T00:00:00Z`, end: '2020-02-15T00:00:00Z' } } : { effectiveDateTime: day };
  return {
    resourceType: 'Observation', id: `o-${String(i).padStart(2, '0')}`, status: i % 2 ? 'final' : 'amended',
    code: { coding: [{ system: LOINC, code: i % 4 === 0 ? '1-1' : '8302-2' }] }, ...effective,
  };
}
const cohort = Array.from({ length: 31 }, (_, i) => observation(i));

/** The keys a sort uses for an observation, as the spec orders them: least date ascending, greatest descending. */
function dateKey(o: Observation, descending: boolean): number | null {
  if (o.effectiveDateTime) return Date.parse(descending ? `${o.effectiveDateTime}T23:59:59.999Z` : `${o.effectiveDateTime}T00:00:00Z`);
  if (o.effectivePeriod) return Date.parse(descending ? (o.effectivePeriod.end as string) : (o.effectivePeriod.start as string));
  return null;
}

/** Expected order: keys with nulls last, then insertion order (rid). */
function expectedOrder(list: Observation[], keys: ((o: Observation) => string | number | null)[], desc: boolean[]): string[] {
  const index = new Map(list.map((o, i) => [o.id, i]));
  const cmp = (a: Observation, b: Observation): number => {
    for (let k = 0; k < keys.length; k++) {
      const x = keys[k](a);
      const y = keys[k](b);
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * (desc[k] ? -1 : 1);
    }
    return (index.get(a.id) ?? 0) - (index.get(b.id) ?? 0);
  };
  return [...list].sort(cmp).map((o) => o.id ?? '');
}

describe.each(searchDrivers())('sort keys on %s', (kind) => {
  let db: SearchDb;
  const rids = new Map<string, string>();
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    const written = await db.put(cohort);
    cohort.forEach((o, i) => rids.set(o.id, written[i]));
  });
  afterAll(async () => db?.close());

  async function walk(qs: string, sortWalkWindow?: number): Promise<{ forward: string[]; backward: string[] }> {
    const run = async (cursor?: string) => {
      const { query } = parseSearchParams(registry, ['Observation'], queryPairs(qs));
      if (cursor) query.cursor = cursor;
      return executeSearch(db.sql, query, registry, { cursorSecret: SECRET, ...(sortWalkWindow ? { sortWalkWindow } : {}) });
    };
    const pages = [await run()];
    while (pages[pages.length - 1].nextCursor) pages.push(await run(pages[pages.length - 1].nextCursor));
    const backward: string[][] = [];
    let current = pages[pages.length - 1];
    while (current.prevCursor) {
      current = await run(current.prevCursor);
      backward.unshift(current.matches.map((m) => m.id ?? ''));
    }
    backward.push(pages[pages.length - 1].matches.map((m) => m.id ?? ''));
    return { forward: pages.flatMap((p) => p.matches.map((m) => m.id ?? '')), backward: backward.flat() };
  }

  it.each([
    ['_sort=-date&_count=4', [(o: Observation) => dateKey(o, true)], [true]],
    ['_sort=date&_count=5', [(o: Observation) => dateKey(o, false)], [false]],
    ['_sort=status,-date&_count=3', [(o: Observation) => o.status ?? null, (o: Observation) => dateKey(o, true)], [false, true]],
    ['_sort=-status,date&_count=7', [(o: Observation) => o.status ?? null, (o: Observation) => dateKey(o, false)], [true, false]],
    // A date first: the multi-key walk, whose windows end on whole groups of equal dates (many ties here).
    ['_sort=-date,status&_count=3', [(o: Observation) => dateKey(o, true), (o: Observation) => o.status ?? null], [true, false]],
    ['_sort=date,-status,_id&_count=4', [(o: Observation) => dateKey(o, false), (o: Observation) => o.status ?? null, (o: Observation) => o.id ?? null], [false, true, false]],
  ] as const)('Observation?code=8302-2&%s pages in exact keyset order, both ways', async (qs, keys, desc) => {
    const matching = cohort.filter((o) => o.code.coding?.[0].code === '8302-2');
    const expected = expectedOrder(matching, [...keys], [...desc]);
    const { forward, backward } = await walk(`code=${LOINC}|8302-2&${qs}`);
    expect(forward).toEqual(expected);
    expect(backward).toEqual(expected);
    // A sort-index window smaller than a page: the walk switches to matches-first mid-page.
    expect(await walk(`code=${LOINC}|8302-2&${qs}`, 3)).toEqual({ forward: expected, backward: expected });
  });

  it('a selective filter (few matches per window) is read matches-first in the same order', async () => {
    const matching = cohort.filter((o) => o.code.coding?.[0].code === '1-1');
    const expected = expectedOrder(matching, [(o) => dateKey(o, true)], [true]);
    expect(expected.length).toBeGreaterThan(3);
    expect(await walk(`code=${LOINC}|1-1&_sort=-date&_count=2`, 2)).toEqual({ forward: expected, backward: expected });
  });

  it('writes one row per (resource, parameter) and keeps it in step on rewrite and delete', async () => {
    const rid = rids.get('o-07') as string;
    const keys = async () => (await db.sql.query<{ param: string; asc_ts: string | null; desc_text: string | null }>(
      `SELECT param, to_char(asc_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS asc_ts, desc_text FROM sort_key WHERE rid = $1 ORDER BY param`, [rid])).rows;
    const before = await keys();
    expect(before.filter((k) => k.param === 'date')).toEqual([{ param: 'date', asc_ts: '2020-01-08', desc_text: null }]);
    expect(before.find((k) => k.param === 'status')?.desc_text).toBe('final');
    expect(new Set(before.map((k) => k.param)).size).toBe(before.length);
    const changed = { ...observation(7), status: 'cancelled', effectiveDateTime: '2021-06-01' } as Observation & { id: string };
    await db.update(changed);
    const after = await keys();
    expect(after.find((k) => k.param === 'date')?.asc_ts).toBe('2021-06-01');
    expect(after.find((k) => k.param === 'status')?.desc_text).toBe('cancelled');
    await db.update(observation(7));
    expect(await keys()).toEqual(before);
    await db.remove('Observation', 'o-07');
    expect(await keys()).toEqual([]);
    await db.update(observation(7)); // back for the suites below (update after delete reuses the row)
    expect(await keys()).toEqual(before);
  });

  it('the migration backfill derives exactly the rows the writer wrote', async () => {
    const dump = async () => (await db.sql.query<Record<string, string>>(
      `SELECT rid::text, res_type, param, asc_ts::text, desc_ts::text, asc_num::text, desc_num::text, asc_text, desc_text FROM sort_key ORDER BY rid, param`)).rows;
    const written = await dump();
    expect(written.length).toBeGreaterThan(cohort.length * 3);
    await db.sql.exec('DELETE FROM sort_key');
    const migration = readFileSync(path.join(__dirname, '../../server/store/migrations/005_sort_keys.sql'), 'utf8');
    await db.sql.exec(migration);
    expect(await dump()).toEqual(written);
    // Idempotent: a second run adds nothing.
    await db.sql.exec(migration);
    expect(await dump()).toEqual(written);
  });

  it('the sorted query can walk the first key in index order (no sort of all matches)', async () => {
    const { query } = parseSearchParams(registry, ['Observation'], queryPairs(`code=${LOINC}|8302-2&_sort=-date&_count=20`));
    const where = (b: Parameters<typeof whereSql>[0]) => whereSql(b, query, registry);
    const { text, params } = segmentSql({ query, registry, codeSets: new Map(), where, limit: 21 }, 'walk', 21);
    // Planner settings are per session: run them in one transaction so that they reach this EXPLAIN.
    const plan = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off');
      return (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index (Only )?Scan using sort_key_desc_ts/);
    expect(plan).not.toMatch(/\bSort\b/);
  });
});
