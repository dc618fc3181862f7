/**
 * Upgrading a database indexed before migration 017: until the start-up backfill fills idx_text's owner,
 * targets, idents and shared_content, a patient-confined full-text search matches none of those rows (never
 * more than it should); after it, exactly what the writer would have recorded: her own words found, words in
 * elements masked in her copy not. The backfill is idempotent and leaves rows a writer filled alone.
 */
import type { Resource } from 'fhir/r4';
import { type AccessContext, systemContext } from '../../server/core/access-context';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { backfillTextOwnership } from '../../server/store/text-ownership-backfill';
import { driversUnderTest } from '../support/databases';
import { type SearchDb, openSearchDb } from '../search/helpers/search-db';
import { queryPairs } from '../search/helpers/query';

const registry = createSearchRegistry();
const system = systemContext('backfill');
const restriction = { patient: 'p1', exemptTypes: [] as string[] };
const p1: AccessContext = { ...system, patient: 'p1', readRestriction: restriction };
type R = Resource & { id: string };
const obs = (id: string, extra: Record<string, unknown>): R =>
  ({ resourceType: 'Observation', id, status: 'final', code: { text: 'plain' }, subject: { reference: 'Patient/p1' }, ...extra } as R);

describe.each(driversUnderTest())('text ownership backfill on %s', (kind) => {
  let db: SearchDb;
  const found = async (ctx: AccessContext, qs: string): Promise<string[]> =>
    (await db.store.search(ctx, parseSearchParams(registry, ['Observation'], queryPairs(qs)).query)).matches.map((r) => r.id ?? '').sort();

  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    await db.store.transaction((tx) => tx.createMany(system, [
      { resourceType: 'Patient', id: 'p1' } as R, { resourceType: 'Patient', id: 'p2' } as R,
      obs('own', { code: { text: 'wheat' } }),
      obs('his-display', { performer: [{ reference: 'Patient/p2', display: 'wheat barley' }] }),
    ]));
    // As indexed before migration 017.
    await db.driver.query('UPDATE idx_text SET owner = NULL, targets = NULL, idents = NULL, shared_content = NULL');
  });
  afterAll(async () => { await db?.close(); });

  test('before: a confined full-text search finds nothing; after: her words only; the unconfined search is unchanged', async () => {
    expect(await found(p1, '_content=wheat')).toEqual([]);
    expect(await found(system, '_content=wheat')).toEqual(['his-display', 'own']);
    const rows = Number((await db.driver.query<{ n: string }>('SELECT count(*)::text AS n FROM idx_text')).rows[0].n);
    expect(await backfillTextOwnership(db.driver, registry)).toBe(rows);
    expect(await found(p1, '_content=wheat')).toEqual(['own']);
    expect(await found(p1, '_content=barley')).toEqual([]);
    expect(await found(p1, '_content=plain')).toEqual(['his-display']);
    expect(await found(system, '_content=barley')).toEqual(['his-display']);
    expect(await backfillTextOwnership(db.driver, registry)).toBe(0);
  });
});
