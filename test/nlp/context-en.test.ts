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

// issue 13, grown tune split: trial criteria, information material named after a disease, a warning of what a disease can do
describe('English criteria, leaflets and warnings', () => {
  it.each([
    ['Study screening - exclusion criterion: pulmonary embolism within 6 months.', 'pulmonary_embolism'],
    ['Told to call at once, as a pulmonary embolism can be fatal.', 'pulmonary_embolism'],
    ['Febrile neutropenia card given to the patient.', 'febrile_neutropenia'],
    ['Febrile neutropenia leaflet given.', 'febrile_neutropenia'],
  ])('"%s" is no present %s', (text, concept) => {
    expect(isPresent(extract(text, 'en'), concept)).toBe(false);
  });

  it('"X vs Y": both sides are uncertain', () => {
    expect(a('Pleural effusion vs consolidation on the X-ray.', 'pleural_effusion')).toEqual(['possible']);
  });

  it('a negation word that opens the next finding does not look back: "Type 2 diabetes (insulin), no hypertension"', () => {
    const fs = extract('Type 2 diabetes (insulin), no hypertension.', 'en');
    expect(assertionsOf(fs, 'diabetes_type2')).toEqual(['present']);
    expect(assertionsOf(fs, 'hypertension')).toEqual(['negated']);
  });

  it('a checklist answer closing its line does not reach the next line', () => {
    const fs = extract('Recent DVT .......... NO\nAscites present on ultrasound.', 'en');
    expect(assertionsOf(fs, 'deep_vein_thrombosis')).toEqual(['negated']);
    expect(isPresent(fs, 'ascites')).toBe(true);
  });
});

describe('a problem label denied on its own line', () => {
  it.each([
    ['- Hypertension: BP 128/80 today, not hypertensive off treatment.', 'en', 'hypertension'],
    ['- Hypertonie: RR heute 124/78, keine bekannte Hypertonie.', 'de', 'hypertension'],
  ] as const)('"%s" is negated', (text, language, concept) => {
    expect(assertionsOf(extract(text, language), concept)).toEqual(['negated']);
  });

  it.each([
    ['2. Pulmonary embolism: on apixaban, no new PE on CTPA.', 'en'],
    ['Lungenembolie: unter Apixaban, keine erneute Lungenembolie.', 'de'],
  ] as const)('a denied new episode leaves the known problem: "%s"', (text, language) => {
    expect(isPresent(extract(text, language), 'pulmonary_embolism')).toBe(true);
  });

  it('"anti-hypertensive" names a drug class, not the disease', () => {
    expect(isPresent(extract('Meds: anti-hypertensive therapy with amlodipine.', 'en'), 'hypertension')).toBe(false);
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

describe('English: disfavoured diagnoses, causes of death, pronouns after a dash', () => {
  it.each([
    ['Endometriosis is not favoured on these images.', 'endometriosis'],
    ['Pulmonary embolism is not favored; pneumonia is more likely.', 'pulmonary_embolism'],
  ])('"%s": a diagnosis "not favoured" is denied (%s)', (text, concept) => {
    expect(a(text, concept)).toEqual(['negated']);
  });

  it('"mother of <disease>" after a death names the cause of the relative\'s death', () => {
    expect(a('Parents both dead - father of a heart attack, mother of breast cancer aged 62.', 'breast_cancer')).toEqual(['family']);
  });

  it('"mother/father of <count>" describes the patient: her own disease stays hers', () => {
    expect(a('She is a mother of two with type 2 diabetes.', 'diabetes_type2')).toEqual(['present']);
    expect(a('Father of 3, known hypertension.', 'hypertension')).toEqual(['present']);
  });

  it('a relative pronoun after a dash continues the relative; "she" after the dash is the patient', () => {
    expect(a('Spoke to her brother on the phone - who had a pulmonary embolism in 2015.', 'pulmonary_embolism')).toEqual(['family']);
    expect(a('Spoke to her brother on the phone - she had a pulmonary embolism in 2015.', 'pulmonary_embolism')).toEqual(['present']);
  });
});

describe('English: an instruction to attend for a possible complication', () => {
  it('"please attend ED for possible <X>" is an instruction, not a finding', () => {
    expect(a('If short of breath, please attend the emergency department for a possible pulmonary embolism.', 'pulmonary_embolism')).toEqual(['hypothetical']);
  });
});

describe('English: the need for a treatment denied after a finding', () => {
  it.each([
    ['Mild thrombocytopenia with anaemia - no treatment required at present.', 'anemia'],
    ['Small pleural effusion - no drainage indicated.', 'pleural_effusion'],
  ])('"%s": "no <treatment> needed/required" denies the treatment, not %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['present']);
  });

  it('a plain "no" answering the label still denies it, and "obese class II" is obesity, not a class name', () => {
    expect(a('Pleural effusion - no.', 'pleural_effusion')).toEqual(['negated']);
    expect(a('Weight 104 kg, obese class II.', 'obesity')).toEqual(['present']);
  });
});

describe('English: a negated organ after a comma leaves the finding before it', () => {
  it('"X, <organ> not enlarged" keeps X', () => {
    expect(a('Ultrasound: marked left pleural effusion, heart and liver not enlarged.', 'pleural_effusion')).toEqual(['present']);
  });
});
