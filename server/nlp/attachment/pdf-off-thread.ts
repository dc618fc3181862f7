/**
 * PDF text extraction in a worker thread: pdf.js parses on whatever thread calls it, and a large or
 * hostile PDF would otherwise hold the event loop (and /healthz) for seconds. The worker answers with
 * the text or the permanent failure message, which becomes a PermanentExtractionError again here.
 */
import path from 'node:path';
import { FhirError } from '../../core/fhir-error';
import { WorkerPool, heapLimits } from '../../core/worker-pool';
import { PermanentExtractionError } from '../errors';
import { pdfToText } from './pdf-text';

export type PdfTextFn = (bytes: Uint8Array) => Promise<string>;

/** What the worker sends back: text, or why the PDF cannot be read (permanent). */
export type PdfReply = { text: string } | { unreadable: string };

/** Worker side: pdfToText with its failure turned into a reply (errors do not cross threads with their class). */
export async function pdfReply(bytes: Uint8Array): Promise<PdfReply> {
  try {
    return { text: await pdfToText(bytes) };
  } catch (err) {
    if (err instanceof PermanentExtractionError) return { unreadable: err.message };
    throw err;
  }
}

export interface PdfTextPool {
  pdfText: PdfTextFn;
  close(): Promise<void>;
}

/** `threads` 0: inline (pdfToText on this thread). `heapMb`: each worker's old-generation limit. */
export function createPdfTextPool(threads: number, heapMb?: number): PdfTextPool {
  if (threads <= 0) return { pdfText: pdfToText, close: async () => undefined };
  const pool = new WorkerPool(path.join(__dirname, `pdf-worker${path.extname(__filename)}`), { size: threads, resourceLimits: heapLimits(heapMb) });
  return {
    async pdfText(bytes) {
      const copy = new Uint8Array(bytes); // transferred: the caller's buffer stays intact
      const reply = await pool.run<PdfReply>(copy, [copy.buffer]).catch((err: unknown) => {
        // a PDF that exhausts the worker's heap will do so again: not worth a retry
        if (err instanceof FhirError && err.status === 413) throw new PermanentExtractionError('PDF needs more memory to read than CPU_THREAD_HEAP allows');
        throw err;
      });
      if ('unreadable' in reply) throw new PermanentExtractionError(reply.unreadable);
      return reply.text;
    },
    close: () => pool.close(),
  };
}
