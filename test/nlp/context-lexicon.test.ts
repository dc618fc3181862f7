/**
 * Assertion phenomena from the published ConText/NegEx lexicons and clinical writing, each with our own EN and DE
 * sentences: clause-final post-negation, pseudo-negation, generic side-effect statements, prevention and detection
 * purposes, conditional plans, relatives who label a line, a query mark before the concept, and wrapped lines.
 */
import { assertionsOf, extract, isPresent } from './helpers';

const present = (text: string, lang: 'en' | 'de', concept: string): boolean => isPresent(extract(text, lang), concept);

describe('a post-negation that closes its clause reaches back to the clause start', () => {
  it.each([
    ['en', 'Pulmonary embolism on the CT angiogram of last night was excluded.', 'pulmonary_embolism'],
    ['en', 'Ascites at the diagnostic laparoscopy last spring was not seen.', 'ascites'],
    ['de', 'Lebermetastasen waren in der präop. Bildgebung bereits ausgeschlossen.', 'liver_metastasis'],
    ['de', 'Ein Pleuraerguss war in der heutigen Sonographie beidseits nicht nachweisbar.', 'pleural_effusion'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" negates %s', (lang, text, concept) => {
    expect(assertionsOf(extract(text, lang), concept)).toEqual(['negated']);
  });

  it('stops at a comma and at another concept: the nearest concept is the one negated', () => {
    expect(present('Moderate ascites on the scan, pulmonary embolism on the CT angiogram of last night was excluded.', 'en', 'ascites')).toBe(true);
    expect(present('Aszites und Pleuraerguss in der heutigen Bildgebung, eine Lungenembolie wurde ausgeschlossen.', 'de', 'ascites')).toBe(true);
    expect(present('Bei Ovarialkarzinom und Dyspnoe wurde im CT eine Lungenembolie ausgeschlossen.', 'de', 'ovarian_cancer')).toBe(true);
  });
});

describe('pseudo-negation: a negated change is not a negated disease', () => {
  it.each([
    ['en', 'No response of the ascites to diuretics.', 'ascites'],
    ['en', 'No improvement of her peripheral neuropathy since cycle 4.', 'peripheral_neuropathy'],
    ['de', 'Keine Zunahme des Aszites seit der letzten Punktion.', 'ascites'],
    ['de', 'Keine Besserung der Polyneuropathie unter Dosisreduktion.', 'peripheral_neuropathy'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" keeps %s present', (lang, text, concept) => {
    expect(present(text, lang, concept)).toBe(true);
  });
});

describe('more post-negations (denied, nil, not reported, avoided)', () => {
  it.each([
    ['en', 'Hypertension: denied.', 'hypertension'],
    ['en', 'Neuropathy: nil.', 'peripheral_neuropathy'],
    ['en', 'Peripheral neuropathy was not reported by the patient.', 'peripheral_neuropathy'],
    ['de', 'Ein akutes Nierenversagen konnte durch Hydrierung vermieden werden.', 'acute_kidney_injury'],
    ['de', 'Eine Peritonealkarzinose fand sich intraoperativ nicht.', 'peritoneal_metastasis'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" gives no present %s', (lang, text, concept) => {
    expect(present(text, lang, concept)).toBe(false);
  });
});

describe('generic statements, purposes and conditional plans are not findings', () => {
  it.each([
    ['en', 'Peripheral neuropathy is a common side effect of paclitaxel.', 'peripheral_neuropathy'],
    ['en', 'Bowel obstruction is a recognised complication of peritoneal disease.', 'bowel_obstruction'],
    ['en', 'Oral hydration to avoid acute kidney injury.', 'acute_kidney_injury'],
    ['en', 'Thyroid function every cycle to detect hypothyroidism early.', 'hypothyroidism'],
    ['en', 'Consider DVT if the calf becomes swollen.', 'deep_vein_thrombosis'],
    ['en', 'Drain the ascites if symptomatic.', 'ascites'],
    ['en', 'Issued a chemotherapy alert card re febrile neutropenia.', 'febrile_neutropenia'],
    ['de', 'Neutropenie ist eine häufige Nebenwirkung von Carboplatin.', 'neutropenia'],
    ['de', 'Bei Luftnot ist an eine Lungenembolie zu denken.', 'pulmonary_embolism'],
    ['de', 'Ggf. Punktion bei symptomatischem Aszites.', 'ascites'],
    ['de', 'Bei erneutem Aszites Wiedervorstellung zur Punktion.', 'ascites'],
    ['de', 'Psychoonkologische Anbindung zur Prävention einer Depression.', 'depression'],
    ['de', 'Merkblatt zur febrilen Neutropenie ausgehändigt.', 'febrile_neutropenia'],
    ['de', 'Screening auf Depression beim nächsten Termin.', 'depression'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" gives no present %s', (lang, text, concept) => {
    expect(present(text, lang, concept)).toBe(false);
  });

  it('a side effect the patient has is still present', () => {
    expect(present('Grade 2 peripheral neuropathy since cycle 3, a known side effect of paclitaxel.', 'en', 'peripheral_neuropathy')).toBe(true);
    expect(present('Neutropenie Grad 3 seit Zyklus 2.', 'de', 'neutropenia')).toBe(true);
  });

  it('"considered" hedges a diagnosis unless it qualifies a known one', () => {
    expect(present('PE considered given tachycardia.', 'en', 'pulmonary_embolism')).toBe(false);
    expect(present('Ovarian cancer considered platinum-sensitive.', 'en', 'ovarian_cancer')).toBe(true);
  });
});

describe('a relative who labels a line owns that line', () => {
  it.each([
    ['en', 'Sister, 50 - breast cancer at 44', 'breast_cancer'],
    ['en', 'Maternal aunt (Jane): ovarian cancer in her sixties', 'ovarian_cancer'],
    ['de', 'Schwester (50): Mammakarzinom mit 44', 'breast_cancer'],
    ['de', 'Tante mütterlicherseits, 70 J. - Ovarialkarzinom', 'ovarian_cancer'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s"', (lang, text, concept) => {
    expect(assertionsOf(extract(text, lang), concept)).toEqual(['family']);
  });

  it('a relative inside a sentence does not own the next clause after a colon', () => {
    expect(present('Seen with her sister today. Diagnosis: ovarian cancer, FIGO IIIC.', 'en', 'ovarian_cancer')).toBe(true);
  });
});

describe('line breaks and query marks', () => {
  it('a list that wraps after a spaced dash stays in its consent sentence', () => {
    const text = 'Aufklärung (erneut): Risiken unter Carboplatin/Paclitaxel -\nKnochenmarkdepression mit Neutropenie, Polyneuropathie.';
    const fs = extract(text, 'de');
    expect(isPresent(fs, 'neutropenia')).toBe(false);
    expect(isPresent(fs, 'peripheral_neuropathy')).toBe(false);
  });

  it('a parenthesis wrapped onto the next line belongs to the instruction before it', () => {
    expect(present('Advised to attend the emergency department with any fever\n(risk of febrile neutropenia).', 'en', 'febrile_neutropenia')).toBe(false);
    expect(present('Bei Fieber sofort in die Notaufnahme\n(febrile Neutropenie möglich).', 'de', 'febrile_neutropenia')).toBe(false);
  });

  it('"? PE" and "?Lungenembolie" query the concept after the mark', () => {
    expect(present('Plan: CTPA ? PE.', 'en', 'pulmonary_embolism')).toBe(false);
    expect(present('CT-Angio ?Lungenembolie', 'de', 'pulmonary_embolism')).toBe(false);
    expect(present('Any chest pain? Pulmonary embolism confirmed on CTPA yesterday.', 'en', 'pulmonary_embolism')).toBe(true);
  });
});

describe('a short post-negation and a dash before a plan', () => {
  it('a short post-negation still reaches across a comma to a list before it (precision first)', () => {
    expect(present('Aszites, Pleuraerguss: nein.', 'de', 'ascites')).toBe(false);
    expect(present('Ascites, effusion: none.', 'en', 'ascites')).toBe(false);
  });

  it('a label answered by a risk, screening or prophylaxis is not a finding ("Brustkrebs: Risiko 70 %", "DVT - prophylaxis")', () => {
    expect(present('Brustkrebs: Risiko bis 80 J. ca. 70 %', 'de', 'breast_cancer')).toBe(false);
    expect(present('Breast cancer - screening from 30 with annual MRI', 'en', 'breast_cancer')).toBe(false);
    expect(present('DVT - prophylaxis with enoxaparin', 'en', 'deep_vein_thrombosis')).toBe(false);
    expect(present('Hypertension - no.', 'en', 'hypertension')).toBe(false);
    expect(assertionsOf(extract('Breast Ca - sister.', 'en'), 'breast_cancer')).toEqual(['family']);
  });
});

describe('checklists: a short answer after a dot leader, colon or dash answers its whole label', () => {
  const checklist = 'Exclusion criteria check:\n  Recent DVT or PE in the last 3 months ........ NO\n  Uncontrolled hypertension .................. NO (blood pressure fine on ramipril)\n  Pregnancy .................................. NO';
  it('EN: the criterion answered NO is negated, the explanation in brackets is not', () => {
    const fs = extract(checklist, 'en');
    expect(isPresent(fs, 'deep_vein_thrombosis')).toBe(false);
    expect(isPresent(fs, 'pulmonary_embolism')).toBe(false);
  });

  it('DE: "Aszites in der heutigen Sonographie: nein" and a leader', () => {
    expect(present('Aszites in der heutigen Sonographie: nein', 'de', 'ascites')).toBe(false);
    expect(present('Lungenembolie in den letzten 6 Monaten ........ nein', 'de', 'pulmonary_embolism')).toBe(false);
  });

  it('an answer followed by its explanation does not negate the explanation', () => {
    expect(present('Neuropathy grade 2 or more ....... NO (grade 1 peripheral neuropathy present)', 'en', 'peripheral_neuropathy')).toBe(true);
  });

  it('a dash inside a sentence is not an answer: "Ovarian cancer - no further chemotherapy" keeps the cancer', () => {
    expect(present('Ovarian cancer - no further chemotherapy planned.', 'en', 'ovarian_cancer')).toBe(true);
  });
});

describe('criteria, low concern, refuted entries and prophylaxis', () => {
  it.each([
    ['en', 'Creatinine rose slightly but does not meet KDIGO criteria for acute kidney injury.', 'acute_kidney_injury'],
    ['en', 'Soft abdomen, passing flatus - low concern for bowel obstruction.', 'bowel_obstruction'],
    ['en', 'Problem list shows type 2 diabetes - patient says this is wrong, never on treatment.', 'diabetes_type2'],
    ['en', 'DVT ppx with enoxaparin during admission.', 'deep_vein_thrombosis'],
    ['de', 'Die Kriterien eines akuten Nierenversagens sind nicht erfüllt.', 'acute_kidney_injury'],
    ['de', 'Der Verlauf spricht gegen eine Lungenembolie.', 'pulmonary_embolism'],
    ['de', 'Bei Fieber über 38 °C Notfallvorstellung (febrile Neutropenie!).', 'febrile_neutropenia'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" gives no present %s', (lang, text, concept) => {
    expect(present(text, lang, concept)).toBe(false);
  });
});

describe('probability statements, primary prophylaxis, monitoring and emergency numbers', () => {
  it.each([
    ['en', 'The probability that she will develop ovarian cancer by 80 is about 40%.', 'ovarian_cancer'],
    ['en', 'Thyroid function to be monitored for immune-related hypothyroidism.', 'hypothyroidism'],
    ['en', 'Temperature 38 or above: call the chemo hotline (febrile neutropenia).', 'febrile_neutropenia'],
    ['de', 'Pegfilgrastim zur Primärprophylaxe der Neutropenie.', 'neutropenia'],
    ['de', 'Bei plötzlicher Luftnot Notruf 112 (Lungenembolie).', 'pulmonary_embolism'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" gives no present %s', (lang, text, concept) => {
    expect(present(text, lang, concept)).toBe(false);
  });
});

describe('risk models, generic classes of people and worries are not the patient\'s findings', () => {
  it.each([
    ['en', 'BRCA1 and BRCA2 are breast cancer susceptibility genes.', 'breast_cancer'],
    ['en', 'The BOADICEA model estimates a 10-year breast cancer risk of 5%.', 'breast_cancer'],
    ['en', 'Genetic testing is offered to women with ovarian cancer regardless of family history.', 'ovarian_cancer'],
    ['en', 'She is worried about getting breast cancer.', 'breast_cancer'],
    ['de', 'Eine Testung wird allen Frauen mit Ovarialkarzinom angeboten.', 'ovarian_cancer'],
    ['de', 'Mutationsträgerinnen erkranken häufiger an Brustkrebs.', 'breast_cancer'],
    ['de', 'Sie hat Angst vor Brustkrebs.', 'breast_cancer'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" gives no present %s', (lang, text, concept) => {
    expect(present(text, lang, concept)).toBe(false);
  });

  it('the patient with the disease is still present ("Patientin mit Ovarialkarzinom")', () => {
    expect(present('72-jährige Patientin mit Ovarialkarzinom FIGO IIIC.', 'de', 'ovarian_cancer')).toBe(true);
    expect(present('61-year-old woman with ovarian cancer, FIGO IIIC.', 'en', 'ovarian_cancer')).toBe(true);
  });
});

// issue 13, grown tune split: a negation that belongs to what follows it, and a comma item opened by an amount
describe('a negation of a property or of the next word leaves the finding before it', () => {
  it.each([
    ['de', 'Anämie Grad 1, nicht transfusionspflichtig.', 'anemia'],
    ['en', 'Mild anaemia, not requiring transfusion.', 'anemia'],
    ['de', 'Mäßige Anämie, keine Transfusion erforderlich.', 'anemia'],
    ['en', 'Anaemia, no transfusion needed.', 'anemia'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" keeps %s present', (lang, text, concept) => {
    expect(present(text, lang, concept)).toBe(true);
  });

  it.each([
    ['de', 'Aszites: keine.'],
    ['en', 'Pleural effusion: none seen.'],
    ['de', 'Pleuraerguss: kein Erguss darstellbar.'],
    ['en', 'Ascites - no free fluid.'],
  ] as Array<['en' | 'de', string]>)('%s an answer still negates: "%s"', (lang, text) => {
    const fs = extract(text, lang);
    expect(fs.filter((f) => f.kind === 'condition').every((f) => f.assertion === 'negated')).toBe(true);
  });

  it.each([
    ['de', 'Sonographie: kein Pleuraerguss, wenig Aszites im Douglas.'],
    ['en', 'No pleural effusion, some ascites in the pelvis.'],
  ] as Array<['en' | 'de', string]>)('%s a comma item opened by an amount is a new finding: "%s"', (lang, text) => {
    const fs = extract(text, lang);
    expect(assertionsOf(fs, 'pleural_effusion')).toEqual(['negated']);
    expect(present(text, lang, 'ascites')).toBe(true);
  });
});

describe('a histological type between the site and "carcinoma" names the site\'s cancer; agranulocytosis is neutropenia', () => {
  it.each([
    ['en', 'Started carboplatin for a right ovarian endometrioid carcinoma.', 'ovarian_cancer'],
    ['en', 'Left ovarian clear cell carcinoma, FIGO IA.', 'ovarian_cancer'],
    ['de', 'Ovarielles klarzelliges Karzinom links, FIGO IC1.', 'ovarian_cancer'],
    ['en', 'Agranulocytosis after the second cycle of carboplatin.', 'neutropenia'],
    ['de', 'Agranulozytose nach dem zweiten Zyklus Carboplatin.', 'neutropenia'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" → %s', (lang, text, concept) => {
    expect(present(text, lang, concept)).toBe(true);
  });
});

describe('a one-word trigger matches one word, never the pieces of a unit or code', () => {
  it.each([
    ['en', 'Paclitaxel 80 mg/m2 weekly for ovarian cancer.', 'ovarian_cancer'],
    ['en', 'Docetaxel 75 mg/m² given; known breast cancer.', 'breast_cancer'],
    ['de', 'Paclitaxel 175 mg/m2 bei Ovarialkarzinom.', 'ovarian_cancer'],
  ] as Array<['en' | 'de', string, string]>)('%s "%s" keeps %s present', (lang, text, concept) => {
    expect(assertionsOf(extract(text, lang), concept)).toEqual(['present']);
  });

  it('the abbreviation itself still marks a relative', () => {
    expect(assertionsOf(extract('FHx: MGM breast cancer at 61.', 'en'), 'breast_cancer')).toEqual(['family']);
  });
});
