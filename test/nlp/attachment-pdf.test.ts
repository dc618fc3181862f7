/** PDF note text via pdf-parse: pages joined by a blank line; corrupt, encrypted and image-only PDFs refused. */
import type { Attachment, Binary, DocumentReference } from 'fhir/r4';
import { PDFDocument, PDFHexString, StandardFonts } from 'pdf-lib';
import { loadNoteText, type BinaryLoader } from '../../server/nlp/attachment';
import { PermanentExtractionError } from '../../server/nlp/errors';

const noBinary: BinaryLoader = async () => null;
const doc = (attachment: Attachment): DocumentReference => ({ resourceType: 'DocumentReference', status: 'current', content: [{ attachment }] });
const pdfAttachment = (bytes: Uint8Array): Attachment => ({ contentType: 'application/pdf', data: Buffer.from(bytes).toString('base64') });

/** A PDF with one page per entry, each page's lines drawn top to bottom. */
async function makePdf(pages: string[][]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([595, 842]);
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 20, size: 12, font }));
  }
  return pdf.save();
}

/**
 * A PDF whose trailer names a Standard security handler with a user password we do not know: random O/U
 * entries make the empty password fail, exactly as for a password-protected document.
 */
async function makeEncryptedPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.addPage().drawText('Aszites', { x: 50, y: 700 });
  const ctx = pdf.context;
  const hex = (n: number, seed: number): PDFHexString =>
    PDFHexString.of(Array.from({ length: n }, (_, i) => ((i * 37 + seed) & 0xff).toString(16).padStart(2, '0')).join(''));
  const encrypt = ctx.obj({ Filter: 'Standard', V: 1, R: 2, Length: 40, P: -44, O: hex(32, 11), U: hex(32, 97) });
  ctx.trailerInfo.Encrypt = ctx.register(encrypt);
  ctx.trailerInfo.ID = ctx.obj([hex(16, 5), hex(16, 5)]);
  return pdf.save({ useObjectStreams: false });
}

describe('PDF attachments', () => {
  it('extracts every page in order, pages separated by a blank line', async () => {
    const bytes = await makePdf([
      ['Arztbrief', 'Diagnose: Ovarialkarzinom FIGO IIIC, Patientin Müller'],
      ['Labor: CA-125 412 U/mL'],
      ['Kein Hinweis auf Aszites.'],
    ]);
    const note = await loadNoteText(doc(pdfAttachment(bytes)), noBinary);
    expect(note.contentType).toBe('application/pdf');
    expect(note.text).toBe(
      'Arztbrief\nDiagnose: Ovarialkarzinom FIGO IIIC, Patientin Müller\n\nLabor: CA-125 412 U/mL\n\nKein Hinweis auf Aszites.',
    );
    const at = note.text.indexOf('CA-125');
    expect(note.sourceOffset(at)).toBe(at);
  });

  it('reads a PDF stored as a Binary whose type names it', async () => {
    const bytes = await makePdf([['Pleuraerguss rechts']]);
    const stored: Binary = { resourceType: 'Binary', id: 'pdf1', contentType: 'application/pdf', data: Buffer.from(bytes).toString('base64') };
    const load: BinaryLoader = async (id) => (id === 'pdf1' ? stored : null);
    const note = await loadNoteText(doc({ url: 'Binary/pdf1' }), load);
    expect(note).toMatchObject({ text: 'Pleuraerguss rechts', contentType: 'application/pdf' });
  });

  it('refuses corrupt and truncated PDFs', async () => {
    const good = await makePdf([['Aszites']]);
    const corrupt = [Buffer.from('%PDF-1.7\n this is not a pdf body'), Buffer.from('GIF89a....'), good.slice(0, 40)];
    for (const bytes of corrupt) {
      const err = await loadNoteText(doc(pdfAttachment(bytes)), noBinary).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentExtractionError);
      expect((err as Error).message).toMatch(/not a readable PDF/);
    }
  });

  it('refuses a password-protected PDF', async () => {
    const err = await loadNoteText(doc(pdfAttachment(await makeEncryptedPdf())), noBinary).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentExtractionError);
    expect((err as Error).message).toMatch(/encrypted/);
  });

  it('refuses a PDF without text (a scan) as a document with no text', async () => {
    await expect(loadNoteText(doc(pdfAttachment(await makePdf([[], []]))), noBinary)).rejects.toThrow('document has no text');
  });

  it('applies the byte and character limits to PDFs', async () => {
    const bytes = await makePdf([['x'.repeat(60)]]);
    await expect(loadNoteText(doc(pdfAttachment(bytes)), noBinary, { maxBytes: bytes.length - 1 })).rejects.toThrow(/more than the limit/);
    await expect(loadNoteText(doc(pdfAttachment(bytes)), noBinary, { maxChars: 59 })).rejects.toThrow(/60 characters/);
  });
});
