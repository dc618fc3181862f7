/** A tiny SQL builder: values only ever enter SQL as numbered `$n` parameters, never as text. */
import type { SqlParam } from '../sql';

export class SqlBuilder {
  readonly params: SqlParam[] = [];
  private aliases = 0;

  /** Registers a bound value and returns its placeholder (`$3`). */
  param(value: SqlParam): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** A fresh table alias (`t1`, `t2`…) for nested subqueries. */
  alias(prefix: string): string {
    this.aliases += 1;
    return `${prefix}${this.aliases}`;
  }
}

/** AND of SQL fragments (TRUE when empty). */
export function and(parts: string[]): string {
  const p = parts.filter((s) => s.length > 0);
  if (p.length === 0) return 'TRUE';
  return p.length === 1 ? p[0] : p.map((s) => `(${s})`).join(' AND ');
}

/** OR of SQL fragments (FALSE when empty). */
export function or(parts: string[]): string {
  if (parts.length === 0) return 'FALSE';
  return parts.length === 1 ? parts[0] : parts.map((s) => `(${s})`).join(' OR ');
}
