/** Turns one Criterion into a SQL condition on a resource alias: dispatch per type, chains, _has, _id, _lastUpdated, :missing. */
import type {
  CompositeValue, Criterion, DateValue, NearValue, NumberValue, QuantityValue, ReferenceValue, SearchValue, StringValue, TextValue, TokenValue, UriValue,
} from '../../search/types';
import { badRequest, notSupported } from '../../core/fhir-error';
import { and, or } from './sql-builder';
import { restrictionSql } from './row-restriction';
import type { PredicateContext } from './predicate-common';
import { tokenPredicate } from './predicate-token';
import { stringPredicate } from './predicate-string';
import { dateCondition, datePredicate } from './predicate-date';
import { numberPredicate, quantityPredicate } from './predicate-number';
import { referencePredicate } from './predicate-reference';
import { uriPredicate } from './predicate-uri';
import { textPredicate } from './predicate-text';
import { TABLE_BY_TYPE, compositePredicate } from './predicate-composite';
import { chainPredicate } from './predicate-chain';
import { nearPredicate } from './predicate-near';
import { componentParam } from '../../search/composite';

function values<T extends SearchValue>(c: Criterion, kind: T['kind']): T[] {
  const parsed = c.parsed ?? [];
  if (parsed.some((v) => v.kind !== kind)) throw badRequest(`Unexpected value for search parameter '${c.code}'`, [c.code]);
  return parsed as T[];
}

/** The table and param whose rows say a value is present: composites use their first component's rows. */
function presenceRows(ctx: PredicateContext, c: Criterion): { table?: string; param: string } {
  const def = c.definition;
  if (def?.type !== 'composite') return { table: def ? TABLE_BY_TYPE[def.type] : undefined, param: c.code };
  const shape = ctx.resType ? ctx.registry.composite(ctx.resType, def) : null;
  const first = shape?.components[0];
  if (!shape || !first) return { param: c.code };
  const param = shape.strategy === 'resource' && first.code ? first.code : componentParam(c.code, 0);
  return { table: TABLE_BY_TYPE[first.type], param };
}

function missingPredicate(ctx: PredicateContext, c: Criterion): string {
  const { table, param } = presenceRows(ctx, c);
  if (!table) throw notSupported(`':missing' is not supported for '${c.code}'`);
  const a = ctx.b.alias('m');
  const missing = (c.parsed ?? []).map((v) => (v.kind === 'missing' ? v.missing : false));
  const exists = `EXISTS (SELECT 1 FROM ${table} ${a} WHERE ${a}.rid = ${ctx.res}.rid AND ${a}.param = ${ctx.b.param(param)})`;
  return or([...new Set(missing)].map((m) => (m ? `NOT ${exists}` : exists)));
}

/** _has:Observation:patient:code=x → some live Observation refers to this resource via `patient` and matches. */
function hasPredicate(ctx: PredicateContext, c: Criterion): string {
  const has = c.has;
  if (!has) return 'FALSE';
  const h = ctx.b.alias('h');
  const r2 = ctx.b.alias('r');
  const inner = criterionSql({ ...ctx, res: r2, resType: has.sourceType }, has.criterion);
  const targetType = ctx.resType ? ctx.b.param(ctx.resType) : `${ctx.res}.res_type`;
  return (
    `EXISTS (SELECT 1 FROM idx_reference ${h} JOIN resource ${r2} ON ${r2}.rid = ${h}.rid ` +
    `WHERE ${h}.target_type = ${targetType} AND ${h}.target_id = ${ctx.res}.id AND ${h}.res_type = ${ctx.b.param(has.sourceType)} ` +
    `AND ${h}.param = ${ctx.b.param(has.referenceParam)} AND ${r2}.deleted = false AND ${and([restrictionSql(ctx.b, r2, ctx.restriction, 'filter'), `(${inner})`])})`
  );
}

function columnPredicate(ctx: PredicateContext, c: Criterion): string {
  if (c.code === '_id') {
    const ids = values<TokenValue>(c, 'token').map((v) => v.code ?? '');
    return `${ctx.res}.id = ANY(${ctx.b.param(ids)}::text[])`;
  }
  const col = `${ctx.res}.last_updated`;
  return or(values<DateValue>(c, 'date').map((v) => dateCondition(ctx, col, col, v)));
}

/**
 * Inside contained resources only their own index rows exist: `_id` is the `#Type:_id` row's code;
 * chains, _has, :missing, composites, full text and _lastUpdated (contained resources have no
 * meta) are refused rather than answered wrongly.
 */
function containedOnly(ctx: PredicateContext, c: Criterion): string | undefined {
  if (c.code === '_id') return `${ctx.res}.code = ANY(${ctx.b.param(values<TokenValue>(c, 'token').map((v) => v.code ?? ''))}::text[])`;
  if (!containedSearchable(c)) throw notSupported(`Search parameter '${c.code}${c.modifier ? `:${c.modifier}` : ''}' is not supported inside contained resources`);
  return undefined;
}

/** Meta parameters that contained resources do have (unlike _lastUpdated). */
const CONTAINED_META = new Set(['_id', '_tag', '_profile', '_security', '_source']);

/** Whether a criterion can be answered from a contained resource's own index rows. */
function containedSearchable(c: Criterion): boolean {
  const type = c.definition?.type;
  if (c.has || c.chain || c.modifier === 'missing' || type === 'composite' || type === 'special') return false;
  return !c.code.startsWith('_') || CONTAINED_META.has(c.code);
}

/** The SQL condition for one criterion (its values OR-ed) on the resource alias ctx.res. */
export function criterionSql(ctx: PredicateContext, c: Criterion): string {
  const own = ctx.contained ? containedOnly(ctx, c) : undefined;
  if (own) return own;
  if (c.has) return hasPredicate(ctx, c);
  if (c.chain) return chainPredicate(ctx, c, criterionSql, containedSearchable);
  if (c.modifier === 'missing') return missingPredicate(ctx, c);
  if (c.code === '_id' || c.code === '_lastUpdated') return columnPredicate(ctx, c);
  if (c.code === '_content' || c.code === '_text') return textPredicate(ctx, c, values<TextValue>(c, 'text'));
  switch (c.definition?.type) {
    case 'token': return tokenPredicate(ctx, c, values<TokenValue>(c, 'token'));
    case 'string': return stringPredicate(ctx, c, values<StringValue>(c, 'string'));
    case 'date': return datePredicate(ctx, c, values<DateValue>(c, 'date'));
    case 'number': return numberPredicate(ctx, c, values<NumberValue>(c, 'number'));
    case 'quantity': return quantityPredicate(ctx, c, values<QuantityValue>(c, 'quantity'));
    case 'reference': return referencePredicate(ctx, c, values<ReferenceValue>(c, 'reference'));
    case 'uri': return uriPredicate(ctx, c, values<UriValue>(c, 'uri'));
    case 'composite': return compositePredicate(ctx, values<CompositeValue>(c, 'composite'), criterionSql);
    case 'special':
      if (c.parsed?.length && c.parsed[0].kind === 'near') return nearPredicate(ctx, c, values<NearValue>(c, 'near'));
      throw notSupported(`Search parameter '${c.code}' is not supported`);
    default: throw notSupported(`Search parameter '${c.code}' is not supported yet`);
  }
}
