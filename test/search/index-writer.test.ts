/** Index writes through the store's Writer (create, batch, new version, delete) and migration idempotency, on PGlite and PostgreSQL. */
import type { Patient } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { migrate } from '../../server/store/migrate';
import type { SqlExecutor } from '../../server/store/sql';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { type Fixture, observations, patients } from './helpers/fixtures';

const registry = createSearchRegistry();
const TABLES = ['idx_token', 'idx_string', 'idx_reference', 'idx_date', 'idx_number', 'idx_quantity', 'idx_uri', 'idx_text'];

async function counts(sql: SqlExecutor, rid: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    // Table names come from the constant list above, never from input.
    const r = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t} WHERE rid = $1`, [rid]);
    out[t] = Number(r.rows[0].n);
  }
  return out;
}

describe.each(searchDrivers())('index writer on %s', (kind) => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
  });
  afterAll(async () => db?.close());

  it('migrations can run again without error', async () => {
    await expect(migrate(db.driver)).resolves.toEqual([]);
  });

  it('writes one row per extracted value, in every table', async () => {
    const [rid] = await db.put(observations[0]);
    const v = registry.extract(observations[0]);
    expect(await counts(db.sql, rid)).toEqual({
      idx_token: v.token.length, idx_string: v.string.length, idx_reference: v.reference.length, idx_date: v.date.length,
      idx_number: v.number.length, idx_quantity: v.quantity.length, idx_uri: v.uri.length, idx_text: 1,
    });
    const q = await db.sql.query<{ canon_code: string; value: string }>(`SELECT canon_code, value::text AS value FROM idx_quantity WHERE rid = $1 AND param = 'value-quantity'`, [rid]);
    expect(q.rows).toEqual([{ canon_code: 'g.m-3', value: '100' }]);
    const d = await db.sql.query<{ low: string }>(`SELECT to_char(low AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS low FROM idx_date WHERE rid = $1 AND param = 'date'`, [rid]);
    expect(d.rows).toEqual([{ low: '2020-06-15T08:00:00' }]);
  });

  it('replaces the rows on a new version, and deletes them all with the resource', async () => {
    const [rid] = await db.put(patients[0]);
    const before = await counts(db.sql, rid);
    const updated = { ...(patients[0] as Patient), name: [{ family: 'Nguyen' }], telecom: undefined, text: undefined } as Fixture;
    await db.update(updated);
    const after = await counts(db.sql, rid);
    expect(after.idx_string).toBeLessThan(before.idx_string);
    const names = await db.sql.query<{ norm: string }>(`SELECT norm FROM idx_string WHERE rid = $1 AND param = 'family'`, [rid]);
    expect(names.rows).toEqual([{ norm: 'nguyen' }]);
    const text = await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM idx_text WHERE rid = $1 AND narrative @@ plainto_tsquery('simple', 'narrative')`, [rid]);
    expect(text.rows[0].n).toBe('0');
    await db.remove('Patient', updated.id);
    expect(Object.values(await counts(db.sql, rid)).every((n) => n === 0)).toBe(true);
  });

  it('writes a batch (one transaction, one index statement) and deletes every row of the resources', async () => {
    const batch = patients.map((p) => ({ ...p, id: `batch-${p.id}` }) as Fixture);
    const rids = await db.put(batch);
    for (const [i, p] of patients.entries()) expect((await counts(db.sql, rids[i])).idx_string).toBe(registry.extract(p).string.length);
    // No foreign key (ingest speed): the store deletes index rows itself.
    for (const p of batch) await db.remove('Patient', p.id);
    for (const rid of rids) expect(Object.values(await counts(db.sql, rid)).every((n) => n === 0)).toBe(true);
  });

  it('stores clipped huge values and empty resources without error', async () => {
    const big = { resourceType: 'Patient', id: 'big', name: [{ family: 'ü'.repeat(20000) }], identifier: [{ system: 'urn:x', value: 'x'.repeat(9000) }] } as Fixture;
    await expect(db.put(big)).resolves.toEqual([expect.stringMatching(/^\d+$/)]);
    await expect(db.put({ resourceType: 'Basic', id: 'e' } as Fixture)).resolves.toEqual([expect.stringMatching(/^\d+$/)]);
  });
});
