/** The store's read paths (read, vread, history, search), each passing the ReadPolicy with its AccessContext first. */
import type { AccessContext } from '../core/access-context';
import type { Clock } from '../core/clock';
import type { SearchRegistry } from '../search/registry';
import type { SearchQuery, SearchResult } from '../search/types';
import { readHistory } from './history';
import { checkSearch, historyAccess } from './read-policy';
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
    const { rows } = await this.sql.query<ContentRow>(
      'SELECT res_type, id, version, last_updated, deleted, content::text AS content FROM resource WHERE res_type = $1 AND id = $2',
      [resourceType, id],
      'twinfhir_read',
    );
    return rows[0] ? toStored(rows[0]) : null;
  }

  async vread(ctx: AccessContext, resourceType: string, id: string, versionId: number): Promise<StoredResource | null> {
    await this.deps.readPolicy.check(ctx, { interaction: 'vread', resourceTypes: [resourceType] });
    const { rows } = await this.sql.query<ContentRow>(
      'SELECT res_type, id, version, last_updated, deleted, content::text AS content FROM resource_history WHERE res_type = $1 AND id = $2 AND version = $3',
      [resourceType, id, versionId],
      'twinfhir_vread',
    );
    return rows[0] ? toStored(rows[0]) : null;
  }

  async history(ctx: AccessContext, q: HistoryQuery): Promise<HistoryPage> {
    await this.deps.readPolicy.check(ctx, historyAccess(q));
    return readHistory(this.sql, q, this.deps.cursorSecret);
  }

  async search(ctx: AccessContext, q: SearchQuery): Promise<SearchResult> {
    await checkSearch(this.deps.readPolicy, this.deps.registry, ctx, q);
    return executeSearch(this.sql, q, this.deps.registry, { cursorSecret: this.deps.cursorSecret, terminologyCache: this.deps.terminologyCache });
  }

  /** Terminology through this reader's connection or transaction (a store without a shared cache gets one per reader). */
  terminology(): TerminologyReader {
    return sqlTerminologySource(this.sql, this.deps.terminologyCache ?? createTerminologyCache());
  }
}
