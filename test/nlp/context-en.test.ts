/** ConText rules in English: each trigger kind, direction, pseudo-triggers and scope termination. */
import { assertionsOf, extract, isPresent } from './helpers';

const a = (text: string, concept: string): string[] => assertionsOf(extract(text, 'en'), concept);

describe('English negation', () => {
  it.each([
    ['No ascites.', 'ascites'],
    ['Patient denies hypertension.', 'hypertension'],
    ['Abdomen soft, without ascites.', 'ascites'],
    ['Biopsy negative for ovarian carcinoma.', 'ovarian_cancer'],
    ['Duplex: neg for DVT.', 'deep_vein_thrombosis'],
    ['No evidence of pulmonary metastases.', 'lung_metastasis'],
    ['Pulmonary embolism was ruled out by CTPA.', 'pulmonary_embolism'],
    ['Liver metastases not seen.', 'liver_metastasis'],
    ['Free of peritoneal carcinomatosis at second look.', 'peritoneal_metastasis'],
    ['There is no sign of bowel obstruction, no pleural effusion and no ascites.', 'pleural_effusion'],
    ['Absence of neutropenia on day 8.', 'neutropenia'],
    ['Not consistent with endometriosis.', 'endometriosis'],
  ])('"%s" negates %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['negated']);
  });

  it('does not negate past the window or a new positive item after a comma', () => {
    const fs = extract('No fever, small right pleural effusion.', 'en');
    expect(isPresent(fs, 'pleural_effusion')).toBe(true);
  });

  it('ends the scope at "but" and at the sentence end', () => {
    expect(a('No ascites but a moderate pleural effusion.', 'pleural_effusion')).toEqual(['present']);
    expect(a('No ascites. Pleural effusion on the right.', 'pleural_effusion')).toEqual(['present']);
  });

  it('ignores pseudo-triggers', () => {
    expect(a('No change in her known peripheral neuropathy.', 'peripheral_neuropathy')).toEqual(['present']);
    expect(a('Not only ascites but also pleural effusion were drained.', 'ascites')).toEqual(['present']);
  });

  it('keeps the triggers of a term inside the term (non-insulin-dependent diabetes)', () => {
    expect(a('She has non-insulin-dependent diabetes.', 'diabetes_type2')).toEqual(['present']);
  });
});

describe('English uncertainty', () => {
  it.each([
    ['Possible liver metastases.', 'liver_metastasis'],
    ['Findings suspicious for ovarian cancer.', 'ovarian_cancer'],
    ['Pleural effusion cannot be excluded.', 'pleural_effusion'],
    ['Cannot exclude DVT.', 'deep_vein_thrombosis'],
    ['Suspected ovarian cancer.', 'ovarian_cancer'],
    ['Lesion concerning for peritoneal carcinomatosis.', 'peritoneal_metastasis'],
    ['?ovarian primary', 'ovarian_cancer'],
    ['Hepatic lesions suspicious for metastases.', 'liver_metastasis'],
  ])('"%s" makes %s possible', (text, concept) => {
    expect(a(text, concept)).toEqual(['possible']);
  });

  // issue 13: a differential to exclude or a work-up plan is not a finding; only "possible/suspected" makes one unconfirmed
  it.each([
    ['CTPA to rule out pulmonary embolism.', 'pulmonary_embolism'],
    ['r/o DVT.', 'deep_vein_thrombosis'],
    ['DD: pulmonary embolism.', 'pulmonary_embolism'],
  ])('"%s" is a plan to exclude %s: hypothetical', (text, concept) => {
    expect(a(text, concept)).toEqual(['hypothetical']);
  });

  it('"consistent with" is an assertion, not an uncertainty', () => {
    expect(a('Hepatic lesions consistent with metastases.', 'liver_metastasis')).toEqual(['present']);
  });
});

describe('English family history', () => {
  it.each([
    ['Her mother died of breast cancer.', 'breast_cancer'],
    ['Family history: sister with ovarian cancer at 40.', 'ovarian_cancer'],
    ['Breast cancer in her maternal aunt.', 'breast_cancer'],
    ['Family history of HBOC.', 'hboc_syndrome'],
  ])('"%s" is family for %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['family']);
  });

  it('a family block covers its bulleted lines until the blank line', () => {
    const fs = extract('FAMILY HISTORY:\n- Grandmother: ovarian cancer\n- Paternal side: nothing known\n\nPMH: hypertension.', 'en');
    expect(assertionsOf(fs, 'ovarian_cancer')).toEqual(['family']);
    expect(isPresent(fs, 'hypertension')).toBe(true);
  });

  it('ends the family scope where the patient is named', () => {
    const fs = extract('Her father had hypertension and the patient herself has hypothyroidism.', 'en');
    expect(assertionsOf(fs, 'hypertension')).toEqual(['family']);
    expect(isPresent(fs, 'hypothyroidism')).toBe(true);
  });

  it('reads "no family history of X" as negated', () => {
    expect(a('No family history of ovarian cancer.', 'ovarian_cancer')).toEqual(['negated']);
  });
});

describe('English hypothetical', () => {
  it.each([
    ['Return if symptoms of bowel obstruction develop.', 'bowel_obstruction'],
    ['Counselled on the risk of febrile neutropenia.', 'febrile_neutropenia'],
    ['Enoxaparin to prevent DVT after surgery.', 'deep_vein_thrombosis'],
    ['Should she develop ascites, we will tap.', 'ascites'],
    ['Her lifetime ovarian cancer risk is about 40 %.', 'ovarian_cancer'],
    ['If genetic testing is positive this would establish HBOC.', 'hboc_syndrome'],
  ])('"%s" is hypothetical for %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['hypothetical']);
  });

  it('a counselling block is hypothetical as a whole', () => {
    const fs = extract('Counselling:\n- Breast cancer risk is high.\n- Pulmonary embolism on tamoxifen is rare.', 'en');
    expect(assertionsOf(fs, 'breast_cancer')).toEqual(['hypothetical']);
    expect(assertionsOf(fs, 'pulmonary_embolism')).toEqual(['hypothetical']);
  });
});

describe('English historical', () => {
  it.each([
    ['History of DVT in 2019.', 'deep_vein_thrombosis'],
    ['s/p treatment for breast cancer in 2012.', 'breast_cancer'],
    ['Prior pulmonary embolism.', 'pulmonary_embolism'],
    ['Acute kidney injury, resolved.', 'acute_kidney_injury'],
    ['Depression, in remission.', 'depression'],
  ])('"%s" is historical for %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['historical']);
  });

  it('"history of present illness" is not a history trigger', () => {
    expect(a('History of present illness: hypertension since 2010.', 'hypertension')).toEqual(['present']);
  });
});
