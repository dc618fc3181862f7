/** Strict base64 decoding for attachment data: Buffer.from silently skips bad characters, we refuse them. */
import { PermanentExtractionError } from '../errors';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes standard base64 (whitespace allowed, as FHIR base64Binary permits). The size limit is checked on the
 * encoded length first so an oversized attachment is refused before it is decoded into memory.
 */
export function decodeBase64(data: string, maxBytes: number, what: string): Uint8Array {
  const clean = /\s/.test(data) ? data.replace(/\s+/g, '') : data;
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) {
    throw new PermanentExtractionError(`${what} is not valid base64`);
  }
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const size = (clean.length / 4) * 3 - padding;
  if (size > maxBytes) {
    throw new PermanentExtractionError(`${what} is ${size} bytes, more than the limit of ${maxBytes}`);
  }
  const buf = Buffer.from(clean, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
