/** HTML character references: the HTML 4 named set (what clinical systems emit) plus numeric references per WHATWG. */
import { windows1252C1 } from './windows-1252';

/** Latin-1 names in code point order, U+00A0 … U+00FF. */
const LATIN1 = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig ' +
  'Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash ' +
  'Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc ' +
  'euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml ' +
  'yacute thorn yuml'
).split(' ');

/** Greek in code point order from U+0391 and U+03B1; '' marks the unassigned U+03A2. */
const GREEK_UPPER = 'Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho  Sigma Tau Upsilon Phi Chi Psi Omega'.split(' ');
const GREEK_LOWER = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigmaf sigma tau upsilon phi chi psi omega'.split(' ');

/** The rest of HTML 4's named references (lang/rang with their HTML5 code points), plus apos. */
const OTHERS: Record<string, number> = {
  quot: 34, amp: 38, apos: 39, lt: 60, gt: 62, OElig: 338, oelig: 339, Scaron: 352, scaron: 353, Yuml: 376,
  fnof: 402, circ: 710, tilde: 732, thetasym: 977, upsih: 978, piv: 982, ensp: 8194, emsp: 8195, thinsp: 8201,
  zwnj: 8204, zwj: 8205, lrm: 8206, rlm: 8207, ndash: 8211, mdash: 8212, lsquo: 8216, rsquo: 8217, sbquo: 8218,
  ldquo: 8220, rdquo: 8221, bdquo: 8222, dagger: 8224, Dagger: 8225, bull: 8226, hellip: 8230, permil: 8240,
  prime: 8242, Prime: 8243, lsaquo: 8249, rsaquo: 8250, oline: 8254, frasl: 8260, euro: 8364, image: 8465,
  weierp: 8472, real: 8476, trade: 8482, alefsym: 8501, larr: 8592, uarr: 8593, rarr: 8594, darr: 8595,
  harr: 8596, crarr: 8629, lArr: 8656, uArr: 8657, rArr: 8658, dArr: 8659, hArr: 8660, forall: 8704, part: 8706,
  exist: 8707, empty: 8709, nabla: 8711, isin: 8712, notin: 8713, ni: 8715, prod: 8719, sum: 8721, minus: 8722,
  lowast: 8727, radic: 8730, prop: 8733, infin: 8734, ang: 8736, and: 8743, or: 8744, cap: 8745, cup: 8746,
  int: 8747, there4: 8756, sim: 8764, cong: 8773, asymp: 8776, ne: 8800, equiv: 8801, le: 8804, ge: 8805,
  sub: 8834, sup: 8835, nsub: 8836, sube: 8838, supe: 8839, oplus: 8853, otimes: 8855, perp: 8869, sdot: 8901,
  lceil: 8968, rceil: 8969, lfloor: 8970, rfloor: 8971, lang: 10216, rang: 10217, loz: 9674, spades: 9824,
  clubs: 9827, hearts: 9829, diams: 9830,
};

function buildNamed(): Map<string, string> {
  const named = new Map<string, string>();
  LATIN1.forEach((name, i) => named.set(name, String.fromCodePoint(0xa0 + i)));
  GREEK_UPPER.forEach((name, i) => name && named.set(name, String.fromCodePoint(0x391 + i)));
  GREEK_LOWER.forEach((name, i) => named.set(name, String.fromCodePoint(0x3b1 + i)));
  for (const [name, cp] of Object.entries(OTHERS)) named.set(name, String.fromCodePoint(cp));
  return named;
}

const NAMED = buildNamed();
/** Names browsers also accept without ';' (WHATWG legacy set: Latin-1 plus the markup characters). */
const LEGACY = new Set([...LATIN1, 'amp', 'lt', 'gt', 'quot']);
const LONGEST_LEGACY = Math.max(...[...LEGACY].map((n) => n.length));


export interface CharRef {
  /** The decoded character(s). */
  value: string;
  /** How many source characters the reference spans, '&' and ';' included. */
  length: number;
}

/** Decodes the character reference starting at `src[at] === '&'`; undefined when it is a literal ampersand. */
export function decodeCharRef(src: string, at: number): CharRef | undefined {
  return src[at + 1] === '#' ? decodeNumeric(src, at) : decodeNamed(src, at);
}

function decodeNumeric(src: string, at: number): CharRef | undefined {
  const m = /^&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?/.exec(src.slice(at, at + 16));
  if (!m) return undefined;
  const digits = m[1] ?? m[2] ?? '';
  // more digits than any code point needs: out of range, and parseInt would lose precision
  const cp = digits.length > 8 ? Infinity : parseInt(digits, m[1] !== undefined ? 16 : 10);
  return { value: codePointText(cp), length: m[0].length };
}

function codePointText(cp: number): string {
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
  // WHATWG reads references to C1 controls as windows-1252 (&#150; is an en dash)
  if (cp >= 0x80 && cp <= 0x9f) return windows1252C1(cp);
  return String.fromCodePoint(cp);
}

function decodeNamed(src: string, at: number): CharRef | undefined {
  const m = /^[A-Za-z][A-Za-z0-9]{0,31}/.exec(src.slice(at + 1, at + 33));
  if (!m) return undefined;
  const name = m[0];
  const full = NAMED.get(name);
  if (full !== undefined && src[at + 1 + name.length] === ';') return { value: full, length: name.length + 2 };
  // without ';' browsers take the longest legacy name that prefixes the run ("&copy2024" → "©2024")
  for (let len = Math.min(name.length, LONGEST_LEGACY); len >= 2; len--) {
    const prefix = name.slice(0, len);
    if (LEGACY.has(prefix)) return { value: NAMED.get(prefix) ?? '', length: len + 1 };
  }
  return undefined;
}
