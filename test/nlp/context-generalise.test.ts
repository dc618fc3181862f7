/** Issue 13 assertion shapes in EN and DE: post-negation, risk/consent/counselling lists, plans, list items, family blocks, questions. */
import fc from 'fast-check';
import { compileRulesResources } from '../../server/nlp/rules/engine';
import { adjectiveStems } from '../../server/nlp/rules/dictionary';
import { assertionsOf, extract, isPresent } from './helpers';

const en = (text: string, concept: string): string[] => assertionsOf(extract(text, 'en'), concept);
const de = (text: string, concept: string): string[] => assertionsOf(extract(text, 'de'), concept);

describe('negation placed after the concept', () => {
  it.each([
    ['Lebermetastasen konnten ausgeschlossen werden.', 'liver_metastasis'],
    ['Lungenmetastasen sind nicht\nnachweisbar.', 'lung_metastasis'],
    ['Ein erbliches Brust- und Eierstockkrebssyndrom liegt bei Frau D. nicht vor.', 'hboc_syndrome'],
    ['Eine Lungenembolie wurde im CT ausgeschlossen.', 'pulmonary_embolism'],
  ])('DE "%s" negates %s', (text, concept) => expect(de(text, concept)).toEqual(['negated']));

  it.each([
    ['Pulmonary embolism was excluded on CTPA.', 'pulmonary_embolism'],
    ['DVT has been ruled out.', 'deep_vein_thrombosis'],
    ['PMH: Hypertension - no. Diabetes - no.', 'hypertension'],
    ['IMPRESSION:\n1. No bowel obstruction.\n2. Increasing ascites.', 'bowel_obstruction'],
  ])('EN "%s" negates %s', (text, concept) => expect(en(text, concept)).toEqual(['negated']));

  it('keeps the present item of a numbered impression present', () => {
    expect(isPresent(extract('IMPRESSION:\n1. No bowel obstruction.\n2. Increasing ascites, now moderate.', 'en'), 'ascites')).toBe(true);
  });
});

describe('risks, side effects, counselling and plans produce no present Condition', () => {
  it.each([
    ['Discussed common and serious side effects incl. myelosuppression with risk of anaemia, neutropenia and neutropenic sepsis / febrile neutropenia, peripheral neuropathy, alopecia, AKI, VTE - DVT/PE - and fatigue.', ['anemia', 'neutropenia', 'acute_kidney_injury', 'deep_vein_thrombosis', 'pulmonary_embolism']],
    ['She was advised to return if she develops calf swelling, chest pain or signs of DVT or pulmonary embolism.', ['deep_vein_thrombosis', 'pulmonary_embolism']],
    ['CTPA to rule out pulmonary embolism. DD: ascites.', ['pulmonary_embolism', 'ascites']],
    ['Indication: abdominal pain and vomiting. Concern for SBO.', ['bowel_obstruction']],
  ])('EN "%s"', (text, concepts) => {
    const fs = extract(text, 'en');
    for (const c of concepts) expect(isPresent(fs, c)).toBe(false);
  });

  it.each([
    ['Aufklärung erfolgte über mögliche Nebenwirkungen von Bevacizumab: Blutdruckanstieg, Wundheilungsstörungen, Thrombosen und Lungenembolie.', ['pulmonary_embolism']],
    ['Ihr Risiko, an einem Mammakarzinom oder einem Ovarialkarzinom zu erkranken, entspricht dem der Allgemeinbevölkerung.', ['breast_cancer', 'ovarian_cancer']],
    ['Bei zunehmender Obstipation bitte Vorstellung zum Ausschluss eines Ileus.', ['bowel_obstruction']],
    ['Fragestellung: Staging. Lungenmetastasen? Aszites?', ['lung_metastasis', 'ascites']],
    ['Verlauf: drohendes akutes Nierenversagen unter Cisplatin, engmaschige Kontrollen.', ['acute_kidney_injury']],
  ])('DE "%s"', (text, concepts) => {
    const fs = extract(text, 'de');
    for (const c of concepts) expect(isPresent(fs, c)).toBe(false);
  });

  it('a real side effect stated as a fact stays present, and "but" ends a risk list', () => {
    expect(isPresent(extract('Toxicity since cycle 3: peripheral neuropathy grade 2.', 'en'), 'peripheral_neuropathy')).toBe(true);
    expect(isPresent(extract('Discussed the risk of neutropenia, but she already has anaemia.', 'en'), 'anemia')).toBe(true);
    expect(isPresent(extract('Suspected pleural effusion.', 'en'), 'pleural_effusion')).toBe(false);
    expect(en('Suspected pleural effusion.', 'pleural_effusion')).toEqual(['possible']);
  });
});

describe('a dictionary hit is a hypothesis: its sense decides', () => {
  it.each([
    ['Sent for HBOC panel testing (BRCA1/2, PALB2).', 'en', 'hboc_syndrome'],
    ['Study: ICON8 ovarian cancer trial, arm B.', 'en', 'ovarian_cancer'],
    ['Anemia work-up sent (ferritin, B12).', 'en', 'anemia'],
    ['Hb reference range for anaemia: < 12 g/dL.', 'en', 'anemia'],
    ['HBOC-Panel angefordert.', 'de', 'hboc_syndrome'],
    ['Teilnahme am Brustkrebs-Früherkennungsprogramm.', 'de', 'breast_cancer'],
    ['Die Mutter der Patientin verstarb an einem Ovarialkarzinom.', 'de', 'ovarian_cancer'],
    ['Differential: endometrioma, ovarian cancer.', 'en', 'ovarian_cancer'],
  ] as Array<[string, 'en' | 'de', string]>)('"%s" gives no present %s', (text, lang, concept) => {
    expect(isPresent(extract(text, lang), concept)).toBe(false);
  });

  it('the disease itself, stated, is still found ("Hochgradig seröses Karzinom beider Ovarien")', () => {
    const fs = extract('Diagnose:\nHochgradig seröses Karzinom beider Ovarien (links führend).', 'de');
    const ov = fs.find((f) => f.concept === 'ovarian_cancer' && f.assertion === 'present');
    expect(ov?.attributes).toMatchObject({ histology: { key: 'high_grade_serous' }, laterality: { key: 'bilateral' } });
  });
});

describe('family-history blocks', () => {
  it('a relative named on its own line under the header makes the disease family, not the patient\'s', () => {
    const text = 'Familienanamnese:\nVater: Kolonkarzinom mit 70.\nSchwester der Mutter -\nMammakarzinom, prämenopausal.\nMutter (68 J.): gesund\nTante väterlicherseits: Ovarialkarzinom mit 52 J.';
    const fs = extract(text, 'de');
    expect(isPresent(fs, 'breast_cancer')).toBe(false);
    expect(isPresent(fs, 'ovarian_cancer')).toBe(false);
    expect(assertionsOf(fs, 'breast_cancer')).toEqual(['family']);
  });

  it('a longer header ("Family history, as drawn today:") opens the block; another section header ends it', () => {
    const text = 'Family history, as drawn today:\n  Mother - d. 79, stroke\n  Sister 1 (71) - breast ca at 66, treated\nPMH: ovarian cancer 2024, hypertension.';
    const fs = extract(text, 'en');
    expect(isPresent(fs, 'breast_cancer')).toBe(false);
    expect(isPresent(fs, 'ovarian_cancer')).toBe(true);
    expect(isPresent(fs, 'hypertension')).toBe(true);
  });
});

describe('inflected German adjective + noun names', () => {
  it.each(['seröses', 'seröse', 'serösen', 'seröser'])('"high-grade %s Ovarialkarzinom" carries the histology', (adj) => {
    const fs = extract(`Diagnose: high-grade ${adj} Ovarialkarzinom links, FIGO IIIC.`, 'de');
    const ov = fs.find((f) => f.concept === 'ovarian_cancer' && f.kind === 'condition');
    expect(ov?.attributes.histology?.key).toBe('high_grade_serous');
  });

  it.each(['akutes Nierenversagen', 'akuten Nierenversagens', 'akutem Nierenversagen', 'tiefer Beinvenenthrombose', 'primären Peritonealkarzinoms'])('"%s" is found', (phrase) => {
    const fs = extract(`Bekannt: ${phrase}.`, 'de');
    expect(fs.some((f) => f.kind === 'condition' && f.assertion === 'present')).toBe(true);
  });

  it('stems only lower-case words (German adjectives), never nouns', () => {
    expect(adjectiveStems('primäres seröses Karzinom')).toBe('primär serös Karzinom');
    expect(adjectiveStems('Tumoranämie')).toBe('Tumoranämie');
  });
});

describe('attributes stated apart from the cancer', () => {
  it('a side written on the organ and a grade written after the histology attach to the cancer', () => {
    const fs = extract('Dx: clear cell carcinoma of ovary, FIGO IC3, L ovary. Surgical staging 07/10/2025.', 'en');
    expect(fs.find((f) => f.concept === 'ovarian_cancer')?.attributes.laterality?.key).toBe('left');
    const t = extract('Mrs M. - left fallopian tube carcinoma, serous, high grade, FIGO IIB.', 'en');
    expect(t.find((f) => f.concept === 'fallopian_tube_cancer')?.attributes.histology?.key).toBe('high_grade_serous');
  });

  it('an organ called normal gives no side', () => {
    const fs = extract('High-grade serous ovarian carcinoma. Left ovary unremarkable.', 'en');
    expect(fs.find((f) => f.concept === 'ovarian_cancer')?.attributes.laterality).toBeUndefined();
  });
});

describe('assertion scoper: properties', () => {
  compileRulesResources();
  const words = fc.constantFrom('no', 'kein', 'not', 'nicht', 'ascites', 'Aszites', 'risk of', 'Risiko', 'mother', 'Mutter', 'but', 'aber',
    'side effects incl', 'Aufklärung über', 'ruled out', 'ausgeschlossen', 'liegt nicht vor', 'DD:', 'FHx:', 'Familienanamnese:', ',', '.', ';', ':', ' - ', '\n', '?',
    'pulmonary embolism', 'Lungenembolie', 'V.a.', 'possible', 'history of', 'Z.n.', 'IMPRESSION:', '1.', 'Hb 10,2 g/dl');
  const text = fc.array(fc.oneof(words, fc.string({ maxLength: 6 })), { maxLength: 60 }).map((p) => p.join(' '));

  it('never throws; every finding quotes the note exactly and has one assertion', () => {
    fc.assert(fc.property(text, fc.constantFrom('en' as const, 'de' as const), (t, lang) => {
      const fs = extract(t, lang);
      for (const f of fs) {
        expect(t.slice(f.offset, f.offset + f.length)).toBe(f.quote);
        expect(['present', 'negated', 'possible', 'family', 'hypothetical', 'historical']).toContain(f.assertion);
      }
    }), { numRuns: 300 });
  });

  it('a trigger never reaches across a sentence end: "No X." never negates the next sentence', () => {
    fc.assert(fc.property(fc.constantFrom('ascites', 'pleural effusion', 'pulmonary embolism'), (c) => {
      expect(isPresent(extract(`No fever. ${c[0].toUpperCase()}${c.slice(1)} is present.`, 'en'), c === 'ascites' ? 'ascites' : c === 'pleural effusion' ? 'pleural_effusion' : 'pulmonary_embolism')).toBe(true);
    }));
  });

  it('work stays linear: a 5 000-sentence note of list triggers is assessed in one pass', () => {
    const big = 'Discussed side effects incl. neutropenia, anaemia and PE; no ascites. '.repeat(5000);
    const fs = extract(big, 'en');
    expect(fs.some((f) => f.assertion === 'present' && f.kind === 'condition')).toBe(false);
  });
});

describe('causes of death and verb-final denials: properties', () => {
  const diseasesEn = fc.constantFrom(['ovarian cancer', 'ovarian_cancer'], ['breast cancer', 'breast_cancer'], ['pulmonary embolism', 'pulmonary_embolism'], ['hypertension', 'hypertension']);

  it('"<parent> of <disease>" in a list of deaths is the parent\'s; "<parent> of <count>" is the patient', () => {
    fc.assert(fc.property(fc.constantFrom(['mother', 'She'], ['father', 'He']), diseasesEn, fc.constantFrom('two', 'three', '4', 'twins'), fc.integer({ min: 40, max: 90 }),
      ([parent, pronoun], [term, concept], count, age) => {
        expect(assertionsOf(extract(`Both parents have died - ${parent} of ${term} at ${age}.`, 'en'), concept)).toEqual(['family']);
        expect(assertionsOf(extract(`${pronoun} is a ${parent} of ${count} with ${term}.`, 'en'), concept)).toEqual(['present']);
      }));
  });

  it('a clause-final "nicht" after a verb of finding denies the subject, however long the clause', () => {
    const subjects = fc.constantFrom('Hinweise auf', 'Anhaltspunkte für', 'Zeichen für');
    const diseasesDe = fc.constantFrom(['eine Lungenembolie', 'pulmonary_embolism'], ['einen Aszites', 'ascites'], ['einen Pleuraerguss', 'pleural_effusion'], ['eine Depression', 'depression']);
    const verbs = fc.constantFrom('ergaben sich', 'fanden sich', 'zeigten sich', 'ergab sich', 'fand sich');
    const fillers = fc.constantFrom('im Gespräch', 'in der Bildgebung vom Montag', 'bei der heutigen Untersuchung', 'in der Sprechstunde am Dienstag');
    fc.assert(fc.property(subjects, diseasesDe, verbs, fillers, (subject, [term, concept], verb, filler) => {
      expect(assertionsOf(extract(`${subject} ${term} ${verb} ${filler} nicht.`, 'de'), concept)).toEqual(['negated']);
    }));
  });
});
