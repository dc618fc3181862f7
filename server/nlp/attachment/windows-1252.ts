/** The windows-1252 characters of bytes 0x80–0x9F (WHATWG Encoding index), where it differs from ISO-8859-1. */

// Node ≥ 20.18.3 decodes windows-1252 (and so every latin1 label) as ISO-8859-1, turning € into U+0080
// (nodejs/node#60888), so we carry the 32 code points ourselves instead of asking TextDecoder.
const C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** The character windows-1252 gives a byte (or code point) 0x80–0x9F. */
export const windows1252C1 = (byte: number): string => String.fromCharCode(C1[byte - 0x80]);

/** Repairs text decoded as ISO-8859-1 where windows-1252 was meant; a no-op on correctly decoded text. */
export const fixWindows1252 = (text: string): string => text.replace(/[\u0080-\u009f]/g, (c) => windows1252C1(c.charCodeAt(0)));
