/** PDF → text with pdf-parse (pdf.js underneath): one text per page, pages separated by a blank line. */
// Before pdf-parse: it holds the natives pdf-parse's polyfills replace (core/native-builtins.ts).
import { restoreNatives } from '../../core/native-builtins';
import { PasswordException, PDFParse } from 'pdf-parse';
import { PermanentExtractionError } from '../errors';

restoreNatives();

/** pdf.js verbosity 0 = errors only: its warnings about odd fonts would otherwise flood the worker log. */
const PDFJS_ERRORS_ONLY = 0;

export async function pdfToText(bytes: Uint8Array): Promise<string> {
  // a copy: pdf.js may take over (detach) the buffer it is given, and ours may be a view into a shared pool
  const parser = new PDFParse({ data: new Uint8Array(bytes), verbosity: PDFJS_ERRORS_ONLY });
  try {
    const result = await parser.getText();
    return result.pages.map((page) => page.text).join('\n\n');
  } catch (err) {
    throw toExtractionError(err);
  } finally {
    // releasing pdf.js resources must not mask the outcome of parsing
    await parser.destroy().catch(() => undefined);
    // pdf.js loads its worker module on the first parse, and that one polyfills the builtins again
    restoreNatives();
  }
}

/** Parsing bytes again cannot succeed, so every failure is permanent; pdf.js messages are kept out of ours. */
function toExtractionError(err: unknown): PermanentExtractionError {
  if (err instanceof PasswordException) {
    return new PermanentExtractionError('PDF is encrypted: it needs a password to be read', { cause: err });
  }
  const kind = err instanceof Error ? err.name : 'unknown error';
  return new PermanentExtractionError(`attachment is not a readable PDF (${kind})`, { cause: err });
}
