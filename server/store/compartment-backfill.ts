/**
 * Fills the `patients` column (migration 010) of versions written before it existed, at start, in batches:
 * versions with content from their own index values, delete markers and deleted current rows from the
 * last version with content. Idempotent, and safe beside running writers: a row is only filled while still
 * NULL, so a version a writer has meanwhile written keeps what the writer computed. Until filled, a row
 * matches no patient (a patient-context token does not see it; nothing is shown too much).
 */
import type { Resource } from 'fhir/r4';
import type { SearchRegistry } from '../search/registry';
import { patientCompartmentsOf } from '../search/patient-compartment';
import type { SqlDriver, SqlParam } from './sql';

const BATCH = 500;
const PATIENTS = 'ARRAY(SELECT jsonb_array_elements_text(u.p::jsonb))';
/** The compartments of the latest version with content before (or at) the row's own. */
const LAST_KNOWN = (t: string, version: string): string =>
  `coalesce((SELECT h.patients FROM resource_history h WHERE h.res_type = ${t}.res_type AND h.id = ${t}.id AND h.version <= ${version} ` +
  `AND h.content IS NOT NULL ORDER BY h.version DESC LIMIT 1), '{}')`;

type Row = { key: string; res_type: string; id: string; version: number; content: Resource };

type Keys = (rows: Row[]) => SqlParam[];

async function fillBatches(driver: SqlDriver, registry: SearchRegistry, select: string, update: string, keys: Keys): Promise<number> {
  let filled = 0;
  for (;;) {
    const { rows } = await driver.query<Row>(select, [BATCH]);
    if (rows.length === 0) return filled;
    const patients = rows.map((r) => JSON.stringify(patientCompartmentsOf(registry, { ...r.content, id: r.id }, registry.extract(r.content))));
    await driver.query(update, [...keys(rows), patients]);
    filled += rows.length;
    if (rows.length < BATCH) return filled;
  }
}

/** Returns how many rows it filled (0 on a database written entirely since migration 010). */
export async function backfillPatientCompartments(driver: SqlDriver, registry: SearchRegistry): Promise<number> {
  let filled = await fillBatches(
    driver, registry,
    `SELECT '' AS key, res_type, id, version, content FROM resource_history WHERE patients IS NULL AND content IS NOT NULL LIMIT $1`,
    `UPDATE resource_history r SET patients = ${PATIENTS} FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[]) AS u(t, i, v, p)
     WHERE r.res_type = u.t AND r.id = u.i AND r.version = u.v AND r.patients IS NULL`,
    (rows) => [rows.map((r) => r.res_type), rows.map((r) => r.id), rows.map((r) => Number(r.version))],
  );
  filled += await fillBatches(
    driver, registry,
    `SELECT rid::text AS key, res_type, id, version, content FROM resource WHERE patients IS NULL AND content IS NOT NULL ORDER BY rid LIMIT $1`,
    `UPDATE resource r SET patients = ${PATIENTS} FROM unnest($1::bigint[], $2::text[]) AS u(k, p) WHERE r.rid = u.k AND r.patients IS NULL`,
    (rows) => [rows.map((r) => r.key)],
  );
  const markers = await driver.query(`UPDATE resource_history d SET patients = ${LAST_KNOWN('d', 'd.version')} WHERE d.patients IS NULL AND d.content IS NULL`);
  const deleted = await driver.query(`UPDATE resource c SET patients = ${LAST_KNOWN('c', 'c.version')} WHERE c.patients IS NULL AND c.content IS NULL`);
  return filled + (markers.rowCount ?? 0) + (deleted.rowCount ?? 0);
}
