/** Decimal values as exact strings, with the [low, high] range implied by their significant digits. */

export interface DecimalRange { value: string; low: string; high: string }

const DEC_RE = /^([+-])?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

function format(mant: bigint, scale: number): string {
  if (scale <= 0) return (mant * 10n ** BigInt(-scale)).toString();
  const neg = mant < 0n;
  const digits = (neg ? -mant : mant).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return (neg ? '-' : '') + int + '.' + frac;
}

/**
 * `100` → [99.5, 100.5], `100.0` → [99.95, 100.05], `1e2` → [50, 150]: half a unit of the last
 * significant digit either side. Returns null when the text is not a decimal.
 */
export function decimalRange(text: string): DecimalRange | null {
  const m = DEC_RE.exec(text.trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  let mant = BigInt(m[2] + frac);
  if (m[1] === '-') mant = -mant;
  const scale = frac.length - (m[4] ? Number(m[4]) : 0);
  if (Math.abs(scale) > 1000) return null;
  const value = format(mant, scale);
  return {
    value,
    low: format(mant * 10n - 5n, scale + 1),
    high: format(mant * 10n + 5n, scale + 1),
  };
}

/** A JSON number as a decimal string (JSON.parse has already dropped trailing zeros). */
export function numberRange(n: number): DecimalRange | null {
  return Number.isFinite(n) ? decimalRange(String(n)) : null;
}

/** Multiplies a decimal string by a float factor, keeping 15 significant digits (UCUM factors are floats). */
export function scaleDecimal(value: string, factor: number): string {
  const v = Number(value) * factor;
  return String(Number(v.toPrecision(15)));
}
