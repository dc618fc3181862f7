/** DocumentReference → the note text the extractors read: inline or Binary attachment; plain, markdown, HTML or PDF. */
import type { Attachment, DocumentReference } from 'fhir/r4';
import { PermanentExtractionError } from '../errors';
import { fetchAttachmentBytes, type BinaryLoader, type FetchOptions } from './attachment-bytes';
import { decodeText } from './charset';
import { isUntyped, noteKindOf, parseContentType, preferenceRank, type ContentType } from './content-type';
import { htmlToText } from './html-text';
import type { MappedText } from './mapped-text';
import { pdfToText } from './pdf-text';

export type { BinaryLoader } from './attachment-bytes';

export interface NoteText {
  /** The text the extractors read. */
  text: string;
  /** The attachment's content type without parameters. */
  contentType: string;
  /** BCP-47 from the attachment's language, else the DocumentReference's, if any ('en', 'de', ...). */
  language?: string;
  /** Maps an offset in `text` to an offset in the decoded source document (identity except for HTML). */
  sourceOffset(offset: number): number;
  /** Which DocumentReference.content[i] was used. */
  contentIndex: number;
}

export interface LoadNoteTextOptions {
  /** Longest note text accepted (characters). Default 1,000,000. */
  maxChars?: number;
  /** Largest decoded attachment accepted (bytes). Default 20 MiB. */
  maxBytes?: number;
  /** This server's FHIR base, so absolute `{base}/Binary/{id}` URLs can be read. */
  baseUrl?: string;
  /** PDF → text; default pdfToText on this thread (the app passes a worker-thread pool). */
  pdfText?: (bytes: Uint8Array) => Promise<string>;
}

export const DEFAULT_MAX_CHARS = 1_000_000;
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

const SUPPORTED = 'text/plain, text/markdown, text/html, application/xhtml+xml, application/pdf';

interface Chosen {
  index: number;
  type: ContentType;
  bytes: Uint8Array;
}

interface Candidate {
  index: number;
  attachment: Attachment;
  type?: ContentType;
}

/** Reads the note text of a DocumentReference. Every failure that retrying cannot fix is a PermanentExtractionError. */
export async function loadNoteText(
  doc: DocumentReference,
  loadBinary: BinaryLoader,
  opts: LoadNoteTextOptions = {},
): Promise<NoteText> {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  const fetchOpts: FetchOptions = { maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES, baseUrl: opts.baseUrl };
  const chosen = await chooseContent(doc, loadBinary, fetchOpts);
  const mapped = await toText(chosen, opts.pdfText ?? pdfToText);
  if (mapped.text.length > maxChars) {
    throw new PermanentExtractionError(`note text has ${mapped.text.length} characters, more than the limit of ${maxChars}`);
  }
  if (!/\S/.test(mapped.text)) throw new PermanentExtractionError('document has no text');
  const language = doc.content[chosen.index].attachment.language ?? doc.language;
  return {
    text: mapped.text,
    contentType: chosen.type.type,
    ...(language ? { language } : {}),
    sourceOffset: mapped.sourceOffset,
    contentIndex: chosen.index,
  };
}

/**
 * The content entry to read: the most preferred supported declared type (plain, markdown, HTML, PDF; the first
 * of equals). Only when none declares one are untyped Binary contents loaded to let the Binary's type decide.
 */
async function chooseContent(doc: DocumentReference, loadBinary: BinaryLoader, opts: FetchOptions): Promise<Chosen> {
  const candidates: Candidate[] = (doc.content ?? []).map((c, index) => {
    const declared = c.attachment?.contentType;
    return { index, attachment: c.attachment ?? {}, ...(declared ? { type: parseContentType(declared) } : {}) };
  });
  if (candidates.length === 0) throw new PermanentExtractionError('DocumentReference has no content');
  const typed = candidates
    .filter((c) => c.type && !isUntyped(c.type.type) && noteKindOf(c.type.type))
    .sort((a, b) => preferenceRank(a.type?.type ?? '') - preferenceRank(b.type?.type ?? '') || a.index - b.index);
  if (typed.length > 0) return fetchTyped(typed[0], loadBinary, opts);
  const seen = candidates.map((c) => c.type?.type ?? '(none)');
  for (const c of candidates) {
    if (!isUntyped(c.type?.type) || c.attachment.data !== undefined || c.attachment.url === undefined) continue;
    const fetched = await fetchAttachmentBytes(c.attachment, loadBinary, opts, `content[${c.index}]`);
    const type = fetched.binaryContentType ? parseContentType(fetched.binaryContentType) : undefined;
    if (type && noteKindOf(type.type)) return { index: c.index, type, bytes: fetched.bytes };
    seen[c.index] = `Binary ${type?.type ?? '(none)'}`;
  }
  const found = seen.map((t) => t.slice(0, 100)).join(', ');
  throw new PermanentExtractionError(`unsupported content type (found: ${found}; supported: ${SUPPORTED})`);
}

/** Fetches a typed candidate; a Binary may supply the charset its attachment leaves out. */
async function fetchTyped(c: Candidate, loadBinary: BinaryLoader, opts: FetchOptions): Promise<Chosen> {
  const declared = c.type ?? parseContentType('');
  const fetched = await fetchAttachmentBytes(c.attachment, loadBinary, opts, `content[${c.index}]`);
  const stored = fetched.binaryContentType ? parseContentType(fetched.binaryContentType) : undefined;
  const inherit = declared.params.charset === undefined && stored?.type === declared.type && stored.params.charset;
  const type = inherit ? { type: declared.type, params: { ...declared.params, charset: inherit } } : declared;
  return { index: c.index, type, bytes: fetched.bytes };
}

const identity = (text: string): MappedText => ({ text, sourceOffset: (o) => Math.max(0, Math.min(o, text.length)) });

async function toText({ type, bytes }: Chosen, pdfText: (bytes: Uint8Array) => Promise<string>): Promise<MappedText> {
  const charset = type.params.charset;
  switch (noteKindOf(type.type)) {
    case 'plain':
    case 'markdown':
      return identity(decodeText(bytes, { charset }));
    case 'html':
      return htmlToText(decodeText(bytes, { charset, sniffMarkup: true }));
    case 'pdf':
      return identity(await pdfText(bytes));
    default:
      throw new PermanentExtractionError(`unsupported content type ${type.type.slice(0, 100)}`);
  }
}
