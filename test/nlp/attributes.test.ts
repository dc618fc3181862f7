/** FIGO stage, histology, laterality, ECOG and BRCA1/2 results, in English and German. */
import type { Finding } from '../../server/nlp/finding';
import { conditionsOf, extract, observationsOf, valuesOf } from './helpers';

const cancer = (fs: Finding[], concept = 'ovarian_cancer'): Finding | undefined =>
  conditionsOf(fs, concept).find((f) => f.kind === 'condition' && f.assertion !== 'negated');
const attrs = (f: Finding | undefined): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(f?.attributes ?? {}).map(([k, v]) => [k, v?.key]));

describe('FIGO stage', () => {
  it.each([
    ['FIGO IIIC', 'IIIC'], ['FIGO stage IVB', 'IVB'], ['FIGO-Stadium IC1', 'IC1'], ['FIGO IIIA1(ii)', 'IIIA1'], ['FIGO IIIA(ii)', 'IIIA2'],
    ['FIGO stage (2014): IIB', 'IIB'], ['Stadium FIGO IIIC', 'IIIC'], ['FIGO 3c', 'IIIC'], ['FIGO 2014 IIIB', 'IIIB'], ['FIGO III C', 'IIIC'],
  ])('%s → %s', (text, stage) => {
    const fs = extract(`High-grade serous ovarian carcinoma, ${text}.`, 'en');
    expect(valuesOf(fs, 'figo_stage')).toEqual([stage]);
    expect(observationsOf(fs, 'figo_stage')[0].valueCode).toMatchObject({ system: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl' });
    expect(attrs(cancer(fs)).figo).toBe(stage);
  });

  it('reads "stage 3C" only near an applicable cancer, never other staging systems or grades', () => {
    expect(valuesOf(extract('Ovarian cancer, stage 3C.', 'en'), 'figo_stage')).toEqual(['IIIC']);
    expect(valuesOf(extract('Endometriosis rASRM stage III. CKD stage 3.', 'en'), 'figo_stage')).toEqual([]);
    expect(valuesOf(extract('Endometrioides Adenokarzinom des Ovars, G1 (FIGO-Grad 1).', 'de'), 'figo_stage')).toEqual([]);
    expect(valuesOf(extract('IOTA ADNEX: risk of stage II-IV disease 31 %.', 'en'), 'figo_stage')).toEqual([]);
  });

  it('gives a stage stated once in the note to the cancer named elsewhere', () => {
    const fs = extract('Diagnosis: clear cell carcinoma of the right ovary.\n\nSynoptic report\nFIGO stage: IC2\n', 'en');
    expect(attrs(cancer(fs))).toMatchObject({ histology: 'clear_cell', laterality: 'right', figo: 'IC2' });
  });
});

describe('histology and laterality', () => {
  it.each([
    ['High-grade serous carcinoma of the left ovary.', 'en', 'high_grade_serous', 'left'],
    ['Low grade serous ovarian cancer, bilateral.', 'en', 'low_grade_serous', 'bilateral'],
    ['Endometrioid adenocarcinoma R ovary.', 'en', 'endometrioid', 'right'],
    ['Mucinous ovarian carcinoma (right).', 'en', 'mucinous', 'right'],
    ['Klarzelliges Ovarialkarzinom links.', 'de', 'clear_cell', 'left'],
    ['Hochgradig seröses Ovarialkarzinom beidseits.', 'de', 'high_grade_serous', 'bilateral'],
    ['Ovar links: muzinöses Adenokarzinom.', 'de', 'mucinous', 'left'],
    ['Seröses Ovarialkarzinom rechts.', 'de', 'serous_nos', 'right'],
  ] as const)('"%s" (%s) → %s, %s', (text, lang, histology, laterality) => {
    expect(attrs(cancer(extract(text, lang)))).toMatchObject({ histology, laterality });
  });

  it('codes histology with ICD-O-3 (and its version) and laterality in the ICD-10-CM code', () => {
    const f = cancer(extract('High-grade serous carcinoma of the left ovary.', 'en'));
    expect(f?.attributes.histology?.code).toMatchObject({ code: '8461/3', version: '3.2' });
    expect(f?.codes).toEqual(expect.arrayContaining([expect.objectContaining({ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C56.2' })]));
  });

  it('binds a side word to the finding it qualifies, not to the cancer', () => {
    const f = cancer(extract('Serous ovarian carcinoma, bilateral, with a malignant right pleural effusion.', 'en'));
    expect(attrs(f).laterality).toBe('bilateral');
  });

  it('recognises the tumour site in other phrasings', () => {
    expect(cancer(extract('Carcinoma, primary site: left fallopian tube.', 'en'), 'fallopian_tube_cancer')).toBeDefined();
    expect(cancer(extract('Primary peritoneal high-grade serous carcinoma.', 'en'), 'peritoneal_cancer')).toBeDefined();
    expect(cancer(extract('Omentum: metastatic serous carcinoma.', 'en'), 'peritoneal_metastasis')).toBeDefined();
    expect(cancer(extract('Adenokarzinom der rechten Tube.', 'de'), 'fallopian_tube_cancer')).toBeDefined();
  });
});

describe('ECOG', () => {
  it.each([
    ['ECOG PS 1', 1], ['ECOG 0', 0], ['ECOG-Status 2', 2], ['ECOG performance status of 3', 3], ['ECOG: 1', 1], ['Performance status (ECOG) 2', 2],
  ])('%s → %d', (text, value) => {
    expect(valuesOf(extract(`${text}.`, 'en'), 'ecog')).toEqual([value]);
  });

  it('reads an earlier value in brackets with its relative date, and skips ranges', () => {
    const fs = extract('ECOG 2 (was 1 three months ago).', 'en', '2026-04-15');
    expect(observationsOf(fs, 'ecog').map((f) => [f.value, f.date])).toEqual([[2, undefined], [1, '2026-01']]);
    expect(valuesOf(extract('ECOG 0-1.', 'en'), 'ecog')).toEqual([]);
  });
});

describe('BRCA1/2 results', () => {
  const brca = (text: string, lang: 'en' | 'de'): Record<string, unknown> => {
    const fs = extract(text, lang);
    return { brca1: valuesOf(fs, 'brca1_variant')[0], brca2: valuesOf(fs, 'brca2_variant')[0] };
  };

  it.each([
    ['Germline BRCA1 pathogenic variant detected.', 'en', 'present', undefined],
    ['BRCA1/2 negative.', 'en', 'absent', 'absent'],
    ['No BRCA mutation found.', 'en', 'absent', 'absent'],
    ['BRCA2 c.5946delT.', 'en', undefined, 'present'],
    ['BRCA mutation status: negative.', 'en', 'absent', 'absent'],
    ['Known BRCA2 carrier; BRCA1 wild-type.', 'en', 'absent', 'present'],
    ['Pathogenic variant in BRCA2 identified.', 'en', undefined, 'present'],
    ['BRCA2-Mutation nachgewiesen, BRCA1 negativ.', 'de', 'absent', 'present'],
    ['Keine pathogene Variante in BRCA1 oder BRCA2.', 'de', 'absent', 'absent'],
    ['BRCA1: kein Nachweis einer pathogenen Variante.', 'de', 'absent', undefined],
  ] as const)('"%s" (%s)', (text, lang, brca1, brca2) => {
    expect(brca(text, lang)).toEqual({ brca1, brca2 });
  });

  it('ignores pending tests, unclear variants, relatives and hypothetical results', () => {
    for (const text of ['BRCA1/2 testing sent, results pending.', 'BRCA1 VUS c.4837A>G.', 'Her sister carries a BRCA1 mutation.',
      'If BRCA testing is positive, cascade testing will follow.', 'Keimbahntestung BRCA1/2 veranlasst.']) {
      expect(brca(text, text.includes('Keimbahn') ? 'de' : 'en')).toEqual({ brca1: undefined, brca2: undefined });
    }
  });

  it('codes the gene (HGNC) and the answer (LOINC)', () => {
    const [f] = observationsOf(extract('BRCA2 mutation positive.', 'en'), 'brca2_variant');
    expect(f.codes[0]).toMatchObject({ system: 'http://loinc.org', code: '69548-6' });
    expect(f.attributes.gene?.code).toMatchObject({ system: 'http://www.genenames.org', code: 'HGNC:1101' });
    expect(f.valueCode).toMatchObject({ code: 'LA9633-4' });
  });
});
