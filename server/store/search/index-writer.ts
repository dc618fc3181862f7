/**
 * Writes a resource's search index rows: one statement per call, with one multi-row
 * `INSERT … SELECT FROM unnest($n::type[], …)` per non-empty table chained as data-modifying CTEs,
 * so a write costs a single round trip whatever the number of rows. The sort keys (sort_key) are
 * aggregated in the same statement from the rows those inserts return.
 */
import type { IndexValues } from '../../search/types';
import type { TextOwnership } from '../../search/text-ownership';
import type { SqlExecutor, SqlParam } from '../sql';
import { SqlBuilder } from './sql-builder';
import { INDEX_KINDS, INDEX_TABLES, ALL_INDEX_TABLE_NAMES, type IndexKind, type IndexTable } from './index-tables';
import { sortKeyInsert, sortKeyReturning } from './sort-keys';

/** `text`: who may match its full text under a patient-context token (migration 017); absent → not yet known, no such token matches it. */
export interface IndexWriteItem { rid: string; resourceType: string; values: IndexValues; text?: TextOwnership }

/** A statement of the chained write; `name` is its CTE name when a later statement reads its RETURNING rows. */
interface Statement { sql: string; name?: string }

/** Another write of the transaction that rides in the same statement (no RETURNING read): saves its round trip. */
export type ChainedWrite = (b: SqlBuilder) => string;

const chained = (b: SqlBuilder, also: readonly ChainedWrite[]): Statement[] => also.map((w) => ({ sql: w(b) }));

/** Every table a resource's index rows live in (deleted together on rewrite and delete). */
const ROW_TABLES = [...ALL_INDEX_TABLE_NAMES, 'sort_key'];

/** A text[] from a JSON array of strings (NULL stays NULL). */
export const JSON_ARRAY = (col: string): string => `CASE WHEN ${col} IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(${col}::jsonb)) END`;

function insertStatements(b: SqlBuilder, items: IndexWriteItem[]): Statement[] {
  const out: Statement[] = [];
  const sorted: { name: string; kind: IndexKind }[] = [];
  for (const kind of INDEX_KINDS) {
    // The mapped table type is exact per kind; here all kinds go through one generic loop.
    const spec = INDEX_TABLES[kind] as unknown as IndexTable<object>;
    const rids: string[] = [];
    const types: string[] = [];
    const cols: SqlParam[][] = spec.columns.map(() => []);
    for (const item of items) {
      for (const row of item.values[kind] as object[]) {
        rids.push(item.rid);
        types.push(item.resourceType);
        for (let i = 0; i < spec.columns.length; i++) cols[i].push(spec.columns[i].get(row));
      }
    }
    if (rids.length === 0) continue;
    const names = spec.columns.map((c) => c.name).join(', ');
    const arrays = [`${b.param(rids)}::bigint[]`, `${b.param(types)}::text[]`, ...cols.map((c, i) => `${b.param(c)}::${spec.columns[i].pgType}[]`)];
    const name = `ins_${kind}`;
    sorted.push({ name, kind });
    out.push({ name, sql: `INSERT INTO ${spec.table} (rid, res_type, ${names}) SELECT * FROM unnest(${arrays.join(', ')}) ${sortKeyReturning(kind)}` });
  }
  const sortInsert = sortKeyInsert(sorted);
  if (sortInsert) out.push({ sql: sortInsert });
  const text = items.filter((i) => i.values.content || i.values.narrative);
  if (text.length > 0) {
    const rids = b.param(text.map((i) => i.rid));
    const types = b.param(text.map((i) => i.resourceType));
    const content = b.param(text.map((i) => i.values.content));
    const narrative = b.param(text.map((i) => i.values.narrative));
    const owner = b.param(text.map((i) => i.text?.owner ?? null));
    const shared = b.param(text.map((i) => i.text?.sharedContent ?? null));
    // One Postgres array literal per row: unnest cannot take an array of arrays of different lengths.
    const targets = b.param(text.map((i) => (i.text ? JSON.stringify(i.text.targets) : null)));
    const idents = b.param(text.map((i) => (i.text ? JSON.stringify(i.text.idents) : null)));
    // Upsert: a replace deletes the old row in a sibling CTE whose effect this statement cannot see.
    out.push({
      sql:
        `INSERT INTO idx_text (rid, res_type, content, narrative, owner, targets, idents, shared_content) ` +
        `SELECT u.rid, u.res_type, to_tsvector('simple', u.content), to_tsvector('simple', u.narrative), u.owner, ` +
        `${JSON_ARRAY('u.targets')}, ${JSON_ARRAY('u.idents')}, to_tsvector('simple', u.shared) ` +
        `FROM unnest(${rids}::bigint[], ${types}::text[], ${content}::text[], ${narrative}::text[], ${owner}::text[], ${targets}::text[], ${idents}::text[], ${shared}::text[]) ` +
        `AS u(rid, res_type, content, narrative, owner, targets, idents, shared) ` +
        `ON CONFLICT (rid) DO UPDATE SET res_type = EXCLUDED.res_type, content = EXCLUDED.content, narrative = EXCLUDED.narrative, ` +
        `owner = EXCLUDED.owner, targets = EXCLUDED.targets, idents = EXCLUDED.idents, shared_content = EXCLUDED.shared_content`,
    });
  }
  return out;
}

function deleteStatements(b: SqlBuilder, rids: string[], tables: string[]): Statement[] {
  const p = b.param(rids);
  return tables.map((t) => ({ sql: `DELETE FROM ${t} WHERE rid = ANY(${p}::bigint[])` }));
}

/**
 * Chains statements as data-modifying CTEs: they all run, once, in one round trip. The last one
 * is the main statement; when it is itself named (its rows are read by no one), it becomes a CTE too.
 */
async function run(sql: SqlExecutor, b: SqlBuilder, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  const last = statements[statements.length - 1];
  const ctes = last.name ? statements : statements.slice(0, -1);
  const main = last.name ? 'SELECT 1' : last.sql;
  const text = ctes.length === 0 ? main : `WITH ${ctes.map((s, i) => `${s.name ?? `w${i}`} AS (${s.sql})`).join(', ')} ${main}`;
  await sql.query(text, b.params);
}

/** Inserts the index rows of one (new) resource version. */
export async function writeIndexRows(sql: SqlExecutor, rid: string, resourceType: string, values: IndexValues): Promise<void> {
  await writeIndexRowsBatch(sql, [{ rid, resourceType, values }]);
}

/** Inserts the index rows of many resources (a bundle) in one statement, with the `also` writes. */
export async function writeIndexRowsBatch(sql: SqlExecutor, items: IndexWriteItem[], also: readonly ChainedWrite[] = []): Promise<void> {
  if (items.length === 0 && also.length === 0) return;
  const b = new SqlBuilder();
  await run(sql, b, [...insertStatements(b, items), ...chained(b, also)]);
}

/** Removes every index row of the given resources (delete, or before re-indexing). */
export async function deleteIndexRows(sql: SqlExecutor, rid: string | string[]): Promise<void> {
  const rids = Array.isArray(rid) ? rid : [rid];
  if (rids.length === 0) return;
  const b = new SqlBuilder();
  await run(sql, b, deleteStatements(b, rids, ROW_TABLES));
}

/**
 * Replaces the index rows of resources (update) in one round trip: old rows are deleted and new
 * ones inserted by sibling CTEs (the deletes cannot see the new rows: same statement snapshot).
 */
export async function replaceIndexRows(sql: SqlExecutor, items: IndexWriteItem[], also: readonly ChainedWrite[] = []): Promise<void> {
  if (items.length === 0) return writeIndexRowsBatch(sql, [], also);
  const b = new SqlBuilder();
  const withText = new Set(items.filter((i) => i.values.content || i.values.narrative).map((i) => i.rid));
  const tables = ROW_TABLES.filter((t) => t !== 'idx_text');
  const deletes = deleteStatements(b, items.map((i) => i.rid), tables);
  const noText = items.map((i) => i.rid).filter((r) => !withText.has(r));
  if (noText.length) deletes.push(...deleteStatements(b, noText, ['idx_text']));
  await run(sql, b, [...deletes, ...insertStatements(b, items), ...chained(b, also)]);
}
