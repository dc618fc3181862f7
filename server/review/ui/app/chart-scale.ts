/** Scales and ticks for the CA-125 chart. Pure (no DOM), so the arithmetic is testable on its own. */

export interface ChartPoint {
  ref: string;
  /** Milliseconds since the epoch. */
  time: number;
  value: number;
  verified: boolean;
  label: string;
}

export interface Scale {
  min: number;
  max: number;
  ticks: number[];
  /** Maps a domain value to [rangeStart, rangeEnd]. */
  at(v: number): number;
}

const DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

export function linear(min: number, max: number, from: number, to: number, ticks: number[]): Scale {
  const span = max - min || 1;
  return { min, max, ticks, at: (v) => from + ((v - min) / span) * (to - from) };
}

/** Values from 0 to a round number above the largest point (and above `reference` when given). */
export function valueScale(values: number[], reference: number | undefined, from: number, to: number): Scale {
  const top = Math.max(...values, reference ?? 0, 1) * 1.1;
  const step = niceStep(top, 4);
  const max = Math.ceil(top / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step / 2; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return linear(0, max, from, to, ticks);
}

/** Time from the first to the last point, padded so single points and edges are not on the axis. */
export function timeScale(times: number[], from: number, to: number): Scale {
  let min = Math.min(...times);
  let max = Math.max(...times);
  const pad = Math.max((max - min) * 0.06, 10 * DAY);
  min -= pad;
  max += pad;
  const step = Math.max(niceStep((max - min) / DAY, 4), 1) * DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t);
  return linear(min, max, from, to, ticks.slice(0, 6));
}

/** Whether the span needs the day in tick labels (short ranges) or month and year is enough. */
export function tickLabel(t: number, spanMs: number): string {
  const d = new Date(t);
  const month = MONTHS[d.getUTCMonth()];
  return spanMs < 120 * DAY ? `${d.getUTCDate()} ${month}` : `${month} ${d.getUTCFullYear()}`;
}
