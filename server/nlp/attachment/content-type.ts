/** Parses MIME content types (RFC 9110 §8.3.1) and says which kinds of note we can read as text. */

export interface ContentType {
  /** `type/subtype`, lower case, without parameters. */
  type: string;
  /** Parameters with lower-case names; quoted values unquoted. */
  params: Record<string, string>;
}

/** The kinds of attachment we turn into note text. */
export type NoteKind = 'plain' | 'markdown' | 'html' | 'pdf';

const KINDS: Record<string, NoteKind> = {
  'text/plain': 'plain',
  'text/markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
};

/** When a document has several readable contents, the simplest wins: no markup to strip, no layout to guess. */
const PREFERENCE: readonly NoteKind[] = ['plain', 'markdown', 'html', 'pdf'];

/** Types that say nothing about the content, so a Binary's own contentType may stand in for them. */
const GENERIC = new Set(['application/octet-stream', 'binary/octet-stream']);

export function parseContentType(value: string): ContentType {
  const [head = '', ...rest] = splitParams(value);
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name && !(name in params)) params[name] = v;
  }
  return { type: head.trim().toLowerCase(), params };
}

/** Splits on ';' outside quoted strings (a quoted parameter value may contain ';'). */
function splitParams(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

export const noteKindOf = (type: string): NoteKind | undefined => KINDS[type];

/** Lower rank = preferred; unsupported types rank last. */
export function preferenceRank(type: string): number {
  const kind = noteKindOf(type);
  return kind === undefined ? PREFERENCE.length : PREFERENCE.indexOf(kind);
}

/** True when the declared type is missing or generic, so the stored Binary's type should decide. */
export const isUntyped = (type: string | undefined): boolean => !type || GENERIC.has(type);
