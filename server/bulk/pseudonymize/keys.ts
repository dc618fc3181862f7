/**
 * Everything derived from the pseudonymization secret. One HMAC-SHA256 subkey per purpose (ids,
 * value hashes, date offsets, encryption), so no output of one purpose can be correlated with another.
 * The secret itself is copied into these closures only: never logged, never part of an error.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { FhirError } from '../../core/fhir-error';

export const MIN_SECRET_BYTES = 32;
const PSEUDONYM_HEX = 40; // 160 bits: collision-free for any realistic export, within FHIR's 64-char id

export interface KeyedFunctions {
  /** Stable pseudonym id of `Type/id` (hex, a valid FHIR id). */
  pseudonymId(resourceType: string, id: string): string;
  /** A uuid-shaped pseudonym for a `urn:uuid:`/`urn:oid:` reference or fullUrl. */
  pseudonymUrn(urn: string): string;
  /** Keyed hash (hex) of a value, e.g. an identifier. */
  hash(value: string): string;
  /** The patient's date offset in days: ±[1, maxDays], never 0. */
  dateOffsetDays(subjectKey: string, maxDays: number): number;
  /** AES-256-GCM: base64 of iv (12) | tag (16) | ciphertext. */
  encrypt(value: string): string;
}

const subkey = (secret: Uint8Array, purpose: string): Buffer => createHmac('sha256', secret).update(`twinfhir-pseudonymize/${purpose}`).digest();

/** Refuses short secrets without saying anything about the secret's content. */
export function checkSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES) {
    throw new Error(`The pseudonymization key must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}

export function keyedFunctions(secret: Uint8Array): KeyedFunctions {
  checkSecret(secret);
  const idKey = subkey(secret, 'id');
  const hashKey = subkey(secret, 'hash');
  const dateKey = subkey(secret, 'date');
  const encKey = subkey(secret, 'encrypt');
  const mac = (key: Buffer, value: string): Buffer => createHmac('sha256', key).update(value).digest();
  return {
    pseudonymId: (type, id) => mac(idKey, `${type}/${id}`).toString('hex').slice(0, PSEUDONYM_HEX),
    pseudonymUrn(urn) {
      const h = mac(idKey, urn).toString('hex');
      // RFC 4122 layout, version nibble 8 (custom/vendor-specific, RFC 9562), variant 10xx
      return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    hash: (value) => mac(hashKey, value).toString('hex'),
    dateOffsetDays(subjectKey, maxDays) {
      const d = mac(dateKey, subjectKey);
      const magnitude = 1 + (d.readUInt32BE(0) % maxDays);
      return d[4] & 1 ? magnitude : -magnitude;
    },
    encrypt(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
  };
}

/** The configured key, or a clear refusal: a pseudonymised export never runs without its secret. */
export function requirePseudonymizationKey(key: Uint8Array | undefined): Uint8Array {
  if (!key || key.length < MIN_SECRET_BYTES) {
    throw new FhirError(400, 'not-supported', 'Pseudonymised export is not available: the server has no PSEUDONYMIZATION_KEY configured');
  }
  return key;
}
