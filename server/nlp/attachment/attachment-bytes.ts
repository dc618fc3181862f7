/** Fetches an attachment's bytes: inline base64 `data`, or a `url` to a Binary on this server (never elsewhere). */
import type { Attachment, Binary } from 'fhir/r4';
import { PermanentExtractionError } from '../errors';
import { decodeBase64 } from './base64';

/** Reads a stored Binary by id; null when it does not exist or was deleted. */
export type BinaryLoader = (id: string) => Promise<Binary | null>;

export interface AttachmentBytes {
  bytes: Uint8Array;
  /** The Binary's own contentType (full value, parameters included) when the bytes came from a Binary. */
  binaryContentType?: string;
}

export interface FetchOptions {
  maxBytes: number;
  /** This server's FHIR base (e.g. `https://ehr.example/fhir`); absolute Binary URLs must start with it. */
  baseUrl?: string;
}

/** A FHIR id (R4 §2.24.0.1). */
const BINARY_REF = /^Binary\/([A-Za-z0-9\-.]{1,64})$/;

/** `where` names the content entry in messages ("content[1]"): never the data, which is note text. */
export async function fetchAttachmentBytes(
  attachment: Attachment,
  loadBinary: BinaryLoader,
  opts: FetchOptions,
  where: string,
): Promise<AttachmentBytes> {
  // FHIR: when both are present, `data` is the content and `url` only says where it also lives
  if (attachment.data !== undefined) return { bytes: decodeBase64(attachment.data, opts.maxBytes, `${where} data`) };
  if (attachment.url === undefined) throw new PermanentExtractionError(`${where} has neither data nor url`);
  const id = binaryIdOf(attachment.url, opts.baseUrl, where);
  const binary = await loadBinary(id);
  if (!binary) throw new PermanentExtractionError(`${where} refers to Binary/${id}, which does not exist or was deleted`);
  if (binary.data === undefined) throw new PermanentExtractionError(`Binary/${id} has no data`);
  return { bytes: decodeBase64(binary.data, opts.maxBytes, `Binary/${id} data`), binaryContentType: binary.contentType };
}

/**
 * The Binary id an attachment URL points to: relative `Binary/{id}`, or absolute `{baseUrl}/Binary/{id}`.
 * Anything else is refused rather than fetched: following URLs from stored documents would let any client make
 * this server request arbitrary addresses (SSRF).
 */
export function binaryIdOf(url: string, baseUrl: string | undefined, where = 'attachment'): string {
  const relative = BINARY_REF.exec(url);
  if (relative) return relative[1];
  const path = baseUrl === undefined ? undefined : pathUnderBase(url, baseUrl);
  const absolute = path === undefined ? null : BINARY_REF.exec(path);
  if (absolute) return absolute[1];
  throw new PermanentExtractionError(
    `${where} url is not a Binary of this server (Binary/{id} or {base}/Binary/{id}); other URLs are never fetched`,
  );
}

/** The part of `url` after `baseUrl/`, comparing scheme, host and port the way URL normalises them. */
function pathUnderBase(url: string, baseUrl: string): string | undefined {
  const target = parseUrl(url);
  const base = parseUrl(baseUrl);
  if (!target || !base || target.search || target.hash || target.username || target.password) return undefined;
  // opaque origins ('null', e.g. urn: or data: URLs) compare equal to each other, so they never match
  if (target.origin === 'null' || target.origin !== base.origin) return undefined;
  const prefix = base.pathname.replace(/\/+$/, '') + '/';
  return target.pathname.startsWith(prefix) ? target.pathname.slice(prefix.length) : undefined;
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
