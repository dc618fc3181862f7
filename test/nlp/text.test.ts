/** Normalisation with an offset map, tokenisation, sentence and section splitting. */
import fc from 'fast-check';
import { foldString, normalizeText, squash, tokenize, toOriginal } from '../../server/nlp/text/normalize';
import { segment, type SegmentOptions } from '../../server/nlp/text/segments';
import { rulesResources } from './helpers';

describe('normalisation', () => {
  it('folds case, umlauts, ß and dashes and maps back to the original offsets', () => {
    const text = 'Größe: Pleuraerguß – Ovarial‐Ca';
    const n = normalizeText(text);
    expect(n.text).toBe('groesse: pleuraerguss - ovarial-ca');
    const at = n.text.indexOf('pleuraerguss');
    const { start, end } = toOriginal(n, at, at + 'pleuraerguss'.length);
    expect(text.slice(start, end)).toBe('Pleuraerguß');
  });

  it('joins words hyphenated across a line break and collapses whitespace', () => {
    const text = 'kein Anhalt für eine Peritoneal-\n   karzinose.\n\nNeue   Zeile';
    const n = normalizeText(text);
    expect(n.text).toBe('kein anhalt fuer eine peritonealkarzinose. neue zeile');
  });

  it('tokenises with original offsets and splits letters from digits', () => {
    const text = 'CA125 1,612 U/mL; Hämoglobin';
    const toks = tokenize(text);
    expect(toks.map((t) => t.norm)).toEqual(['ca', '125', '1', '612', 'u', 'ml', 'haemoglobin']);
    expect(toks.map((t) => text.slice(t.start, t.end))).toEqual(['CA', '125', '1', '612', 'U', 'mL', 'Hämoglobin']);
    expect(toks[1].sep).toBe('none');
    expect(toks[6].sep).toBe('hard');
  });
});

describe('sentences and sections', () => {
  const d = rulesResources().dictionary;
  const opts = (language: 'en' | 'de'): SegmentOptions => ({
    language, abbreviations: d.abbreviations[language],
    familyHeaders: new Set([...d.sections.en.family, ...d.sections.de.family]),
    hypotheticalHeaders: new Set([...d.sections.en.hypothetical, ...d.sections.de.hypothetical]),
  });
  const split = (text: string, language: 'en' | 'de' = 'en'): Array<[string, string]> =>
    segment(text, opts(language)).map((s) => [text.slice(s.start, s.end), s.section]);

  it('keeps abbreviations, initials and German ordinals inside a sentence; joins wrapped lines', () => {
    expect(split('Seen by Dr. M. Smith today. Possible pulmonary\n   metastases; see CT.').map((s) => s[0])).toEqual([
      'Seen by Dr. M. Smith today.', 'Possible pulmonary\n   metastases; see CT.',
    ]);
    expect(split('V.a. Rezidiv nach 4. Zyklus. Z.n. Hysterektomie.', 'de').map((s) => s[0])).toEqual(['V.a. Rezidiv nach 4. Zyklus.', 'Z.n. Hysterektomie.']);
  });

  it('opens a family block at its header and closes it at a blank line; an inline header covers its sentence', () => {
    const text = 'Family history:\n- Mother: breast cancer\nNo other cancers.\n\nFHx: none. Germline BRCA1/2 negative.';
    expect(split(text)).toEqual([
      ['Family history:', 'family'], ['- Mother: breast cancer', 'family'], ['No other cancers.', 'family'],
      ['FHx: none.', 'family'], ['Germline BRCA1/2 negative.', 'none'],
    ]);
  });

  it('opens blocks at capitalised and markdown headers without a colon', () => {
    expect(split('FAMILY HISTORY\nMother breast cancer.\n\n# Family history\nSister ovarian cancer.').map((x) => x[1]))
      .toEqual(['family', 'family', 'family', 'family']);
  });

  it('knows German section headers', () => {
    expect(split('Familienanamnese:\n- Schwester: Ovarialkarzinom\n\nBeratungsinhalte:\n- Risiko', 'de').map((s) => s[1]))
      .toEqual(['family', 'family', 'hypothetical', 'hypothetical']);
  });
});

describe('squash (dictionary and label keys)', () => {
  it('is the folded text with everything but a-z and 0-9 dropped, for any string (property)', () => {
    const reference = (s: string): string => foldString(s).replace(/[^a-z0-9]/g, '');
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => expect(squash(s)).toBe(reference(s))), { numRuns: 2000 });
    expect(squash('Ärztin Müller-Lüdenscheidt, µmol/l, CA 12-5')).toBe('aerztinmuellerluedenscheidtumollca125');
  });
});
