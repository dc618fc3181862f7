/**
 * Stored CodeSystems, ValueSets and ConceptMaps for the terminology engine (search modifiers and the
 * terminology operations), looked up by canonical URL. A CodeSystem is first looked up by its stored
 * version only (id + versionId, no content), so a cached index is reused until the resource changes.
 */
import type { CodeSystem, ConceptMap, Resource, ValueSet } from 'fhir/r4';
import type { Criterion, TokenValue } from '../../search/types';
import { TERMINOLOGY_MODIFIERS, codeSetKey, resolveCodeSet, type CodeSet } from '../../search/terminology';
import { createTerminologyCache, type TerminologyCache } from '../../search/terminology-cache';
import type { CodeSystemIndex } from '../../search/terminology-index';
import type { SqlExecutor } from '../sql';
import type { ConceptMapQuery, TerminologyReader } from '../types';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** More ConceptMaps than this for one $translate are not read (the newest are). */
const MAX_MAPS = 50;

function splitRef(ref: string): { url: string; version?: string } {
  const bar = ref.indexOf('|');
  return bar < 0 ? { url: ref } : { url: ref.slice(0, bar), version: ref.slice(bar + 1) };
}

const URL_MATCH = (param: string, n: number): string =>
  `EXISTS (SELECT 1 FROM idx_uri u WHERE u.rid = r.rid AND u.res_type = r.res_type AND u.param = '${param}' AND u.value = $${n})`;

/** id and version of the newest live resource of `type` whose `url` is `url` (and version, when given). */
async function stampByUrl(sql: SqlExecutor, type: string, url: string, version?: string): Promise<{ id: string; version: number } | undefined> {
  const { rows } = await sql.query<{ id: string; version: number }>(
    `SELECT r.id, r.version FROM resource r
     WHERE r.res_type = $1 AND r.deleted = false AND ${URL_MATCH('url', 2)}
       AND ($3::text IS NULL OR r.content->>'version' = $3::text)
     ORDER BY r.last_updated DESC, r.rid DESC LIMIT 1`,
    [type, url, version ?? null],
  );
  return rows[0] ? { id: rows[0].id, version: Number(rows[0].version) } : undefined;
}

async function stampById(sql: SqlExecutor, type: string, id: string): Promise<{ id: string; version: number } | undefined> {
  const { rows } = await sql.query<{ id: string; version: number }>('SELECT id, version FROM resource WHERE res_type = $1 AND id = $2 AND deleted = false', [type, id]);
  return rows[0] ? { id: rows[0].id, version: Number(rows[0].version) } : undefined;
}

async function contentOf<T extends Resource>(sql: SqlExecutor, type: string, id: string, version: number): Promise<T | undefined> {
  // The current row normally; history when a write replaced it since the version was looked up.
  const { rows } = await sql.query<{ content: T }>(
    `SELECT content FROM resource WHERE res_type = $1 AND id = $2 AND version = $3
     UNION ALL SELECT content FROM resource_history WHERE res_type = $1 AND id = $2 AND version = $3 LIMIT 1`,
    [type, id, version],
  );
  return rows[0]?.content;
}

async function conceptMaps(sql: SqlExecutor, q: ConceptMapQuery): Promise<ConceptMap[]> {
  const params: (string | null)[] = ['ConceptMap'];
  const conds: string[] = [];
  if (q.id !== undefined) {
    if (!ID.test(q.id)) return [];
    params.push(q.id);
    conds.push(`r.id = $${params.length}`);
  }
  if (q.url !== undefined) {
    params.push(q.url);
    conds.push(URL_MATCH('url', params.length));
    if (q.version !== undefined) {
      params.push(q.version);
      conds.push(`r.content->>'version' = $${params.length}`);
    }
  }
  if (q.system !== undefined) {
    params.push(q.system);
    conds.push(URL_MATCH(q.reverse ? 'target-system' : 'source-system', params.length));
  }
  const { rows } = await sql.query<{ content: ConceptMap }>(
    `SELECT r.content FROM resource r WHERE r.res_type = $1 AND r.deleted = false${conds.map((c) => ` AND ${c}`).join('')}
     ORDER BY r.last_updated DESC, r.rid DESC LIMIT ${MAX_MAPS}`,
    params,
  );
  return rows.map((r) => r.content);
}

/** Reads terminology through `sql` (a connection or the caller's transaction); ValueSets once per source. */
export function sqlTerminologySource(sql: SqlExecutor, cache: TerminologyCache): TerminologyReader {
  const memo = new Map<string, Promise<ValueSet | undefined>>();
  const once = (key: string, load: () => Promise<ValueSet | undefined>): Promise<ValueSet | undefined> => {
    let p = memo.get(key);
    if (!p) memo.set(key, (p = load()));
    return p;
  };
  const indexOf = async (stamp: { id: string; version: number } | undefined): Promise<CodeSystemIndex | undefined> => {
    if (!stamp) return undefined;
    return cache.index(`CodeSystem/${stamp.id}/${stamp.version}`, () => contentOf<CodeSystem>(sql, 'CodeSystem', stamp.id, stamp.version));
  };
  const valueSetByUrl = async (ref: string): Promise<ValueSet | undefined> => {
    const { url, version } = splitRef(ref);
    const stamp = await stampByUrl(sql, 'ValueSet', url, version);
    return stamp ? contentOf<ValueSet>(sql, 'ValueSet', stamp.id, stamp.version) : undefined;
  };
  return {
    valueSet(ref) {
      const rel = /^ValueSet\/(.+)$/.exec(ref);
      if (rel) {
        if (!ID.test(rel[1])) return Promise.resolve(undefined);
        return once(ref, async () => {
          const stamp = await stampById(sql, 'ValueSet', rel[1]);
          return stamp ? contentOf<ValueSet>(sql, 'ValueSet', stamp.id, stamp.version) : undefined;
        });
      }
      return once(`url ${ref}`, () => valueSetByUrl(ref));
    },
    codeSystem: async (url, version) => indexOf(await stampByUrl(sql, 'CodeSystem', url, version)),
    codeSystemById: async (id) => (ID.test(id) ? indexOf(await stampById(sql, 'CodeSystem', id)) : undefined),
    conceptMaps: (q) => conceptMaps(sql, q),
  };
}

function collect(c: Criterion, out: { modifier: string; value: TokenValue }[]): void {
  if (c.chain) collect(c.chain.criterion, out);
  if (c.has) collect(c.has.criterion, out);
  if (!c.modifier || !TERMINOLOGY_MODIFIERS.has(c.modifier)) return;
  for (const v of c.parsed ?? []) if (v.kind === 'token') out.push({ modifier: c.modifier, value: v });
}

/** Resolves every :in / :not-in / :above / :below value of the criteria (chains and _has included) to its code set. */
export async function resolveCodeSets(sql: SqlExecutor, criteria: Criterion[], cache?: TerminologyCache): Promise<Map<string, CodeSet>> {
  const wanted: { modifier: string; value: TokenValue }[] = [];
  for (const c of criteria) collect(c, wanted);
  const out = new Map<string, CodeSet>();
  if (wanted.length === 0) return out;
  const src = sqlTerminologySource(sql, cache ?? createTerminologyCache());
  for (const w of wanted) {
    const key = codeSetKey(w.modifier, w.value);
    if (!out.has(key)) out.set(key, await resolveCodeSet(src, w.modifier, w.value));
  }
  return out;
}

/** The reader with `before()` awaited ahead of every lookup (a transaction's buffered index rows are flushed first). */
export function readingAfter(reader: TerminologyReader, before: () => Promise<void>): TerminologyReader {
  return {
    valueSet: async (ref) => { await before(); return reader.valueSet(ref); },
    codeSystem: async (url, version) => { await before(); return reader.codeSystem(url, version); },
    codeSystemById: async (id) => { await before(); return reader.codeSystemById(id); },
    conceptMaps: async (q) => { await before(); return reader.conceptMaps(q); },
  };
}
