/** Turns one Criterion into a SQL condition on a resource alias: dispatch per type, chains, _has, _id, _lastUpdated, :missing. */
import type {
  CompositeValue, Criterion, DateValue, NumberValue, QuantityValue, ReferenceValue, SearchValue, StringValue, TextValue, TokenValue, UriValue,
} from '../../search/types';
import { badRequest, notSupported } from '../../core/fhir-error';
import { and, or } from './sql-builder';
import type { PredicateContext } from './predicate-common';
import { tokenPredicate } from './predicate-token';
import { stringPredicate } from './predicate-string';
import { dateCondition, datePredicate } from './predicate-date';
import { numberPredicate, quantityPredicate } from './predicate-number';
import { referencePredicate } from './predicate-reference';
import { uriPredicate } from './predicate-uri';
import { textPredicate } from './predicate-text';

const TABLE_BY_TYPE: Record<string, string> = {
  token: 'idx_token', string: 'idx_string', reference: 'idx_reference', date: 'idx_date',
  number: 'idx_number', quantity: 'idx_quantity', uri: 'idx_uri',
};

function values<T extends SearchValue>(c: Criterion, kind: T['kind']): T[] {
  const parsed = c.parsed ?? [];
  if (parsed.some((v) => v.kind !== kind)) throw badRequest(`Unexpected value for search parameter '${c.code}'`, [c.code]);
  return parsed as T[];
}

function missingPredicate(ctx: PredicateContext, c: Criterion): string {
  const table = c.definition ? TABLE_BY_TYPE[c.definition.type] : undefined;
  if (!table) throw notSupported(`':missing' is not supported for '${c.code}'`);
  const a = ctx.b.alias('m');
  const missing = (c.parsed ?? []).map((v) => (v.kind === 'missing' ? v.missing : false));
  const exists = `EXISTS (SELECT 1 FROM ${table} ${a} WHERE ${a}.rid = ${ctx.res}.rid AND ${a}.param = ${ctx.b.param(c.code)})`;
  return or([...new Set(missing)].map((m) => (m ? `NOT ${exists}` : exists)));
}

/** subject:Patient.name=x → a reference row of this resource whose target (a live resource) matches the inner criterion. */
function chainPredicate(ctx: PredicateContext, c: Criterion): string {
  const chain = c.chain;
  if (!chain) return 'FALSE';
  const types = chain.targetType ? [chain.targetType] : (chain.targetTypes ?? []);
  if (types.length === 0) return 'FALSE';
  const x = ctx.b.alias('c');
  const r2 = ctx.b.alias('r');
  const inner = criterionSql({ ...ctx, res: r2, ...(types.length === 1 ? { resType: types[0] } : { resType: undefined }) }, chain.criterion);
  const where = [`${x}.rid = ${ctx.res}.rid`, `${x}.param = ${ctx.b.param(c.code)}`, `${x}.target_type = ANY(${ctx.b.param(types)}::text[])`];
  if (ctx.resType) where.push(`${x}.res_type = ${ctx.b.param(ctx.resType)}`);
  return (
    `EXISTS (SELECT 1 FROM idx_reference ${x} JOIN resource ${r2} ON ${r2}.res_type = ${x}.target_type AND ${r2}.id = ${x}.target_id ` +
    `WHERE ${where.join(' AND ')} AND ${r2}.deleted = false AND (${inner}))`
  );
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
    `AND ${h}.param = ${ctx.b.param(has.referenceParam)} AND ${r2}.deleted = false AND (${inner}))`
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

/** Each value needs all its components to match; values are OR-ed. */
function compositePredicate(ctx: PredicateContext, c: Criterion, list: CompositeValue[]): string {
  return or(list.map((v) => and(v.components.map((comp) => criterionSql(ctx, {
    code: comp.code, definition: { url: '', code: comp.code, base: [], type: comp.type }, values: [], parsed: [comp.value],
  })))));
}

/** The SQL condition for one criterion (its values OR-ed) on the resource alias ctx.res. */
export function criterionSql(ctx: PredicateContext, c: Criterion): string {
  if (c.has) return hasPredicate(ctx, c);
  if (c.chain) return chainPredicate(ctx, c);
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
    case 'composite': return compositePredicate(ctx, c, values<CompositeValue>(c, 'composite'));
    default: throw notSupported(`Search parameter '${c.code}' is not supported yet`);
  }
}
