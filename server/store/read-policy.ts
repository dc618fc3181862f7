/** The store's read seam: what each read may return, checked against the ReadPolicy before any SQL runs. */
import type { AccessContext, RowRestriction } from '../core/access-context';
import type { SearchRegistry } from '../search/registry';
import type { IncludeSpec, SearchQuery } from '../search/types';
import type { HistoryQuery, ReadAccess, ReadPolicy } from './types';

/**
 * The row restriction every read of `ctx` runs under (in its SQL): the token's patient compartment when it
 * reads only through patient/ scopes (set on the AccessContext from the token, auth/row-restrictions.ts).
 * Checks (`ReadPolicy.check`) decide whether a read may run at all; the restriction decides which rows it sees.
 */
export function readRestrictionOf(ctx: AccessContext): RowRestriction | undefined {
  return ctx.readRestriction;
}

/** The default until auth and audit plug in: every read is allowed. */
export const allowAllReads: ReadPolicy = { check: () => undefined };

/** Types an _include can bring in: the written target type, else the parameter's targets ('*' for wildcards or unknown). */
function includeTargets(registry: SearchRegistry, spec: IncludeSpec): readonly string[] | '*' {
  if (spec.targetType) return [spec.targetType];
  if (spec.wildcard || spec.sourceType === '*') return '*';
  const target = registry.get(spec.sourceType, spec.param)?.target;
  return target?.length ? target : '*';
}

function union(parts: (readonly string[] | '*')[]): readonly string[] | '*' {
  if (parts.includes('*')) return '*';
  return [...new Set((parts as (readonly string[])[]).flat())];
}

/** Checks a search: its matches, then (before they are fetched) every _include and _revinclude round's types. */
export async function checkSearch(policy: ReadPolicy, registry: SearchRegistry, ctx: AccessContext, q: SearchQuery): Promise<void> {
  await policy.check(ctx, { interaction: 'search', resourceTypes: q.resourceTypes.length ? q.resourceTypes : '*' });
  if (q.include.length) await policy.check(ctx, { interaction: 'include', resourceTypes: union(q.include.map((s) => includeTargets(registry, s))) });
  if (q.revinclude.length) {
    await policy.check(ctx, { interaction: 'revinclude', resourceTypes: union(q.revinclude.map((s) => (s.sourceType === '*' ? '*' : [s.sourceType]))) });
  }
}

export function historyAccess(q: HistoryQuery): ReadAccess {
  return { interaction: 'history', resourceTypes: q.resourceType ? [q.resourceType] : '*' };
}
