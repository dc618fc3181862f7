/**
 * Conditional interactions (create/update/patch/delete and conditional references): find what the
 * criteria match, serialized on an advisory lock so two concurrent requests cannot both "find
 * nothing" and both create. https://hl7.org/fhir/R4/http.html#ccreate
 */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { badRequest } from '../core/fhir-error';
import { parseSearchParams } from '../search/parse';
import type { StoreReader, StoreWriter } from '../store/types';
import type { RestDeps } from './deps';

/** Splits 'a=b&c=d' (with or without a leading '?') into decoded pairs. */
export function parseCriteria(criteria: string): [string, string][] {
  // Accept 'a=b', '?a=b' and 'Patient?a=b' (clients send all three in If-None-Exist).
  const qs = criteria.replace(/^(?:[A-Z][A-Za-z]+)?\?/, '');
  const pairs: [string, string][] = [];
  for (const [k, v] of new URLSearchParams(qs)) pairs.push([k, v]);
  return pairs;
}

const RESULT_PARAMS = new Set(['_format', '_pretty', '_summary', '_elements', '_count', '_sort', '_include', '_revinclude', '_total', '_cursor']);

function lockKey(type: string, pairs: [string, string][]): string {
  return `cond:${type}?${pairs.map(([k, v]) => `${k}=${v}`).sort().join('&')}`;
}

/**
 * Resources of `type` matching the criteria (at most 2: callers only need 0, 1 or "several").
 * With a writer, first takes the criteria's advisory lock for the rest of the transaction.
 */
export async function findConditionalMatches(
  deps: Pick<RestDeps, 'registry'>, ctx: AccessContext, store: StoreReader | StoreWriter, type: string, pairs: [string, string][], header = 'criteria',
): Promise<Resource[]> {
  const effective = pairs.filter(([k]) => !RESULT_PARAMS.has(k));
  if (!effective.length) throw badRequest(`Conditional ${header} has no search criteria`);
  // Strict: an ignored unknown parameter would silently widen the match to everything.
  const { query } = parseSearchParams(deps.registry, [type], effective, { strict: true, defaultCount: 2, maxCount: 2 });
  query.count = 2;
  query.include = [];
  query.revinclude = [];
  query.total = 'none';
  if ('lock' in store) await store.lock(lockKey(type, effective));
  const result = await store.search(ctx, query);
  return result.matches;
}
