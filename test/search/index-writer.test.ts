/** Index writer (insert, batch, replace, delete, cascade) and migration idempotency, on PGlite and PostgreSQL. */
import type { Patient, Resource } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { deleteIndexRows, replaceIndexRows, writeIndexRows, writeIndexRowsBatch } from '../../server/store/search/index-writer';
import type { SqlExecutor } from '../../server/store/sql';
import { insertResource, migrate, openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { observations, patients } from './helpers/fixtures';

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
    db = await openSearchDb(kind);
  });
  afterAll(async () => db?.close());

  it('migrations can run again without error', async () => {
    await expect(migrate(db.sql)).resolves.toBeUndefined();
  });

  it('writes one row per extracted value, in every table', async () => {
    const rid = await insertResource(db.sql, registry, observations[0]);
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

  it('replaces rows of a new version in one statement, and deletes them all', async () => {
    const rid = await insertResource(db.sql, registry, patients[0]);
    const before = await counts(db.sql, rid);
    const updated: Patient = { ...(patients[0] as Patient), name: [{ family: 'Nguyen' }], telecom: undefined, text: undefined };
    await replaceIndexRows(db.sql, [{ rid, resourceType: 'Patient', values: registry.extract(updated) }]);
    const after = await counts(db.sql, rid);
    expect(after.idx_string).toBeLessThan(before.idx_string);
    const names = await db.sql.query<{ norm: string }>(`SELECT norm FROM idx_string WHERE rid = $1 AND param = 'family'`, [rid]);
    expect(names.rows).toEqual([{ norm: 'nguyen' }]);
    const text = await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM idx_text WHERE rid = $1 AND narrative @@ plainto_tsquery('simple', 'narrative')`, [rid]);
    expect(text.rows[0].n).toBe('0');
    await deleteIndexRows(db.sql, rid);
    expect(Object.values(await counts(db.sql, rid)).every((n) => n === 0)).toBe(true);
  });

  it('writes a batch in one statement and deletes every row of the resources', async () => {
    const rids: string[] = [];
    for (const p of patients) {
      const r = await db.sql.query<{ rid: string }>(
        `INSERT INTO resource (res_type, id, version, last_updated, content) VALUES ('Patient', $1, 1, now(), $2::jsonb) RETURNING rid::text AS rid`,
        [`batch-${p.id}`, JSON.stringify(p)],
      );
      rids.push(r.rows[0].rid);
    }
    await writeIndexRowsBatch(db.sql, patients.map((p, i) => ({ rid: rids[i], resourceType: 'Patient', values: registry.extract(p) })));
    for (const [i, p] of patients.entries()) expect((await counts(db.sql, rids[i])).idx_string).toBe(registry.extract(p).string.length);
    // No foreign key (ingest speed): the store deletes index rows itself.
    await deleteIndexRows(db.sql, rids);
    for (const rid of rids) expect(Object.values(await counts(db.sql, rid)).every((n) => n === 0)).toBe(true);
  });

  it('stores clipped huge values and empty resources without error', async () => {
    const big = { resourceType: 'Patient', id: 'big', name: [{ family: 'ü'.repeat(20000) }], identifier: [{ system: 'urn:x', value: 'x'.repeat(9000) }] } as Resource & { id: string };
    await expect(insertResource(db.sql, registry, big)).resolves.toMatch(/^\d+$/);
    const empty = await db.sql.query<{ rid: string }>(`INSERT INTO resource (res_type, id, version, last_updated, content) VALUES ('Basic', 'e', 1, now(), '{}'::jsonb) RETURNING rid::text AS rid`);
    await expect(writeIndexRows(db.sql, empty.rows[0].rid, 'Basic', registry.extract({ resourceType: 'Basic' } as Resource))).resolves.toBeUndefined();
  });
});
