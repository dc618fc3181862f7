/** The hallucination guard: quotes must occur in the note; offsets are recomputed, the rest is dropped and counted. */
import { groundFindings, type Groundable } from '../../server/nlp/grounding';
import { extract } from './helpers';

const note = 'Diagnosen:\n- Hochgradig seröses Ovarialkarzinom beidseits\n- Peritoneal-\n  karzinose (PCI 18)\nNo  ascites on CT.';
const g = (quote: string, offset: number, length = quote.length): Groundable & { id: string } => ({ id: quote, quote, offset, length });

describe('grounding', () => {
  it('keeps an exact quote as it is', () => {
    const at = note.indexOf('Ovarialkarzinom');
    const r = groundFindings(note, [g('Ovarialkarzinom', at)]);
    expect(r).toMatchObject({ kept: [{ offset: at, length: 15 }], corrected: 0, dropped: { 'empty-quote': 0, 'quote-not-found': 0 } });
  });

  it('drops and counts a hallucinated quote', () => {
    const r = groundFindings(note, [g('Lebermetastasen', 10), g('   ', 3), g('Ovarialkarzinom', note.indexOf('Ovarial'))]);
    expect(r.kept.map((k) => k.id)).toEqual(['Ovarialkarzinom']);
    expect(r.dropped).toEqual({ 'empty-quote': 1, 'quote-not-found': 1 });
  });

  it('corrects wrong offsets, case and whitespace, and returns the verbatim text', () => {
    const r = groundFindings(note, [g('no ascites', 3), g('OVARIALKARZINOM BEIDSEITS', 9999)]);
    expect(r.corrected).toBe(2);
    expect(r.kept.map((k) => [k.quote, note.slice(k.offset, k.offset + k.length)])).toEqual([
      ['No  ascites', 'No  ascites'], ['Ovarialkarzinom beidseits', 'Ovarialkarzinom beidseits'],
    ]);
  });

  it('finds a quote written without the line-break hyphenation or umlauts of the note', () => {
    const r = groundFindings(note, [g('Peritonealkarzinose', 0), g('Hochgradig seroeses', 0)]);
    expect(r.kept.map((k) => k.quote)).toEqual(['Peritoneal-\n  karzinose', 'Hochgradig seröses']);
  });

  it('prefers the occurrence nearest to the claimed offset', () => {
    const text = 'ascites here; later ascites again';
    const r = groundFindings(text, [g('ASCITES', 19)]);
    expect(r.kept[0].offset).toBe(20);
  });

  it('passes every finding of the rules engine unchanged', () => {
    const text = 'CT: moderate ascites, right pleural effusion. CA-125 1,240 U/mL (03.02.2026). FIGO IIIC ovarian cancer.';
    const fs = extract(text, 'en');
    const r = groundFindings(text, fs);
    expect(fs.length).toBeGreaterThan(3);
    expect(r).toMatchObject({ corrected: 0, dropped: { 'empty-quote': 0, 'quote-not-found': 0 } });
    expect(r.kept).toHaveLength(fs.length);
  });
});
