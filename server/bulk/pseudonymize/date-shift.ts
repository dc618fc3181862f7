/**
 * Shifting FHIR date, dateTime and instant strings by whole days, keeping their precision and any
 * time and zone exactly as written: intervals within one patient stay exact to the second.
 */
const DATE_PREFIX = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;
const TIME = /^T([01]\d|2[0-3]):[0-5]\d(:([0-5]\d|60)(\.\d{1,9})?)?(Z|[+-](0\d|1[0-4]):[0-5]\d)?$/;
const DAY_MS = 86_400_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * The value shifted by `days`, or undefined when it is not a FHIR date/dateTime/instant or the result
 * leaves years 0001–9999. A year-only value is shifted as its 2 July and keeps year precision;
 * year-month as its 15th (so the reported year/month moves like the patient's other dates on average).
 */
export function shiftDate(value: string, days: number): string | undefined {
  const m = DATE_PREFIX.exec(value);
  if (!m) return undefined;
  const rest = value.slice(m[0].length);
  if (rest !== '' && !TIME.test(rest)) return undefined;
  const month = m[2] === undefined ? 7 : Number(m[2]);
  const day = m[3] === undefined ? (m[2] === undefined ? 2 : 15) : Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const t = new Date(0);
  t.setUTCFullYear(Number(m[1]), month - 1, day);
  if (t.getUTCDate() !== day) return undefined; // 2023-02-30
  const shifted = new Date(t.getTime() + days * DAY_MS);
  const y = shifted.getUTCFullYear();
  if (y < 1 || y > 9999) return undefined;
  let out = pad(y, 4);
  if (m[2] !== undefined) out += `-${pad(shifted.getUTCMonth() + 1, 2)}`;
  if (m[3] !== undefined) out += `-${pad(shifted.getUTCDate(), 2)}`;
  return out + rest;
}

/** Keeps only the year (or year-month) of a date-like value; undefined when it is not one. */
export function truncateDate(value: string, precision: 'year' | 'month'): string | undefined {
  const m = DATE_PREFIX.exec(value);
  if (!m) return undefined;
  return precision === 'year' || m[2] === undefined ? m[1] : `${m[1]}-${m[2]}`;
}
