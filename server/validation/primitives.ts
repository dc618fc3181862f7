/** Checks on primitive values that the JSON schema's regexes cannot express (calendar dates, integer ranges, base64). */

/** FHIR strings are limited to 1 MB (https://hl7.org/fhir/R4/datatypes.html#string). */
const MAX_STRING = 1024 * 1024;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A problem with primitive `value` of FHIR type `type`, or undefined. */
export function checkPrimitive(type: string, value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value === '') return 'Empty string is not allowed: omit the element instead';
    switch (type) {
      case 'date':
      case 'dateTime':
      case 'instant':
        return checkCalendar(type, value);
      case 'base64Binary':
        return base64Length(value) < 0 ? `Invalid base64 content in base64Binary value (${preview(value)})` : undefined;
      case 'string':
      case 'markdown':
        return value.length > MAX_STRING ? `String is longer than 1 MB (${value.length} characters)` : undefined;
      default:
        return undefined;
    }
  }
  if (typeof value === 'number') {
    switch (type) {
      case 'integer':
        return intProblem(value, INT32_MIN, 'an integer');
      case 'unsignedInt':
        return intProblem(value, 0, 'an integer ≥ 0');
      case 'positiveInt':
        return intProblem(value, 1, 'an integer ≥ 1');
      case 'decimal':
        return Number.isFinite(value) ? undefined : `Decimal value out of range (${value})`;
      default:
        return undefined;
    }
  }
  return undefined;
}

function intProblem(value: number, min: number, what: string): string | undefined {
  if (Number.isInteger(value) && value >= min && value <= INT32_MAX) return undefined;
  return `Expected ${what} (32-bit), got ${value}`;
}

/** The regex already fixed the shape; here: does the day exist in that month? */
function checkCalendar(type: string, value: string): string | undefined {
  const m = DATE_PREFIX.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return undefined; // the schema pattern reports these
  const days = daysInMonth(year, month);
  if (day <= days) return undefined;
  return `Invalid ${type} '${preview(value)}': ${MONTHS[month - 1]} ${year} has ${days} days`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Decoded byte length of base64 text, or -1 if it is not base64. Linear scan: whitespace is
 * tolerated (XML heritage), padding only at the end, groups of four.
 */
export function base64Length(s: string): number {
  let n = 0;
  let pad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (c === 61 /* = */) {
      if (++pad > 2) return -1;
    } else if (pad > 0 || !isBase64Char(c)) {
      return -1;
    }
    n++;
  }
  return n % 4 === 0 ? (n / 4) * 3 - pad : -1;
}

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/** Short, single-line excerpt of a value for diagnostics. */
export function preview(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const oneLine = s.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}
