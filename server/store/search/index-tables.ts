/** Column layout of each search index table, shared by the index writer (and kept in step with 002 and 003). */
import type { IndexValues } from '../../search/types';
import type { SqlParam } from '../sql';

export interface IndexColumn<R> { name: string; pgType: string; get: (row: R) => SqlParam }
export interface IndexTable<R> { table: string; columns: IndexColumn<R>[] }

type Rows = Omit<IndexValues, 'content' | 'narrative'>;
export type IndexKind = keyof Rows;

const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
/** Composite component rows carry the number of their element (003); null elsewhere. */
const grp = { name: 'grp', pgType: 'int4', get: (r: { group?: number }): SqlParam => n(r.group) };

export const INDEX_TABLES: { [K in IndexKind]: IndexTable<Rows[K][number]> } = {
  token: {
    table: 'idx_token',
    columns: [
      { name: 'param', pgType: 'text', get: (r) => r.param },
      { name: 'system', pgType: 'text', get: (r) => r.system },
      { name: 'code', pgType: 'text', get: (r) => r.code },
      { name: 'display', pgType: 'text', get: (r) => n(r.display) },
      { name: 'type_system', pgType: 'text', get: (r) => n(r.typeSystem) },
      { name: 'type_code', pgType: 'text', get: (r) => n(r.typeCode) },
      grp,
    ],
  },
  string: {
    table: 'idx_string',
    columns: [
      { name: 'param', pgType: 'text', get: (r) => r.param },
      { name: 'norm', pgType: 'text', get: (r) => r.norm },
      { name: 'exact', pgType: 'text', get: (r) => r.exact },
      grp,
    ],
  },
  reference: {
    table: 'idx_reference',
    columns: [
      { name: 'param', pgType: 'text', get: (r) => r.param },
      { name: 'target_type', pgType: 'text', get: (r) => r.targetType },
      { name: 'target_id', pgType: 'text', get: (r) => r.targetId },
      { name: 'target_version', pgType: 'text', get: (r) => n(r.targetVersion) },
      { name: 'url', pgType: 'text', get: (r) => r.url },
      { name: 'ident_system', pgType: 'text', get: (r) => n(r.identifierSystem) },
      { name: 'ident_value', pgType: 'text', get: (r) => n(r.identifierValue) },
      grp,
    ],
  },
  date: {
    table: 'idx_date',
    columns: [
      { name: 'param', pgType: 'text', get: (r) => r.param },
      { name: 'low', pgType: 'timestamptz', get: (r) => r.low },
      { name: 'high', pgType: 'timestamptz', get: (r) => r.high },
      grp,
    ],
  },
  number: {
    table: 'idx_number',
    columns: [
      { name: 'param', pgType: 'text', get: (r) => r.param },
      { name: 'value', pgType: 'numeric', get: (r) => r.value },
      { name: 'low', pgType: 'numeric', get: (r) => r.low },
      { name: 'high', pgType: 'numeric', get: (r) => r.high },
      grp,
    ],
  },
  quantity: {
    table: 'idx_quantity',
    columns: [
      { name: 'param', pgType: 'text', get: (r) => r.param },
      { name: 'value', pgType: 'numeric', get: (r) => r.value },
      { name: 'low', pgType: 'numeric', get: (r) => r.low },
      { name: 'high', pgType: 'numeric', get: (r) => r.high },
      { name: 'system', pgType: 'text', get: (r) => r.system },
      { name: 'code', pgType: 'text', get: (r) => r.code },
      { name: 'unit', pgType: 'text', get: (r) => r.unit },
      { name: 'canon_code', pgType: 'text', get: (r) => n(r.canonicalCode) },
      { name: 'canon_value', pgType: 'numeric', get: (r) => n(r.canonicalValue) },
      { name: 'canon_low', pgType: 'numeric', get: (r) => n(r.canonicalLow) },
      { name: 'canon_high', pgType: 'numeric', get: (r) => n(r.canonicalHigh) },
      grp,
    ],
  },
  uri: {
    table: 'idx_uri',
    columns: [
      { name: 'param', pgType: 'text', get: (r) => r.param },
      { name: 'value', pgType: 'text', get: (r) => r.value },
      grp,
    ],
  },
};

export const INDEX_KINDS = Object.keys(INDEX_TABLES) as IndexKind[];
/** Every table holding index rows, including full text. */
export const ALL_INDEX_TABLE_NAMES = [...INDEX_KINDS.map((k) => INDEX_TABLES[k].table), 'idx_text'];
