/** Stored ValueSets and CodeSystems for token :in / :not-in / :above / :below, looked up by canonical URL. */
import type { CodeSystem, Resource, ValueSet } from 'fhir/r4';
import type { Criterion, TokenValue } from '../../search/types';
import { TERMINOLOGY_MODIFIERS, codeSetKey, resolveCodeSet, type CodeSet, type TerminologySource } from '../../search/terminology';
import type { SqlExecutor } from '../sql';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The most recently updated live resource of `type` whose `url` is `url` (and version, when given). */
async function byUrl<T extends Resource>(sql: SqlExecutor, type: string, ref: string): Promise<T | undefined> {
  const bar = ref.indexOf('|');
  const url = bar < 0 ? ref : ref.slice(0, bar);
  const version = bar < 0 ? undefined : ref.slice(bar + 1);
  const params: (string | null)[] = [type, 'url', url, version ?? null];
  const { rows } = await sql.query<{ content: T }>(
    `SELECT r.content FROM resource r
     WHERE r.res_type = $1 AND r.deleted = false
       AND EXISTS (SELECT 1 FROM idx_uri u WHERE u.rid = r.rid AND u.res_type = $1 AND u.param = $2 AND u.value = $3)
       AND ($4::text IS NULL OR r.content->>'version' = $4::text)
     ORDER BY r.last_updated DESC, r.rid DESC LIMIT 1`,
    params,
  );
  return rows[0]?.content;
}

async function byId<T extends Resource>(sql: SqlExecutor, type: string, id: string): Promise<T | undefined> {
  const { rows } = await sql.query<{ content: T }>('SELECT content FROM resource WHERE res_type = $1 AND id = $2 AND deleted = false', [type, id]);
  return rows[0]?.content;
}

/** Reads terminology resources through `sql` (the search's own connection or transaction), each once per search. */
export function sqlTerminologySource(sql: SqlExecutor): TerminologySource {
  const cache = new Map<string, Promise<Resource | undefined>>();
  const once = <T extends Resource>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> => {
    let p = cache.get(key);
    if (!p) cache.set(key, (p = load()));
    return p as Promise<T | undefined>;
  };
  return {
    valueSet(ref) {
      const rel = /^ValueSet\/(.+)$/.exec(ref);
      if (rel) return ID.test(rel[1]) ? once(ref, () => byId<ValueSet>(sql, 'ValueSet', rel[1])) : Promise.resolve(undefined);
      return once(`vs ${ref}`, () => byUrl<ValueSet>(sql, 'ValueSet', ref));
    },
    codeSystem: (url) => once(`cs ${url}`, () => byUrl<CodeSystem>(sql, 'CodeSystem', url)),
  };
}

function collect(c: Criterion, out: { modifier: string; value: TokenValue }[]): void {
  if (c.chain) collect(c.chain.criterion, out);
  if (c.has) collect(c.has.criterion, out);
  if (!c.modifier || !TERMINOLOGY_MODIFIERS.has(c.modifier)) return;
  for (const v of c.parsed ?? []) if (v.kind === 'token') out.push({ modifier: c.modifier, value: v });
}

/** Resolves every :in / :not-in / :above / :below value of the criteria (chains and _has included) to its code set. */
export async function resolveCodeSets(sql: SqlExecutor, criteria: Criterion[]): Promise<Map<string, CodeSet>> {
  const wanted: { modifier: string; value: TokenValue }[] = [];
  for (const c of criteria) collect(c, wanted);
  const out = new Map<string, CodeSet>();
  if (wanted.length === 0) return out;
  const src = sqlTerminologySource(sql);
  for (const w of wanted) {
    const key = codeSetKey(w.modifier, w.value);
    if (!out.has(key)) out.set(key, await resolveCodeSet(src, w.modifier, w.value));
  }
  return out;
}
