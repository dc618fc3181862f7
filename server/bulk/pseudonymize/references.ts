/**
 * Rewrites reference strings to the pseudonyms of their targets so they resolve inside the export:
 * `Type/id` (and absolute URLs on this server, history dropped) → `Type/<pseudonym>`; `urn:uuid:` and
 * `urn:oid:` → a keyed uuid; `#local` unchanged. Conditional references (they carry search values such
 * as identifiers), external URLs (they cannot be vetted) and references to dropped types are removed.
 */
import type { KeyedFunctions } from './keys';

const RELATIVE = /^([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const CACHE_LIMIT = 100_000;

export interface ReferenceOptions {
  keyed: KeyedFunctions;
  pseudonymizeIds: boolean;
  dropTypes: ReadonlySet<string>;
  isResourceType(type: string): boolean;
  /** Bases of this server (`https://host/fhir`), whose absolute references are local. */
  baseUrls: readonly string[];
}

export interface ReferenceRewriter {
  /** A Reference.reference value; undefined = remove it. */
  reference(ref: string): string | undefined;
  /** A Bundle.entry.fullUrl (stays absolute); undefined = remove it. */
  fullUrl(url: string): string | undefined;
  /** The pseudonym of a resource's own id. */
  id(resourceType: string, id: string): string;
}

export function referenceRewriter(o: ReferenceOptions): ReferenceRewriter {
  const bases = o.baseUrls.map((b) => b.replace(/\/+$/, '') + '/');
  // Pseudonyms of popular targets (the patient, its practitioners) are asked for over and over.
  let cache = new Map<string, string>();
  const id = (type: string, raw: string): string => {
    if (!o.pseudonymizeIds) return raw;
    const key = `${type}/${raw}`;
    let p = cache.get(key);
    if (p === undefined) {
      if (cache.size >= CACHE_LIMIT) cache = new Map();
      cache.set(key, (p = o.keyed.pseudonymId(type, raw)));
    }
    return p;
  };
  const relative = (ref: string): string | undefined => {
    const m = RELATIVE.exec(ref);
    if (!m || !o.isResourceType(m[1]) || o.dropTypes.has(m[1])) return undefined;
    return `${m[1]}/${id(m[1], m[2])}`;
  };
  const urn = (ref: string): string => (o.pseudonymizeIds ? o.keyed.pseudonymUrn(ref) : ref);
  const local = (ref: string): { base: string; rest: string } | undefined => {
    const base = bases.find((b) => ref.startsWith(b));
    return base === undefined ? undefined : { base, rest: ref.slice(base.length) };
  };
  return {
    id,
    reference(ref) {
      if (ref.startsWith('#')) return ref;
      if (ref.startsWith('urn:uuid:') || ref.startsWith('urn:oid:')) return urn(ref);
      const abs = local(ref);
      return relative(abs ? abs.rest : ref);
    },
    fullUrl(url) {
      if (url.startsWith('urn:uuid:') || url.startsWith('urn:oid:')) return urn(url);
      const abs = local(url);
      const rel = abs ? relative(abs.rest) : undefined;
      return abs && rel ? abs.base + rel : undefined;
    },
  };
}
