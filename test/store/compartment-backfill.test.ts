/**
 * Upgrading a database written before migration 010: the start-up backfill computes every version's patient
 * compartments (from its content; delete markers and deleted rows from the last version with content), so a
 * patient-context token sees after the upgrade exactly what it would have seen had 010 always existed — and
 * before the backfill, nothing it should not (NULL matches no patient).
 */
import type { Resource } from 'fhir/r4';
import { type AccessContext, systemContext } from '../../server/core/access-context';
import { createSearchRegistry } from '../../server/search/registry';
import { backfillPatientCompartments } from '../../server/store/compartment-backfill';
import { driversUnderTest } from '../support/databases';
import { type SearchDb, openSearchDb } from '../search/helpers/search-db';

const registry = createSearchRegistry();
const system = systemContext('backfill');
const restriction = { patient: 'p1', exemptTypes: [] as string[] };
const p1: AccessContext = { ...system, patient: 'p1', readRestriction: restriction };
const obs = (id: string, patient: string): Resource & { id: string } =>
  ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` } } as Resource & { id: string });

describe.each(driversUnderTest())('patient compartment backfill on %s', (kind) => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    const { store } = db;
    await store.transaction((tx) => tx.createMany(system, [{ resourceType: 'Patient', id: 'p1' } as Resource & { id: string }, obs('o1', 'p1'), obs('o2', 'p2'), obs('o3', 'p1')]));
    await store.transaction((tx) => tx.update(system, obs('o1', 'p2')));
    await store.transaction((tx) => tx.delete(system, 'Observation', 'o3'));
    // As written before migration 010.
    await db.driver.query('UPDATE resource SET patients = NULL');
    await db.driver.query('UPDATE resource_history SET patients = NULL');
  });
  afterAll(async () => { await db?.close(); });

  test('before the backfill a confined context sees nothing; after it, what the writer would have recorded', async () => {
    const { store, driver } = db;
    expect(await store.read(p1, 'Patient', 'p1')).toBeNull();
    expect(await backfillPatientCompartments(driver, registry)).toBe(4 + 6);
    expect((await store.read(p1, 'Patient', 'p1'))?.id).toBe('p1');
    expect(await store.read(p1, 'Observation', 'o1')).toBeNull();
    expect((await store.vread(p1, 'Observation', 'o1', 1))?.versionId).toBe(1);
    expect(await store.read(p1, 'Observation', 'o2')).toBeNull();
    expect((await store.read(p1, 'Observation', 'o3'))?.deleted).toBe(true);
    expect((await store.history(p1, { resourceType: 'Observation', id: 'o3', count: 5 })).entries.map((e) => e.method)).toEqual(['delete', 'create']);
    const { rows } = await driver.query<{ n: string }>('SELECT (SELECT count(*) FROM resource WHERE patients IS NULL) + (SELECT count(*) FROM resource_history WHERE patients IS NULL) AS n');
    expect(Number(rows[0].n)).toBe(0);
    expect(await backfillPatientCompartments(driver, registry)).toBe(0);
  });

  test('the type-qualified keys (migration 011) follow the backfilled column: one-type reads find the same versions', async () => {
    const { store, driver } = db;
    const keyed = async (table: string, key: string) =>
      Number((await driver.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE twinfhir_typed_patients(res_type, patients) @> ARRAY[$1]::text[]`, [key])).rows[0].n);
    expect([await keyed('resource', 'Patient/p1'), await keyed('resource', 'Observation/p1'), await keyed('resource_history', 'Observation/p1')]).toEqual([1, 1, 3]);
    const history = await store.history(p1, { resourceType: 'Observation', count: 10 });
    expect(history.entries.map((e) => `${e.id}/${e.versionId}`).sort()).toEqual(['o1/1', 'o3/1', 'o3/2']);
  });
});
