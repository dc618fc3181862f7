/** FHIR date/dateTime/instant → the inclusive UTC instant range implied by its precision. */

export interface InstantRange { low: string; high: string }

export const NEG_INFINITY = '-infinity';
export const POS_INFINITY = 'infinity';

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

// Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear(y, mo, d) does not, and rolls days over in year y.
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

function daysInMonth(y: number, mo: number): number {
  return new Date(utc(y, mo + 1, 0)).getUTCDate();
}

function offsetMs(tz: string | undefined): number | null {
  if (!tz || tz === 'Z') return 0;
  const sign = tz[0] === '-' ? -1 : 1;
  const h = Number(tz.slice(1, 3));
  const m = Number(tz.slice(4, 6));
  if (h > 14 || m > 59) return null;
  return sign * (h * 60 + m) * 60_000;
}

/**
 * Returns the range, or null when the text is not a valid FHIR date. Values without a timezone are
 * read as UTC (the server has no better knowledge of the author's zone).
 */
export function dateRange(text: string): InstantRange | null {
  const m = DATE_RE.exec(text.trim());
  if (!m) return null;
  const y = Number(m[1]);
  if (y < 1) return null; // FHIR dates have no year 0000 (datatypes.html#date), nor does PostgreSQL
  if (m[2] === undefined) return span(utc(y, 0, 1), utc(y + 1, 0, 1) - 1);
  const mo = Number(m[2]) - 1;
  if (mo < 0 || mo > 11) return null;
  if (m[3] === undefined) return span(utc(y, mo, 1), utc(y, mo + 1, 1) - 1);
  const d = Number(m[3]);
  if (d < 1 || d > daysInMonth(y, mo)) return null;
  if (m[4] === undefined) return span(utc(y, mo, d), utc(y, mo, d + 1) - 1);
  return timeRange(y, mo, d, m);
}

function timeRange(y: number, mo: number, d: number, m: RegExpExecArray): InstantRange | null {
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (h > 23 || mi > 59 || s > 59) return null;
  const off = offsetMs(m[8]);
  if (off === null) return null;
  const frac = m[7] ?? '';
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const low = utc(y, mo, d, h, mi, s, ms) - off;
  let width: number;
  if (m[6] === undefined) width = 60_000;
  else if (!frac) width = 1000;
  else width = frac.length >= 3 ? 1 : 10 ** (3 - frac.length);
  return span(low, low + width - 1);
}

// The instants PostgreSQL's timestamptz and a 4-digit FHIR year both hold.
const MIN_INSTANT_MS = utc(1, 0, 1);
const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An instant as ISO text, clamped to years 0001–9999 (a zone offset or `ap` must not leave them). */
export function clampedIso(ms: number): string {
  return new Date(Math.min(MAX_INSTANT, Math.max(MIN_INSTANT_MS, ms))).toISOString();
}

function span(low: number, high: number): InstantRange {
  return { low: clampedIso(low), high: clampedIso(high) };
}

/** An instant range as milliseconds, mapping the infinities to ±Infinity. */
export function rangeMillis(r: InstantRange): { low: number; high: number } {
  const conv = (v: string): number => (v === NEG_INFINITY ? -Infinity : v === POS_INFINITY ? Infinity : Date.parse(v));
  return { low: conv(r.low), high: conv(r.high) };
}
