/** Value normalisation shared by index extraction and query parsing, so both sides compare alike. */

// Longest value kept in a B-tree indexed column: PostgreSQL rejects index tuples over ~2.7 kB.
const MAX_INDEX_BYTES = 1000;

/** Lower-cases, strips accents (NFD + combining marks) and collapses whitespace. */
export function normalizeText(s: string): string {
  // ASCII fast path: NFD is a no-op there and costs more than the check.
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(s);
  const base = ascii ? s : s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return base.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** normalizeText, clipped to fit a B-tree index entry. */
export function normalizeString(s: string): string {
  return clip(normalizeText(s));
}

/** Cuts a value so that it always fits in a B-tree index entry (queries clip the same way). */
export function clip(s: string): string {
  if (s.length <= MAX_INDEX_BYTES / 4) return s;
  let out = s.slice(0, MAX_INDEX_BYTES);
  while (Buffer.byteLength(out, 'utf8') > MAX_INDEX_BYTES) out = out.slice(0, Math.floor(out.length * 0.9));
  return out;
}

/** Escapes LIKE metacharacters so a user value is matched literally inside a LIKE pattern. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** Strips XHTML tags and decodes the common entities of a narrative div. */
export function narrativeText(div: string): string {
  return div
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
