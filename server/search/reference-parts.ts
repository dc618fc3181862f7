/** Parses reference strings (`Type/id`, `Type/id/_history/n`, absolute URLs, urn:uuid) into their parts. */

export interface ReferenceParts { type: string | null; id: string | null; version: string | null; url: string | null }

const ID = '[A-Za-z0-9\\-.]{1,64}';
const RELATIVE_RE = new RegExp(`^([A-Z][A-Za-z]+)/(${ID})(?:/_history/(${ID}))?$`);
const ABSOLUTE_RE = new RegExp(`^https?://.*?/([A-Z][A-Za-z]+)/(${ID})(?:/_history/(${ID}))?$`);

/** Splits a reference string; absolute URLs keep `url` as well as any Type/id found at their end. */
export function parseReference(ref: string): ReferenceParts {
  let m = RELATIVE_RE.exec(ref);
  if (m) return { type: m[1], id: m[2], version: m[3] ?? null, url: null };
  m = ABSOLUTE_RE.exec(ref);
  if (m) return { type: m[1], id: m[2], version: m[3] ?? null, url: ref };
  return { type: null, id: null, version: null, url: ref };
}

/** The target resource type of a Reference element (from its reference string, else its `type`). */
export function referenceTypeOf(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { reference?: unknown; type?: unknown };
  if (typeof v.reference === 'string') {
    const t = parseReference(v.reference).type;
    if (t) return t;
  }
  return typeof v.type === 'string' ? v.type : null;
}
