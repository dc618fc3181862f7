/** The store's read paths (read, vread, history, search), each passing the ReadPolicy with its AccessContext first. */
import type { AccessContext } from '../core/access-context';
import type { Clock } from '../core/clock';
import type { SearchRegistry } from '../search/registry';
import type { SearchQuery, SearchResult } from '../search/types';
import { readHistory } from './history';
import type { RowRestriction } from '../core/access-context';
import { checkSearch, historyAccess, readRestrictionOf } from './read-policy';
import { restrictionSql } from './search/row-restriction';
import { maskResources, maskStored } from './read-mask';
import { maskHeadersIn, maskHeadersStored } from './subscription-header-mask';
import { SqlBuilder, and } from './search/sql-builder';
import { toStored, type ContentRow } from './rows';
import { executeSearch } from './search/search-sql';
import type { SqlDriver, SqlExecutor } from './sql';
import type { HistoryPage, HistoryQuery, ReadPolicy, StoreReader, StoredResource, TerminologyReader, WriteHook } from './types';
import { sqlTerminologySource } from './search/terminology-source';
import { createTerminologyCache, type TerminologyCache } from '../search/terminology-cache';

export interface PgStoreDeps {
  driver: SqlDriver;
  registry: SearchRegistry;
  clock: Clock;
  /** HMAC key for search/history cursors. */
  cursorSecret: string;
  /** Run inside every write's transaction (frozen when the store opens). */
  hooks: readonly WriteHook[];
  readPolicy: ReadPolicy;
  /** CodeSystem indexes shared by every search and terminology operation of this store (open-store makes one). */
  terminologyCache?: TerminologyCache;
}

/** Read paths shared by the store and its transactions. */
export class Reader implements StoreReader {
  constructor(protected readonly sql: SqlExecutor, protected readonly deps: PgStoreDeps) {}

  async read(ctx: AccessContext, resourceType: string, id: string): Promise<StoredResource | null> {
    await this.deps.readPolicy.check(ctx, { interaction: 'read', resourceTypes: [resourceType] });
    const restriction = readRestrictionOf(ctx);
    if (restriction) return this.headersMasked(ctx, await this.readRestricted('resource r', [resourceType, id], restriction));
    const { rows } = await this.sql.query<ContentRow>(
      'SELECT res_type, id, version, last_updated, deleted, content::text AS content FROM resource WHERE res_type = $1 AND id = $2',
      [resourceType, id],
      'twinfhir_read',
    );
    return this.headersMasked(ctx, rows[0] ? toStored(rows[0]) : null);
  }

  async vread(ctx: AccessContext, resourceType: string, id: string, versionId: number): Promise<StoredResource | null> {
    await this.deps.readPolicy.check(ctx, { interaction: 'vread', resourceTypes: [resourceType] });
    const restriction = readRestrictionOf(ctx);
    // A version is visible only if that version itself was in the compartment (its own `patients`).
    if (restriction) return this.headersMasked(ctx, await this.readRestricted('resource_history r', [resourceType, id, versionId], restriction));
    const { rows } = await this.sql.query<ContentRow>(
      'SELECT res_type, id, version, last_updated, deleted, content::text AS content FROM resource_history WHERE res_type = $1 AND id = $2 AND version = $3',
      [resourceType, id, versionId],
      'twinfhir_vread',
    );
    return this.headersMasked(ctx, rows[0] ? toStored(rows[0]) : null);
  }

  async history(ctx: AccessContext, q: HistoryQuery): Promise<HistoryPage> {
    await this.deps.readPolicy.check(ctx, historyAccess(q));
    const restriction = readRestrictionOf(ctx);
    const page = await readHistory(this.sql, q, this.deps.cursorSecret, restriction);
    const entries = restriction ? await maskStored(this.sql, this.deps.registry, restriction, page.entries) : page.entries;
    return { ...page, entries: await maskHeadersStored(this.sql, ctx, entries) };
  }

  async search(ctx: AccessContext, q: SearchQuery): Promise<SearchResult> {
    await checkSearch(this.deps.readPolicy, this.deps.registry, ctx, q);
    const restriction = readRestrictionOf(ctx);
    const deps = { cursorSecret: this.deps.cursorSecret, terminologyCache: this.deps.terminologyCache };
    const result = await executeSearch(this.sql, restriction ? { ...q, restriction } : q, this.deps.registry, deps);
    // Matches and includes are masked together: one look-up of foreign-only targets (and of subscription authors) for the page.
    const all = [...result.matches, ...result.includes];
    const masked = await maskHeadersIn(this.sql, ctx, await maskResources(this.sql, this.deps.registry, restriction, all));
    if (masked.every((r, i) => r === all[i])) return result;
    return { ...result, matches: masked.slice(0, result.matches.length), includes: masked.slice(result.matches.length) };
  }

  /** A read's answer with Subscription header values masked unless the caller authored it (subscription-header-mask.ts). */
  private async headersMasked(ctx: AccessContext, stored: StoredResource | null): Promise<StoredResource | null> {
    return stored ? ((await maskHeadersStored(this.sql, ctx, [stored]))[0] ?? null) : null;
  }

  /**
   * A read or vread under a row restriction: a row outside it is answered exactly as a missing one (null, so
   * 404); a visible one comes back with other patients' references masked (read-mask.ts).
   */
  private async readRestricted(from: string, key: [string, string] | [string, string, number], restriction: RowRestriction): Promise<StoredResource | null> {
    const b = new SqlBuilder();
    const conds = [`r.res_type = ${b.param(key[0])}`, `r.id = ${b.param(key[1])}`];
    if (key.length === 3) conds.push(`r.version = ${b.param(key[2])}`);
    conds.push(restrictionSql(b, 'r', restriction));
    const { rows } = await this.sql.query<ContentRow>(
      `SELECT r.res_type, r.id, r.version, r.last_updated, r.deleted, r.content::text AS content FROM ${from} WHERE ${and(conds)}`, b.params,
    );
    return rows[0] ? ((await maskStored(this.sql, this.deps.registry, restriction, [toStored(rows[0])]))[0] ?? null) : null;
  }

  /** Terminology through this reader's connection or transaction (a store without a shared cache gets one per reader). */
  terminology(): TerminologyReader {
    return sqlTerminologySource(this.sql, this.deps.terminologyCache ?? createTerminologyCache());
  }
}
