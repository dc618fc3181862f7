/** Date index rows: [low, high] instant ranges from date/dateTime/instant, Period and Timing values. */
import type { DateIndex } from './types';
import type { TypedNode } from './path-compiler';
import { dateRange, NEG_INFINITY, POS_INFINITY } from './date-range';

type Obj = Record<string, unknown>;

function point(param: string, v: unknown, out: DateIndex[]): void {
  if (typeof v !== 'string') return;
  const r = dateRange(v);
  if (r) out.push({ param, low: r.low, high: r.high });
}

function period(param: string, p: Obj, out: DateIndex[]): void {
  const start = typeof p.start === 'string' ? dateRange(p.start) : null;
  const end = typeof p.end === 'string' ? dateRange(p.end) : null;
  if (!start && !end) return;
  // Open ends are unbounded: an ongoing Period overlaps every later date.
  out.push({ param, low: start ? start.low : NEG_INFINITY, high: end ? end.high : POS_INFINITY });
}

/** Appends the date rows for one value of a date parameter. */
export function dateRows(param: string, node: TypedNode, out: DateIndex[]): void {
  const v = node.value;
  switch (node.type) {
    case 'date':
    case 'dateTime':
    case 'instant':
      return point(param, v, out);
    case 'Period':
      if (v && typeof v === 'object') period(param, v as Obj, out);
      return;
    case 'Timing': {
      if (!v || typeof v !== 'object') return;
      const t = v as Obj;
      for (const e of (t.event as unknown[] | undefined) ?? []) point(param, e, out);
      const bounds = (t.repeat as Obj | undefined)?.boundsPeriod;
      if (bounds && typeof bounds === 'object') period(param, bounds as Obj, out);
      return;
    }
  }
}
