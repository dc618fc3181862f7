/**
 * Loading pdf-parse and parsing a PDF leave Array.prototype.push and JSON.parse the natives (core/native-builtins.ts):
 * its core-js replaced them for the whole process, a push about 10× slower on every write path. The PDF module is
 * loaded inside the test, after the natives are taken, so that this file sees the replacement if it comes back.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';

test('pdf-text keeps push and JSON.parse native, at load and after a parse, and still reads the text', async () => {
  const [push, parse] = [Array.prototype.push, JSON.parse];
  const { pdfToText } = await import('../../server/nlp/attachment/pdf-text');
  expect([Array.prototype.push === push, JSON.parse === parse]).toEqual([true, true]);
  const pdf = await PDFDocument.create();
  pdf.addPage([595, 842]).drawText('Pleuraerguss links', { x: 50, y: 700, size: 12, font: await pdf.embedFont(StandardFonts.Helvetica) });
  expect(await pdfToText(await pdf.save())).toBe('Pleuraerguss links');
  expect([Array.prototype.push === push, JSON.parse === parse]).toEqual([true, true]);
});
