/** Full-text predicates for _content (all string values) and _text (narrative) on idx_text. */
import type { Criterion, TextValue } from '../../search/types';
import { or } from './sql-builder';
import type { PredicateContext } from './predicate-common';
import { shownTextSql } from './masked-rows';

export function textPredicate(ctx: PredicateContext, c: Criterion, values: TextValue[]): string {
  const a = ctx.b.alias('x');
  const column = c.code === '_text' ? 'narrative' : 'content';
  // Under a patient-context token only the text she is shown matches (masked-rows.ts).
  const conds = values.map((v) => shownTextSql(ctx.b, a, column, `plainto_tsquery('simple', ${ctx.b.param(v.value)})`, ctx.restriction));
  return `EXISTS (SELECT 1 FROM idx_text ${a} WHERE ${a}.rid = ${ctx.res}.rid AND (${or(conds)}))`;
}
