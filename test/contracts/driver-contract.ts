/**
 * runDriverContract({ newDriver }): what the store relies on from a SqlDriver (pg pool, PGlite), as
 * one suite every driver must pass. Call it inside a describe that names the driver.
 */
import { readdirSync } from 'node:fs';
import { FhirError } from '../../server/core/fhir-error';
import { migrate, migrationsDir } from '../../server/store/migrate';
import type { SqlDriver } from '../../server/store/sql';
import type { DriverContractOptions, DriverUnderTest } from './types';

export type { DriverContractOptions, DriverUnderTest, NewDriverOptions } from './types';

const count = async (sql: SqlDriver, table: string): Promise<number> =>
  Number((await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0].n);

export function runDriverContract({ newDriver }: DriverContractOptions): void {
  let t: DriverUnderTest;
  let sql: SqlDriver;
  beforeAll(async () => {
    t = await newDriver({ poolSize: 2, statementTimeoutMs: 500 });
    sql = t.driver;
    await sql.exec('CREATE TABLE kv (k text PRIMARY KEY, v integer NOT NULL); CREATE TABLE counter (n integer NOT NULL); INSERT INTO counter VALUES (0)');
  });
  afterAll(async () => {
    await t?.dispose();
  });

  test('numbered parameters of every SqlParam kind round-trip; DML reports its rowCount', async () => {
    const at = new Date('2024-01-01T00:00:00.000Z');
    const { rows } = await sql.query<{ a: string[]; j: unknown; t: Date; n: number; z: null; s: string }>(
      'SELECT $1::text[] AS a, $2::jsonb AS j, $3::timestamptz AS t, $4::int AS n, $5::text AS z, $6::text AS s',
      [['x', 'y'], { deep: [1, { k: 'v' }] }, at, 7, null, "O'Brien; DROP TABLE kv"],
    );
    expect(rows).toEqual([{ a: ['x', 'y'], j: { deep: [1, { k: 'v' }] }, t: at, n: 7, z: null, s: "O'Brien; DROP TABLE kv" }]);
    expect((await sql.query('INSERT INTO kv VALUES ($1, 1), ($2, 2)', ['p1', 'p2'])).rowCount).toBe(2);
    expect((await sql.query('UPDATE kv SET v = v + 1 WHERE k LIKE $1', ['p%'])).rowCount).toBe(2);
    expect((await sql.query('DELETE FROM kv WHERE k = $1', ['nope'])).rowCount).toBe(0);
    // A hot statement name is a hint only: the same name with the same text runs again.
    for (let i = 0; i < 2; i++) expect((await sql.query<{ v: number }>('SELECT v FROM kv WHERE k = $1', ['p1'], 'contract_hot')).rows).toEqual([{ v: 2 }]);
  });

  test('exec runs a multi-statement script', async () => {
    await sql.exec("INSERT INTO kv VALUES ('e1', 1); INSERT INTO kv VALUES ('e2', 2); UPDATE kv SET v = 20 WHERE k = 'e2'");
    expect((await sql.query<{ v: number }>("SELECT v FROM kv WHERE k IN ('e1', 'e2') ORDER BY k")).rows).toEqual([{ v: 1 }, { v: 20 }]);
  });

  test('a transaction commits its writes together and returns its value', async () => {
    const result = await sql.transaction(async (tx) => {
      await tx.query("INSERT INTO kv VALUES ('t1', 1)");
      await tx.query("INSERT INTO kv VALUES ('t2', 2)");
      return (await tx.query<{ n: string }>("SELECT count(*)::text AS n FROM kv WHERE k LIKE 't%'")).rows[0].n;
    });
    expect(result).toBe('2');
    expect(await count(sql, "kv WHERE k LIKE 't%'")).toBe(2);
  });

  test('a transaction that throws (or whose statement fails) rolls back every write, and the driver stays usable', async () => {
    await expect(sql.transaction(async (tx) => {
      await tx.query("INSERT INTO kv VALUES ('r1', 1)");
      throw new Error('boom');
    })).rejects.toThrow('boom');
    // More failing transactions than connections: each must give its connection back.
    for (let i = 0; i < 5; i++) {
      await expect(sql.transaction(async (tx) => {
        await tx.query("INSERT INTO kv VALUES ('r2', 1)");
        await tx.query('INSERT INTO kv VALUES ($1, NULL)', ['r3']);
      })).rejects.toBeDefined();
    }
    expect(await count(sql, "kv WHERE k LIKE 'r%'")).toBe(0);
    expect((await sql.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('concurrent transactions on one row serialize: no update is lost', async () => {
    await Promise.all(Array.from({ length: 8 }, () => sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ n: number }>('SELECT n FROM counter FOR UPDATE');
      await tx.query('UPDATE counter SET n = $1', [rows[0].n + 1]);
    })));
    expect((await sql.query<{ n: number }>('SELECT n FROM counter')).rows).toEqual([{ n: 8 }]);
  });

  test('database errors leave the driver translated: a unique violation is a 409 FhirError, a syntax error is not a FhirError', async () => {
    await sql.query("INSERT INTO kv VALUES ('u1', 1)");
    await expect(sql.query("INSERT INTO kv VALUES ('u1', 2)")).rejects.toMatchObject({ status: 409 });
    await expect(sql.query("INSERT INTO kv VALUES ('u1', 2)")).rejects.toBeInstanceOf(FhirError);
    const syntax = await sql.query('SELEC 1').catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(Error);
    // unknown errors must stay unknown (→ 500), never be dressed up as a client error
    expect(syntax).not.toBeInstanceOf(FhirError);
    expect(syntax).toMatchObject({ code: '42601' });
  });

  // PGlite cannot be interrupted: its driver runs it in a worker thread and gives up on the caller's behalf.
  test('a statement that outlives the statement timeout is a 503 FhirError, and the driver answers again afterwards', async () => {
    const started = performance.now();
    await expect(sql.query('SELECT pg_sleep(3)')).rejects.toMatchObject({ status: 503, issues: [expect.objectContaining({ code: 'timeout' })] });
    expect(performance.now() - started).toBeLessThan(2500);
    expect((await sql.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('a transaction whose statement timed out is rolled back', async () => {
    await expect(sql.transaction(async (tx) => {
      await tx.query("INSERT INTO kv VALUES ('slow', 1)");
      await tx.query('SELECT pg_sleep(2)');
    })).rejects.toMatchObject({ status: 503 });
    expect(await count(sql, "kv WHERE k = 'slow'")).toBe(0);
  });

  test('poolStats reports whole numbers that add up', () => {
    const s = sql.poolStats();
    for (const v of [s.total, s.idle, s.waiting]) expect(Number.isInteger(v) && v >= 0).toBe(true);
    expect(s.idle).toBeLessThanOrEqual(s.total);
  });

  test('migrations apply every file once; running them again applies nothing', async () => {
    const files = readdirSync(migrationsDir()).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
    expect(await migrate(sql)).toEqual(files);
    expect(await migrate(sql)).toEqual([]);
    expect(await count(sql, 'schema_migrations')).toBe(files.length);
  });

  test('after close, queries are refused', async () => {
    const other = await newDriver({ poolSize: 1, statementTimeoutMs: 0 });
    await other.driver.close();
    await expect(other.driver.query('SELECT 1')).rejects.toBeInstanceOf(Error);
    await other.dispose();
  });
}
