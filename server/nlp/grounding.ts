/** The hallucination guard for every engine: keep a finding only if its quote occurs in the note, at recomputed offsets. */
// Search order: exact at the claimed offset, whitespace/case-tolerant near it, then anywhere, then after folding
// umlauts and hyphenation; the quote is replaced by the verbatim text at the recomputed offsets.
import { normalizeText, type NormalizedText } from './text/normalize';

export type DropReason = 'empty-quote' | 'quote-not-found';

export const DROP_REASONS: readonly DropReason[] = ['empty-quote', 'quote-not-found'];

/** Anything with a quote and a claimed span in the original text (a Finding, or an engine's raw output). */
export interface Groundable {
  quote: string;
  offset: number;
  length: number;
}

export interface GroundingResult<T extends Groundable> {
  kept: T[];
  dropped: Record<DropReason, number>;
  /** Kept findings whose offsets or quote had to be fixed. */
  corrected: number;
}

export interface GroundingOptions {
  /** Characters around the claimed span searched first (default 300). */
  window?: number;
}

interface Span { start: number; end: number }

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function nearest(spans: Span[], claimed: number): Span | null {
  let best: Span | null = null;
  for (const s of spans) if (!best || Math.abs(s.start - claimed) < Math.abs(best.start - claimed)) best = s;
  return best;
}

/** Case-insensitive match where any whitespace run in the quote matches any whitespace run in the text. */
function tolerantSpans(text: string, quote: string, from: number, to: number): Span[] {
  const parts = quote.trim().split(/\s+/).map(escape);
  const re = new RegExp(parts.join('\\s+'), 'giu');
  const out: Span[] = [];
  const region = text.slice(from, to);
  for (let m = re.exec(region); m; m = re.exec(region)) {
    out.push({ start: from + m.index, end: from + m.index + m[0].length });
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

/** Matches after folding (ä/ae, ß/ss, dashes, "Peritoneal-\nkarzinose"), mapped back to the original text. */
function foldedSpans(norm: NormalizedText, quote: string): Span[] {
  const q = normalizeText(quote).text.trim();
  if (!q) return [];
  const out: Span[] = [];
  for (let i = norm.text.indexOf(q); i >= 0; i = norm.text.indexOf(q, i + 1)) {
    out.push({ start: norm.map[i], end: norm.map[i + q.length - 1] + 1 });
  }
  return out;
}

function locate(text: string, f: Groundable, window: number, norm: () => NormalizedText): Span | null {
  const quote = f.quote;
  const claimed = Number.isInteger(f.offset) && f.offset >= 0 ? f.offset : -1;
  if (claimed >= 0 && text.startsWith(quote, claimed)) return { start: claimed, end: claimed + quote.length };
  const len = Number.isInteger(f.length) && f.length > 0 ? f.length : quote.length;
  if (claimed >= 0) {
    const near = nearest(tolerantSpans(text, quote, Math.max(0, claimed - window), Math.min(text.length, claimed + len + window)), claimed);
    if (near) return near;
  }
  const anywhere = nearest(tolerantSpans(text, quote, 0, text.length), Math.max(claimed, 0));
  return anywhere ?? nearest(foldedSpans(norm(), quote), Math.max(claimed, 0));
}

/** Keeps the grounded findings (offsets fixed, quote verbatim) and counts the dropped ones by reason. */
export function groundFindings<T extends Groundable>(text: string, findings: readonly T[], opts: GroundingOptions = {}): GroundingResult<T> {
  const window = opts.window ?? 300;
  const dropped: Record<DropReason, number> = { 'empty-quote': 0, 'quote-not-found': 0 };
  const kept: T[] = [];
  let corrected = 0;
  let norm: NormalizedText | undefined;
  const getNorm = (): NormalizedText => (norm ??= normalizeText(text));
  for (const f of findings) {
    if (typeof f.quote !== 'string' || f.quote.trim() === '') { dropped['empty-quote']++; continue; }
    const span = locate(text, f, window, getNorm);
    if (!span) { dropped['quote-not-found']++; continue; }
    const quote = text.slice(span.start, span.end);
    if (span.start !== f.offset || span.end - span.start !== f.length || quote !== f.quote) {
      corrected++;
      kept.push({ ...f, quote, offset: span.start, length: span.end - span.start });
    } else {
      kept.push(f);
    }
  }
  return { kept, dropped, corrected };
}
