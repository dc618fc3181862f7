/**
 * Stored-XSS defence for narrative URLs and inline styles: values are normalised the way a browser
 * would read them (entities decoded, whitespace and control characters dropped, case folded) before
 * their scheme or CSS is judged. Every function is one linear pass over its input.
 */

/** Schemes a narrative link or image may use; anything else (javascript:, vbscript:, file:, ...) is refused. */
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'urn', 'ftp']);
/** `data:` is allowed only for raster images on <img src>; never text/html or image/svg+xml (both can script). */
const SAFE_DATA_IMAGE = /^data:image\/(png|jpeg|jpg|gif|webp|bmp);base64,/;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n', sol: '/' };
/** CSS that can run code or import more CSS; `url(` is judged separately (inline raster images are allowed). */
const UNSAFE_CSS = ['expression(', 'javascript:', 'vbscript:', '@import', 'behavior:', '-moz-binding', 'image-set(', 'src('];
/** The R4 examples' own narratives draw table lines with `background-image: url(data:image/png;base64,...)`. */
const SAFE_CSS_URL = /^['"]?data:image\/(png|jpeg|jpg|gif|webp|bmp);base64,/;

/** Counts characters examined, so tests can assert linear work. */
export interface WorkMeter {
  steps: number;
}

/**
 * A URL as a browser would resolve its scheme: HTML character references decoded (again: the XML
 * parser decoded one level, a renderer that re-parses as HTML decodes another), every character
 * ≤ U+0020 and U+007F-U+009F removed (browsers drop tab/newline anywhere and trim the rest), lower-cased.
 */
export function normaliseUrl(value: string, meter?: WorkMeter): string {
  const decoded = decodeReferences(value, meter);
  const parts: string[] = [];
  let run = 0; // start of the current run of kept characters: slices, not one concatenation per character
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if (c <= 0x20 || (c >= 0x7f && c <= 0x9f)) {
      if (i > run) parts.push(decoded.slice(run, i));
      run = i + 1;
    }
  }
  parts.push(decoded.slice(run));
  if (meter) meter.steps += decoded.length;
  return parts.join('').toLowerCase();
}

/** Why the URL in `attribute` of `element` is unsafe, or undefined when it may be stored. */
export function unsafeUrlReason(element: string, attribute: string, value: string, meter?: WorkMeter): string | undefined {
  const url = normaliseUrl(value, meter);
  const scheme = schemeOf(url);
  if (scheme === undefined) return undefined; // relative reference or fragment (#id, Binary/1)
  if (scheme === 'data') {
    if (element === 'img' && attribute === 'src' && SAFE_DATA_IMAGE.test(url)) return undefined;
    return `data: URLs are not allowed in '${attribute}' on <${element}> (only base64 PNG, JPEG, GIF, WebP or BMP images in <img src>)`;
  }
  if (SAFE_SCHEMES.has(scheme)) return undefined;
  return `URL scheme '${scheme.slice(0, 20)}:' is not allowed in '${attribute}' on <${element}> (allowed: ${[...SAFE_SCHEMES].join(', ')}, relative)`;
}

/** Why an inline style is unsafe, or undefined. CSS escapes and comments are removed first (`u\72l(` is `url(`). */
export function unsafeStyleReason(element: string, value: string, meter?: WorkMeter): string | undefined {
  const css = normaliseCss(decodeReferences(value, meter), meter);
  if (meter) meter.steps += css.length * (UNSAFE_CSS.length + 1);
  for (const bad of UNSAFE_CSS) {
    if (css.includes(bad)) return `style on <${element}> may not contain '${bad}' (inline styles may not run code or import styles)`;
  }
  for (let at = css.indexOf('url('); at >= 0; at = css.indexOf('url(', at + 4)) {
    // a 60-character window is enough to see the prefix; never re-scan the rest of the value
    if (!SAFE_CSS_URL.test(css.slice(at + 4, at + 64))) return `style on <${element}> may not contain 'url(' except for base64 raster images (inline styles may not load anything)`;
  }
  return undefined;
}

/** The scheme of a normalised URL (`javascript` of `javascript:x`), or undefined for a relative one. */
function schemeOf(url: string): string | undefined {
  for (let i = 0; i < url.length; i++) {
    const c = url[i];
    if (c === ':') return i === 0 ? undefined : url.slice(0, i);
    if (c === '/' || c === '?' || c === '#') return undefined;
  }
  return undefined;
}

/** Decodes `&#106;`, `&#x6A;`, `&colon;` etc. in one pass (missing `;` tolerated, as HTML does). */
function decodeReferences(s: string, meter?: WorkMeter): string {
  if (meter) meter.steps += s.length;
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,10}|[a-zA-Z]{2,10});?/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** CSS with comments, escapes (`\75` → `u`, `\:` → `:`), whitespace and control characters removed, lower-cased. */
function normaliseCss(s: string, meter?: WorkMeter): string {
  if (meter) meter.steps += s.length;
  const parts: string[] = [];
  let run = 0;
  let i = 0;
  const cut = (to: number, next: number, insert?: string): void => {
    if (to > run) parts.push(s.slice(run, to));
    if (insert) parts.push(insert);
    run = next;
    i = next;
  };
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x2f /* / */ && s.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = s.indexOf('*/', i + 2);
      cut(i, end < 0 ? s.length : end + 2);
    } else if (c === 0x5c /* \ */) {
      let j = i + 1;
      while (j < s.length && j < i + 7 && isHex(s.charCodeAt(j))) j++;
      const code = j > i + 1 ? parseInt(s.slice(i + 1, j), 16) : -1;
      // `\75` is `u`; a lone `\x` is just `x` (kept as the next run)
      cut(i, j > i + 1 ? j : i + 1, code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined);
    } else if (c <= 0x20 || (c >= 0x7f && c <= 0x9f)) {
      cut(i, i + 1);
    } else {
      i++;
    }
  }
  parts.push(s.slice(run));
  return parts.join('').toLowerCase();
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
