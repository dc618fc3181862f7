/** PDF text in a worker thread: the same text as on the event loop, and unreadable PDFs still fail permanently. */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createPdfTextPool, type PdfTextPool } from '../../server/nlp/attachment/pdf-off-thread';
import { pdfToText } from '../../server/nlp/attachment/pdf-text';
import { PermanentExtractionError } from '../../server/nlp/errors';

async function makePdf(pages: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const page = pdf.addPage([595, 842]);
    for (let i = 0; i < 30; i++) page.drawText(`Page ${p} line ${i}: ascites, CA-125 35 U/mL`, { x: 50, y: 780 - i * 20, size: 12, font });
  }
  return pdf.save();
}

describe('PDF text off the event loop', () => {
  let pool: PdfTextPool;
  beforeAll(() => { pool = createPdfTextPool(1); });
  afterAll(async () => { await pool.close(); });

  it('gives the same text as inline extraction, and the caller keeps its bytes', async () => {
    const bytes = await makePdf(40);
    const inline = await pdfToText(bytes);
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 1);
    const threaded = await pool.pdfText(bytes);
    clearInterval(timer);
    expect(threaded).toBe(inline);
    expect(threaded).toContain('Page 39 line 29');
    expect(bytes.byteLength).toBeGreaterThan(0); // not detached by the transfer
    expect(ticks).toBeGreaterThan(0); // the event loop ran while the worker parsed
  });

  it('an unreadable PDF is a PermanentExtractionError, and the pool keeps working', async () => {
    await expect(pool.pdfText(new TextEncoder().encode('%PDF-1.4 not really'))).rejects.toBeInstanceOf(PermanentExtractionError);
    expect(await pool.pdfText(await makePdf(1))).toContain('Page 0 line 0');
  });
});
