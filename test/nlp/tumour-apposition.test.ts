/** Tumour mentions whose site follows after a comma: "carcinoma, left ovary", "Karzinom, ausgehend vom rechten Ovar". */
import type { Finding } from '../../server/nlp/finding';
import { extract } from './helpers';

const cancer = (fs: Finding[], concept: string): Finding | undefined =>
  fs.find((f) => f.kind === 'condition' && f.concept === concept && (f.assertion === 'present' || f.assertion === 'historical'));

describe('tumour grammar: site as an apposition after a comma', () => {
  it.each([
    ['Diagnosis: Mucinous adenocarcinoma, right ovary.', 'en', 'ovarian_cancer', 'right'],
    ['Histology: serous carcinoma (grade 3), ovary left - completely excised.', 'en', 'ovarian_cancer', 'left'],
    ['Final pathology: carcinoma, arising in the left fallopian tube.', 'en', 'fallopian_tube_cancer', 'left'],
    ['Befund: Muzinöses Karzinom, ausgehend vom linken Ovar.', 'de', 'ovarian_cancer', 'left'],
    ['Histologie: Adenokarzinom (G3), Ovar links.', 'de', 'ovarian_cancer', 'left'],
    ['Diagnose: Seröses Karzinom, Tube rechts, Erstdiagnose 2025.', 'de', 'fallopian_tube_cancer', 'right'],
  ] as const)('%s', (text, lang, concept, side) => {
    const f = cancer(extract(text, lang), concept);
    expect(f?.attributes.laterality?.key).toBe(side);
  });

  it.each([
    ['Dx: low grade serous carcinoma, primary peritoneal, FIGO IIIB.', 'en', 'peritoneal_cancer'],
    ['Diagnose: seröses Karzinom, primär peritoneal, FIGO IVA.', 'de', 'peritoneal_cancer'],
  ] as const)('reads a site adjective after the comma: %s', (text, lang, concept) => {
    expect(cancer(extract(text, lang), concept)).toBeDefined();
  });

  it.each([
    ['PMH: 61F, mucinous Ca of the right ovary, FIGO IA.', 'en', 'right'],
    ['Anamnese: Ca des linken Ovars, Erstdiagnose 2024.', 'de', 'left'],
  ] as const)('reads a short tumour noun followed by its site: %s', (text, lang, side) => {
    expect(cancer(extract(text, lang), 'ovarian_cancer')?.attributes.laterality?.key).toBe(side);
  });

  it.each([
    ['Histology: Mucinous adenocarcinoma, infiltrative type, right ovary, 14 cm.', 'en', 'right'],
    ['Histologie: Seröses Karzinom, hochgradig, Ovar links.', 'de', 'left'],
    ['Final report: serous carcinoma, which on review of all blocks arose in the left ovary.', 'en', 'left'],
    ['Histologie: Endometrioides Karzinom, entstanden auf dem Boden einer Zyste des rechten Ovars.', 'de', 'right'],
  ] as const)('reads a type phrase or an origin clause before the site: %s', (text, lang, side) => {
    expect(cancer(extract(text, lang), 'ovarian_cancer')?.attributes.laterality?.key).toBe(side);
  });

  it('keeps another finding named in the origin clause', () => {
    const fs = extract('Histologie: Klarzelliges Karzinom, entstanden in einer Endometriosezyste des linken Ovars.', 'de');
    expect(cancer(fs, 'ovarian_cancer')).toBeDefined();
    expect(cancer(fs, 'endometriosis')).toBeDefined();
  });

  it('does not make a primary of a site where cancers spread ("carcinoma, omentum")', () => {
    expect(cancer(extract('Biopsies: metastatic serous carcinoma, omentum and peritoneum.', 'en'), 'peritoneal_cancer')).toBeUndefined();
    expect(cancer(extract('Biopsien: Karzinom, Peritoneum (Douglas).', 'de'), 'peritoneal_cancer')).toBeUndefined();
  });

  it('needs the comma to be the only break: a new sentence names no site of the tumour before it', () => {
    const fs = extract('Known carcinoma. Left ovary normal in size.', 'en');
    expect(cancer(fs, 'ovarian_cancer')).toBeUndefined();
  });
});

describe('peritoneal spread named as disease, recurrence or nodularity (lexicon)', () => {
  it.each([
    ['CT: new peritoneal disease in the right paracolic gutter.', 'en'],
    ['Now second peritoneal relapse, platinum resistant.', 'en'],
    ['Persistent omental disease on the restaging scan.', 'en'],
    ['Bildgebend Peritonealrezidiv im Douglas-Raum.', 'de'],
    ['Ausgedehnter peritonealer Befall im Oberbauch.', 'de'],
  ] as const)('%s', (text, lang) => {
    expect(cancer(extract(text, lang), 'peritoneal_metastasis')).toBeDefined();
  });

  it('keeps a denied one denied', () => {
    expect(cancer(extract('No peritoneal disease on CT.', 'en'), 'peritoneal_metastasis')).toBeUndefined();
  });
});
