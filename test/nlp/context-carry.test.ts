/**
 * Context carried across sentences: a pronoun opening a sentence continues the relative who was the subject of the
 * sentence before (when the gender fits), and a negation or counselling trigger written as a label covers the
 * list under it; plus post-triggers used as labels and table cells. Added on the grown tune split: lines indented under
 * an inline family label, asides that do not change a sentence's subject, and an informant named as a relative.
 */
import fc from 'fast-check';
import type { Finding } from '../../server/nlp/finding';
import { assertionsOf, conditionsOf, extract, isPresent } from './helpers';

const relationOf = (fs: Finding[], concept: string): string | undefined => conditionsOf(fs, concept).find((f) => f.assertion === 'family')?.attributes.relationship?.key;

describe('a pronoun continues the relative of the sentence before', () => {
  it.each([
    ['My mother was seen in 2019. She had breast cancer.', 'breast_cancer', 'MTH'],
    ['Her maternal aunt lives in Ontario.\nShe was diagnosed with ovarian cancer at 61.', 'ovarian_cancer', 'MAUNT'],
    ['Her mother had breast cancer. She later died of a pulmonary embolism.', 'pulmonary_embolism', 'MTH'],
    ['Her father is 80. He has type 2 diabetes.', 'diabetes_type2', 'FTH'],
  ])('EN "%s"', (text, concept, relation) => {
    const fs = extract(text, 'en');
    expect(assertionsOf(fs, concept)).toEqual(['family']);
    expect(relationOf(fs, concept)).toBe(relation);
  });

  it.each([
    ['Die Mutter wurde 2018 operiert. Sie erkrankte mit 49 Jahren an einem Mammakarzinom.', 'breast_cancer', 'MTH'],
    ['Die Schwester der Patientin lebt in Köln. Sie hatte ein Ovarialkarzinom.', 'ovarian_cancer', 'SIS'],
    ['Der Vater ist 78 Jahre alt. Er hatte vor zwei Jahren eine Lungenembolie.', 'pulmonary_embolism', 'FTH'],
  ])('DE "%s"', (text, concept, relation) => {
    const fs = extract(text, 'de');
    expect(assertionsOf(fs, concept)).toEqual(['family']);
    expect(relationOf(fs, concept)).toBe(relation);
  });

  it.each([
    ['en', 'Her mother was seen in 2019. At 52 she was diagnosed with breast cancer.', 'breast_cancer', 'MTH'],
    ['de', '2018 wurde die Mutter in Kiel operiert. Mit 49 Jahren erkrankte sie an einem Mammakarzinom.', 'breast_cancer', 'MTH'],
  ] as const)('%s the pronoun may follow a time phrase and the relative need not open the sentence: "%s"', (language, text, concept, relation) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, concept)).toEqual(['family']);
    expect(relationOf(fs, concept)).toBe(relation);
  });

  it.each([
    ['en', 'Mother (72)\n- breast cancer at 52\n- hypertension\nPlan: review.'],
    ['de', 'Mutter, 72 J.\n- Mammakarzinom mit 52\n- Hypertonie\nDiagnosen:\n- Ovarialkarzinom'],
  ] as const)('%s a relative alone on a line owns the bullet lines under it: %j', (language, text) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, 'breast_cancer')).toEqual(['family']);
    expect(relationOf(fs, 'breast_cancer')).toBe('MTH');
    expect(assertionsOf(fs, 'hypertension')).toEqual(['family']);
    if (language === 'de') expect(isPresent(fs, 'ovarian_cancer')).toBe(true);
  });

  it.each([
    ['en', 'The patient reports that her mother was diagnosed in 2019. She had breast cancer.'],
    ['de', 'Die Patientin berichtet, ihre Mutter sei 2019 erkrankt. Sie habe ein Mammakarzinom gehabt.'],
  ] as const)('%s family history told by the patient: the pronoun after it is the relative\'s: "%s"', (language, text) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, 'breast_cancer')).toEqual(['family']);
    expect(relationOf(fs, 'breast_cancer')).toBe('MTH');
  });

  it.each([
    ['en', '| Relative | Age | Cancer |\n| Mother | 52 | breast cancer |\n| Maternal aunt | 61 | ovarian cancer |'],
    ['de', 'Verwandte | Alter | Diagnose\nMutter | 52 | Mammakarzinom\nTante | 61 | Ovarialkarzinom'],
  ] as const)('%s a relative in the first cell of a table row owns the row: %j', (language, text) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, 'breast_cancer')).toEqual(['family']);
    expect(assertionsOf(fs, 'ovarian_cancer')).toEqual(['family']);
  });

  it('a table row whose first cell is no relative stays the patient\'s', () => {
    expect(isPresent(extract('| Problem | Since |\n| ovarian cancer | 2025 |\n| hypertension | 2010 |', 'en'), 'hypertension')).toBe(true);
  });

  it.each([
    ['en', 'Her husband had a pulmonary embolism last year.', 'HUSB'],
    ['de', 'Der Ehemann hatte 2024 eine Lungenembolie.', 'HUSB'],
    ['de', 'Die Urgroßmutter hatte eine Lungenembolie.', 'GGRMTH'],
  ] as const)('%s a spouse or an extended relative is no patient: "%s"', (language, text, relation) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, 'pulmonary_embolism')).toEqual(['family']);
    expect(relationOf(fs, 'pulmonary_embolism')).toBe(relation);
  });

  it.each([
    ['en', 'Caller: husband (Mr T. A.) on behalf of Mrs F. A., 61, on weekly paclitaxel for ovarian cancer.'],
    ['de', 'Anrufer: Ehemann von Frau G. W. (63 J., Ovarialkarzinom, 2. Zyklus).'],
    ['en', 'Her parents are both alive. She has ovarian cancer.'], // "she" is not the parents
  ] as const)('%s the patient named after the relative keeps her diagnosis: "%s"', (language, text) => {
    expect(isPresent(extract(text, language), 'ovarian_cancer')).toBe(true);
  });

  it('a bullet list under a label that is no relative stays the patient\'s', () => {
    expect(isPresent(extract('Problems:\n- ovarian cancer\n- hypertension', 'en'), 'hypertension')).toBe(true);
  });

  it('an uncertain experiencer is no present Condition: "She" right after a sentence about the mother is the mother\'s', () => {
    // could be the patient; a wrong present diagnosis is the worse error, so the pronoun follows the subject before it
    const fs = extract('Her mother is alive and well. She has hypertension and diabetes.', 'en');
    expect(isPresent(fs, 'hypertension')).toBe(false);
    expect(assertionsOf(fs, 'hypertension')).toEqual(['family']);
  });

  it.each([
    ['en', 'Her father had colon cancer. She has ovarian cancer.'], // "she" cannot be the father
    ['en', 'Her mother had breast cancer.\n\nShe has ovarian cancer.'], // a new paragraph
    ['en', 'Her mother had breast cancer. She herself has ovarian cancer.'], // the patient, named
    ['en', 'The patient was seen in 2019. She has ovarian cancer.'], // no relative before
    ['en', 'She spoke to her mother yesterday. She has ovarian cancer.'], // the relative is not the first person named
    ['de', 'Die Patientin ist 58. Sie hat ein Ovarialkarzinom.'],
    ['de', 'Ihr Vater hatte ein Kolonkarzinom. Sie hat ein Ovarialkarzinom.'],
  ] as const)('%s "%s" stays the patient\'s', (language, text) => {
    expect(isPresent(extract(text, language), 'ovarian_cancer')).toBe(true);
  });

  const relatives = fc.constantFrom(['mother', 'f'], ['sister', 'f'], ['aunt', 'f'], ['grandmother', 'f'], ['father', 'm'], ['brother', 'm'], ['uncle', 'm']);
  const fillers = fc.constantFrom('was seen in 2019', 'lives in Leeds', 'is 72', 'was tested last month', 'came to clinic with her');
  it('EN property: the disease sentence is the relative\'s exactly when the pronoun fits the relative', () => {
    fc.assert(fc.property(relatives, fillers, fc.constantFrom(['She', 'f'], ['He', 'm']), fc.constantFrom('Her', 'My', 'The'),
      ([relative, g], filler, [pronoun, pg], det) => {
        const fs = extract(`${det} ${relative} ${filler}. ${pronoun} was diagnosed with ovarian cancer at 50.`, 'en');
        expect(isPresent(fs, 'ovarian_cancer')).toBe(g !== pg);
        expect(assertionsOf(fs, 'ovarian_cancer')).toEqual([g === pg ? 'family' : 'present']);
      }), { numRuns: 60 });
  });
});

describe('a negation or counselling label covers its list', () => {
  it('EN "Negative for:" list, ended by a blank line', () => {
    const fs = extract('Negative for:\n- ascites\n- pleural effusion\n\nAssessment: ovarian cancer.', 'en');
    expect(assertionsOf(fs, 'ascites')).toEqual(['negated']);
    expect(assertionsOf(fs, 'pleural_effusion')).toEqual(['negated']);
    expect(isPresent(fs, 'ovarian_cancer')).toBe(true);
  });

  it('DE "Kein Hinweis auf:" list, ended by a new label line', () => {
    const fs = extract('Kein Hinweis auf:\n- Aszites\n- Pleuraerguss\nDiagnose: Ovarialkarzinom', 'de');
    expect(assertionsOf(fs, 'ascites')).toEqual(['negated']);
    expect(assertionsOf(fs, 'pleural_effusion')).toEqual(['negated']);
    expect(isPresent(fs, 'ovarian_cancer')).toBe(true);
  });

  it.each([
    ['en', 'Any breathlessness could indicate a pulmonary embolism and should be reported.', 'pulmonary_embolism'],
    ['en', 'Pulmonary embolism should be ruled out.', 'pulmonary_embolism'],
    ['de', 'Bei Fieber unter Neutropenie (febrile Neutropenie) sofort in die Notaufnahme.', 'febrile_neutropenia'],
  ] as const)('%s instruction or conditional: "%s" is no present %s', (language, text, concept) => {
    expect(isPresent(extract(text, language), concept)).toBe(false);
  });

  it('EN "Return if:" list is hypothetical', () => {
    const fs = extract('Return if:\n- calf pain or swelling (DVT)\n- sudden breathlessness (pulmonary embolism)', 'en');
    expect(isPresent(fs, 'deep_vein_thrombosis')).toBe(false);
    expect(isPresent(fs, 'pulmonary_embolism')).toBe(false);
  });

  it.each([
    ['en', 'Ruled out: PE, DVT.'],
    ['de', 'Ausgeschlossen: Lungenembolie, Beinvenenthrombose.'],
  ] as const)('%s post-negation written as a label: "%s"', (language, text) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, 'pulmonary_embolism')).toEqual(['negated']);
    expect(assertionsOf(fs, 'deep_vein_thrombosis')).toEqual(['negated']);
  });

  it.each([
    ['en', '| Ascites | no |\n| Pleural effusion | yes |'],
    ['de', 'Aszites | nein\nPleuraerguss | ja'],
  ] as const)('%s table cells: "%s"', (language, text) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, 'ascites')).toEqual(['negated']);
    expect(isPresent(fs, 'pleural_effusion')).toBe(true);
  });
});

describe('lines indented under an inline family label continue it (hanging indent)', () => {
  it.each([
    ['en', 'FHx: sister - lives abroad.\n     Diagnosis: ovarian cancer at 52.\n     Brother well.\nPMH: type 2 diabetes.', 'ovarian_cancer', 'diabetes_type2'],
    ['de', 'FA: Vater - verstorben mit 80.\n     Ursache: Lungenembolie.\nVorerkrankungen: arterielle Hypertonie.', 'pulmonary_embolism', 'hypertension'],
  ] as const)('%s: the indented line is the relative\'s, the line back at the margin the patient\'s', (language, text, family, own) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, family)).toEqual(['family']);
    expect(isPresent(fs, own)).toBe(true);
  });

  it('a blank line ends the hanging label', () => {
    expect(isPresent(extract('FHx: father - alive, 81.\n\n     Known type 2 diabetes on metformin.', 'en'), 'diabetes_type2')).toBe(true);
  });

  it('property: any relative × any disease on an indented line under "FHx:"/"FA:" is never a present Condition', () => {
    const cases = fc.oneof(
      fc.record({ language: fc.constant('en' as const), header: fc.constantFrom('FHx', 'Family history', 'FH'), relative: fc.constantFrom('mother', 'father', 'sister', 'maternal aunt', 'paternal uncle', 'grandmother'), disease: fc.constantFrom('breast cancer', 'ovarian cancer', 'pulmonary embolism', 'type 2 diabetes', 'hypertension'), label: fc.constantFrom('Cause', 'Diagnosis', 'Illness', 'Details') }),
      fc.record({ language: fc.constant('de' as const), header: fc.constantFrom('FA', 'Familienanamnese'), relative: fc.constantFrom('Mutter', 'Vater', 'Schwester', 'Tante', 'Onkel', 'Großmutter'), disease: fc.constantFrom('Mammakarzinom', 'Ovarialkarzinom', 'Lungenembolie', 'Diabetes mellitus Typ 2', 'Hypertonie'), label: fc.constantFrom('Ursache', 'Diagnose', 'Erkrankung', 'Details') }),
    );
    fc.assert(fc.property(cases, fc.integer({ min: 1, max: 8 }), (c, indent) => {
      const text = `${c.header}: ${c.relative} - 70.\n${' '.repeat(indent)}${c.label}: ${c.disease}.`;
      const fs = extract(text, c.language);
      return fs.every((f) => f.kind !== 'condition' || (f.assertion !== 'present' && f.assertion !== 'historical'));
    }), { numRuns: 150 });
  });
});

describe('a relative stays the subject of the sentence', () => {
  it.each([
    ['en', 'A strong history of ovarian cancer on the paternal side was noted.', 'ovarian_cancer', 'FAMMEMB'],
    ['en', 'Her brother, however, had a pulmonary embolism at 40.', 'pulmonary_embolism', 'BRO'],
    ['en', 'Dad, now 76, has type 2 diabetes.', 'diabetes_type2', 'FTH'],
    ['de', 'Die Tante, heute 80, hatte ein Ovarialkarzinom.', 'ovarian_cancer', 'AUNT'],
    ['de', 'Der Onkel, allerdings, hatte eine Lungenembolie.', 'pulmonary_embolism', 'UNCLE'],
  ] as const)('%s an aside between commas or "on the … side": "%s"', (language, text, concept, relation) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, concept)).toEqual(['family']);
    expect(relationOf(fs, concept)).toBe(relation);
  });

  it('an aside does not stretch a negation: "No fever, however, ascites …" keeps the ascites', () => {
    expect(isPresent(extract('No fever, however, ascites on ultrasound.', 'en'), 'ascites')).toBe(true);
  });
});

describe('an informant named as a relative', () => {
  it.each([
    ['en', 'Caller: husband of the patient.\nThe caller himself had a DVT last year and asks about testing.', 'deep_vein_thrombosis', 'HUSB'],
    ['de', 'Anrufer: Sohn der Patientin.\nDer Anrufer selbst hatte 2023 eine Lungenembolie.', 'pulmonary_embolism', 'SON'],
  ] as const)('%s: what the informant tells of himself is the relative\'s', (language, text, concept, relation) => {
    const fs = extract(text, language);
    expect(assertionsOf(fs, concept)).toEqual(['family']);
    expect(relationOf(fs, concept)).toBe(relation);
  });

  it('an informant who is the patient stays the patient', () => {
    expect(isPresent(extract('Caller: patient herself.\nThe caller had a DVT last year.', 'en'), 'deep_vein_thrombosis')).toBe(true);
  });
});
