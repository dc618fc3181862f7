/** Bytes → string honouring BOM, declared charset and (for HTML/XHTML) an in-document charset declaration. */
import { TextDecoder } from 'node:util';
import { PermanentExtractionError } from '../errors';
import { fixWindows1252 } from './windows-1252';

export interface DecodeOptions {
  /** The `charset` parameter of the content type, if any. */
  charset?: string;
  /** Look for `<meta charset>` / `<?xml encoding?>` when no charset was declared (HTML and XHTML). */
  sniffMarkup?: boolean;
}

/** How many leading bytes the HTML prescan looks at (WHATWG HTML §13.2.3.2 uses 1024). */
const PRESCAN_BYTES = 1024;
const META_CHARSET = /<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)/i;
const XML_ENCODING = /^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.+-]+)["']/;

/**
 * Decodes with TextDecoder in fatal mode, so bytes that do not fit the charset are an error instead of U+FFFD.
 * A byte order mark wins over any declaration (as in browsers) and is dropped from the text.
 */
export function decodeText(bytes: Uint8Array, opts: DecodeOptions = {}): string {
  const label = bomEncoding(bytes) ?? opts.charset?.trim() ?? (opts.sniffMarkup ? sniffMarkup(bytes) : undefined) ?? 'utf-8';
  const decoder = openDecoder(label);
  try {
    const text = decoder.decode(bytes);
    return decoder.encoding === 'windows-1252' ? fixWindows1252(text) : text;
  } catch (err) {
    throw new PermanentExtractionError(`attachment bytes are not valid ${decoder.encoding}`, { cause: err });
  }
}

function bomEncoding(b: Uint8Array): string | undefined {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return undefined;
}

function openDecoder(label: string): TextDecoder {
  try {
    return new TextDecoder(label, { fatal: true });
  } catch (err) {
    // the label comes from the document's metadata, never from the note text, so it may be named
    throw new PermanentExtractionError(`unknown charset "${label.slice(0, 40)}"`, { cause: err });
  }
}

function sniffMarkup(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, PRESCAN_BYTES)).toString('latin1');
  const label = XML_ENCODING.exec(head)?.[1] ?? META_CHARSET.exec(head)?.[1];
  // an unknown in-document label is ignored, as browsers do; a declared content-type charset is not
  if (label === undefined || !isKnownLabel(label)) return undefined;
  // a declaration readable as ASCII cannot be UTF-16, so HTML treats that claim as UTF-8 (WHATWG prescan rule)
  return /^utf-?16/i.test(label) ? 'utf-8' : label;
}

function isKnownLabel(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}
