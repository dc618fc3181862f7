/** Types of a keyset page read (store/search/page-query.ts, keyed-source.ts). */
import type { Resource } from 'fhir/r4';
import type { SearchQuery } from '../../search/types';
import type { SearchRegistry } from '../../search/registry';
import type { CodeSet } from '../../search/terminology';
import type { SqlBuilder } from './sql-builder';
import type { CursorPosition } from './cursor';

/** `where(b)` builds the WHERE clause selecting live matches on resource alias `r`. */
export type MatchWhere = (b: SqlBuilder) => string;

/**
 * A page row: rid, the sort keys as text (k0, k1…), and the content. For a contained match, `rid`
 * is its container's, k0 its position there, and `container` the container's `Type/id`.
 */
export interface PageRow { rid: string; content: Resource; keys: (string | null)[]; container?: string }

/**
 * all: one query; keyed: rows having the first key; unkeyed: rows without it; contained: contained
 * resources. A keyed segment is read as `walk` (the key's index in order, a window at a time,
 * filtered lazily) and, when a window holds too few matches, as `matches` (the matches first, then
 * their keys: a selective search); multi-key sorts on a text first key leave it to the planner (`keyed`).
 */
export type Segment = 'all' | 'keyed' | 'unkeyed' | 'walk' | 'matches' | 'contained';

export interface PageRequest {
  query: SearchQuery;
  registry: SearchRegistry;
  codeSets: Map<string, CodeSet>;
  where: MatchWhere;
  pos?: CursorPosition;
  /** Rows wanted (the page size plus one, to know whether more follow). */
  limit: number;
  /** Sort-index entries a walk reads before switching to matches first (default WALK_WINDOW). */
  walkWindow?: number;
  /** `_containedType=contained`: the matches as (rid, k0) rows of contained resources, in (rid, k0) order. */
  containedRows?: (b: SqlBuilder) => string;
}
