/**
 * Fills idx_text.owner and shared_content (migration 017) of rows indexed before they existed, at start, in
 * batches, from the current version's content (search/text-ownership.ts). Idempotent and safe beside running
 * writers: a row is only filled while its owner is still NULL, so a row a writer has meanwhile rewritten keeps
 * what the writer computed. Until filled, a row matches no patient-context full-text search (nothing is
 * found that should not be).
 */
import type { Resource } from 'fhir/r4';
import type { SearchRegistry } from '../search/registry';
import { textOwnershipOf } from '../search/text-ownership';
import { JSON_ARRAY } from './search/index-writer';
import type { SqlDriver } from './sql';

const BATCH = 500;

/** Returns how many rows it filled (0 on a database indexed entirely since migration 017). */
export async function backfillTextOwnership(driver: SqlDriver, registry: SearchRegistry): Promise<number> {
  let filled = 0;
  let after = '0';
  for (;;) {
    // A row whose resource has no content (deleted since) keeps its NULL owner: a delete removes its index rows.
    const { rows } = await driver.query<{ rid: string; content: Resource }>(
      `SELECT t.rid::text AS rid, r.content FROM idx_text t JOIN resource r ON r.rid = t.rid
       WHERE t.owner IS NULL AND t.rid > $1::bigint AND r.content IS NOT NULL ORDER BY t.rid LIMIT $2`,
      [after, BATCH],
    );
    if (rows.length === 0) return filled;
    const text = rows.map((r) => textOwnershipOf(registry, r.content));
    await driver.query(
      `UPDATE idx_text t SET owner = u.owner, targets = ${JSON_ARRAY('u.targets')}, idents = ${JSON_ARRAY('u.idents')}, shared_content = to_tsvector('simple', u.shared)
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(rid, owner, targets, idents, shared) WHERE t.rid = u.rid AND t.owner IS NULL`,
      [rows.map((r) => r.rid), text.map((t) => t.owner), text.map((t) => JSON.stringify(t.targets)), text.map((t) => JSON.stringify(t.idents)), text.map((t) => t.sharedContent)],
    );
    filled += rows.length;
    after = rows[rows.length - 1].rid;
    if (rows.length < BATCH) return filled;
  }
}
