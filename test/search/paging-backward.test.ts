/** `previous` links (keyset paging backwards) and _total=estimate (planner estimate), on PGlite and PostgreSQL. */
import type { Patient } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { executeSearch, whereSql } from '../../server/store/search/search-sql';
import { estimateMatches, planEstimate } from '../../server/store/search/total';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { queryPairs } from './helpers/query';

const registry = createSearchRegistry();
const SECRET = 'prev-secret';

/** 23 patients with tied families and missing birthdates, so keys tie and nulls appear. */
const cohort: (Patient & { id: string })[] = Array.from({ length: 23 }, (_, i) => ({
  resourceType: 'Patient', id: `b-${String(i).padStart(2, '0')}`, gender: i % 2 ? 'male' : 'female',
  name: [{ family: ['Ng', 'Adams', 'Cole'][i % 3] }],
  ...(i % 5 === 1 ? {} : { birthDate: `19${60 + (i % 7)}-01-0${1 + (i % 3)}` }),
  identifier: [{ system: 'urn:b', value: 'b' }],
}));

interface Page { ids: string[]; next?: string; prev?: string; total?: number }

describe.each(searchDrivers())('backward paging and estimates on %s', (kind) => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    await db.put(cohort);
  });
  afterAll(async () => db?.close());

  async function page(qs: string, cursor?: string): Promise<Page> {
    const { query } = parseSearchParams(registry, ['Patient'], queryPairs(qs));
    if (cursor) query.cursor = cursor;
    const r = await executeSearch(db.sql, query, registry, { cursorSecret: SECRET });
    return { ids: r.matches.map((m) => m.id ?? ''), next: r.nextCursor, prev: r.prevCursor, total: r.total };
  }

  it.each([
    'identifier=b&_count=5',
    'identifier=b&_count=4&_sort=birthdate',
    'identifier=b&_count=6&_sort=-birthdate',
    'identifier=b&_count=3&_sort=family,-birthdate',
    'identifier=b&_count=7&_sort=-family,birthdate,-_id',
  ])('Patient?%s: previous links walk the same pages back', async (qs) => {
    const forward: Page[] = [await page(qs)];
    expect(forward[0].prev).toBeUndefined();
    while (forward[forward.length - 1].next) forward.push(await page(qs, forward[forward.length - 1].next));
    expect(forward.flatMap((p) => p.ids).sort()).toEqual(cohort.map((p) => p.id).sort());
    // Every page after the first links back; following the links gives the earlier pages again.
    let current = forward[forward.length - 1];
    for (let i = forward.length - 2; i >= 0; i--) {
      expect(current.prev).toBeDefined();
      current = await page(qs, current.prev);
      expect(current.ids).toEqual(forward[i].ids);
      expect(current.next).toBeDefined();
    }
    expect(current.prev).toBeUndefined();
    // And from a page reached backwards, next goes forward again.
    if (forward.length > 1) expect((await page(qs, current.next)).ids).toEqual(forward[1].ids);
  });

  it('previous cursors are bound to their query like next cursors', async () => {
    const second = await page('identifier=b&_count=5&_sort=birthdate', (await page('identifier=b&_count=5&_sort=birthdate')).next);
    await expect(page('identifier=b&_count=5&_sort=family', second.prev)).rejects.toMatchObject({ status: 400 });
  });

  it('_total=estimate: exact when counting is cheap, else the planner estimate', async () => {
    expect((await page('identifier=b&_count=5&_total=estimate')).total).toBe(23);
    expect((await page('identifier=b&gender=male&_count=50&_total=estimate')).total).toBe(11);
    const second = await page('identifier=b&_count=5&_total=estimate', (await page('identifier=b&_count=5')).next);
    expect(second.total).toBe(23);
    const { query } = parseSearchParams(registry, ['Patient'], queryPairs('identifier=b'));
    const where = (b: Parameters<typeof whereSql>[0]) => whereSql(b, query, registry);
    const plan = await planEstimate(db.sql, where);
    expect(plan).toEqual({ rows: expect.any(Number), cost: expect.any(Number) });
    // Forced to the planner: a positive estimate, never below what was already seen.
    expect(await estimateMatches(db.sql, where, 7, -1)).toBeGreaterThanOrEqual(7);
  });
});
