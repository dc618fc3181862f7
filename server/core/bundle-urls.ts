/**
 * The url strings of a Bundle that name resources by `Type/id` outside any Reference: an entry's fullUrl,
 * request url and conditions, response location, and entry and Bundle links. A stored Bundle (a document, a
 * collection, a transaction response) carries them next to its resources, so they name other patients' data
 * as surely as a reference does. Under a patient-context token such a string is masked when it names a
 * foreign target or belongs to an entry whose resource was cut to a stub: the value goes, a data-absent-reason
 * extension on the primitive (`_fullUrl`) takes its place, so 1..1 elements keep their cardinality.
 */
import { DATA_ABSENT_REASON } from './masking-labels';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `Type/id` anywhere in a url: a path segment pair, or a search value (`subject=Patient/x`, a list, a chain). */
const NAMED = /(?:^|[/=,?&|:])([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?=$|[/?&,#|])/g;

export function namedTargets(s: string): { type: string; id: string }[] {
  return [...s.matchAll(NAMED)].map((m) => ({ type: m[1], id: m[2] }));
}

/** Where url strings sit in an entry (or a link): [object path, key]. */
const ENTRY_URLS: readonly [string | undefined, string][] = [[undefined, 'fullUrl'], ['request', 'url'], ['request', 'ifNoneExist'], ['response', 'location']];

/** Every url string of a Bundle's entries and links (for the look-up of which targets are foreign). */
export function bundleUrls(bundle: Json): string[] {
  const out: string[] = [];
  const links = (v: unknown): void => { if (Array.isArray(v)) for (const l of v) if (isObject(l) && typeof l.url === 'string') out.push(l.url); };
  links(bundle.link);
  if (!Array.isArray(bundle.entry)) return out;
  for (const e of bundle.entry) {
    if (!isObject(e)) continue;
    for (const [part, key] of ENTRY_URLS) {
      const holder = part ? e[part] : e;
      if (isObject(holder) && typeof holder[key] === 'string') out.push(holder[key]);
    }
    links(e.link);
  }
  return out;
}

const maskedPrimitive = (): Json => ({ extension: [{ url: DATA_ABSENT_REASON, valueCode: 'masked' }] });

/** `holder` with its string `key` replaced by a masked primitive when `hide` says so; the same object otherwise. */
function withMasked(holder: Json, key: string, hide: (s: string) => boolean): Json {
  const value = holder[key];
  if (typeof value !== 'string' || !hide(value)) return holder;
  const { [key]: _hidden, ...rest } = holder;
  return { ...rest, [`_${key}`]: maskedPrimitive() };
}

/** Links (Bundle.link, entry.link) with the urls that name a foreign target masked; the same array when none does. */
export function maskLinks(links: unknown, hide: (s: string) => boolean): unknown {
  if (!Array.isArray(links)) return links;
  const out = (links as unknown[]).map((l): unknown => (isObject(l) ? withMasked(l, 'url', hide) : l));
  return out.some((l, i) => l !== links[i]) ? out : links;
}

/**
 * An (already element-masked) entry with its url strings masked: all of them when `resourceHidden` (its
 * resource was cut to a stub, so even a urn names what is gone), else those that name a foreign target.
 */
export function maskEntryUrls(entry: Json, resourceHidden: boolean, foreign: (s: string) => boolean): Json {
  const hide = (s: string): boolean => resourceHidden || foreign(s);
  let out = withMasked(entry, 'fullUrl', hide);
  for (const part of ['request', 'response']) {
    const holder = out[part];
    if (!isObject(holder)) continue;
    let masked = holder;
    for (const [p, key] of ENTRY_URLS) if (p === part) masked = withMasked(masked, key, hide);
    if (masked !== holder) out = { ...out, [part]: masked };
  }
  const links = maskLinks(out.link, hide);
  return links === out.link ? out : { ...out, link: links };
}
