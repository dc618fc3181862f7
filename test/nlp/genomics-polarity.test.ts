/**
 * BRCA result polarity: a result word belongs to the gene it is written after ("BRCA1 negative, BRCA2 pathogenic
 * variant"), "not yet tested" gives no result, and a patient's own test in a family-history block stays hers.
 */
import { extract, valuesOf } from './helpers';

const brca = (text: string, lang: 'en' | 'de'): Record<string, unknown> => {
  const fs = extract(text, lang);
  return { brca1: valuesOf(fs, 'brca1_variant'), brca2: valuesOf(fs, 'brca2_variant') };
};

describe('a result word belongs to the gene it is stated for', () => {
  it.each([
    ['Germline panel: BRCA2 negative, BRCA1 pathogenic variant c.181T>G detected.', 'en', ['present'], ['absent']],
    ['Results: BRCA1 normal; BRCA2 deleterious mutation c.9097dupA.', 'en', ['absent'], ['present']],
    ['Keimbahnanalyse: BRCA2 negativ, BRCA1 pathogene Variante c.68_69delAG nachgewiesen.', 'de', ['present'], ['absent']],
    ['Befund: BRCA1 unauffällig, BRCA2 Mutation nachgewiesen.', 'de', ['absent'], ['present']],
  ] as const)('%s', (text, lang, brca1, brca2) => {
    expect(brca(text, lang)).toEqual({ brca1, brca2 });
  });
});

describe('no result yet', () => {
  it.each([
    ['Not yet tested for BRCA; referral to genetics made.', 'en'],
    ['She has not yet been tested for BRCA1/2.', 'en'],
    ['Bisher noch nicht auf BRCA1/2 getestet.', 'de'],
    ['BRCA1/2: noch nicht getestet.', 'de'],
  ] as const)('%s', (text, lang) => {
    expect(brca(text, lang)).toEqual({ brca1: [], brca2: [] });
  });
});

describe("the patient's own test inside a family-history block", () => {
  it('keeps her result, but not a relative\'s named in the sentence (DE)', () => {
    const text = 'Familienanamnese:\nMutter Mammakarzinom mit 61 J.; eigene BRCA1/2-Testung 2024 negativ.\n'
      + 'Die Cousine mütterlicherseits erkrankte mit 39; bei ihr wurde eine BRCA2-Mutation nachgewiesen.\n';
    expect(brca(text, 'de')).toEqual({ brca1: ['absent'], brca2: ['absent'] });
  });

  it('keeps her result after a genetics consultation line (EN)', () => {
    const text = 'Family history:\nFather - prostate cancer at 72.\nGenetics review 2023: no pathogenic variant in BRCA1 or BRCA2.\n';
    expect(brca(text, 'en')).toEqual({ brca1: ['absent'], brca2: ['absent'] });
  });
});

describe('germline and tumour results of one gene are two results', () => {
  it.each([
    ['Germline BRCA1/2 negative (03/2026). Tumour testing: BRCA1 wild type, BRCA2 wild type.', 'en', ['absent', 'absent'], ['absent', 'absent']],
    ['Keimbahn: BRCA1 negativ. Tumorgewebe: BRCA1 Wildtyp.', 'de', ['absent', 'absent'], []],
  ] as const)('%s', (text, lang, brca1, brca2) => {
    expect(brca(text, lang)).toEqual({ brca1, brca2 });
  });

  it.each([
    ['Germline BRCA1 pathogenic variant. Plan discussed at tumour board: PARP inhibitor given the BRCA1 mutation.', 'en', ['present'], []],
    ['BRCA1 negativ. Im Arztbrief erneut: BRCA1 negativ.', 'de', ['absent'], []],
  ] as const)('keeps one when the same test is repeated: %s', (text, lang, brca1, brca2) => {
    expect(brca(text, lang)).toEqual({ brca1, brca2 });
  });
});
