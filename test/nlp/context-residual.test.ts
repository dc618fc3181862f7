/**
 * Assertion rules from the tune-H notes and the residual tune errors (issue 13): checklist answers followed by a comment
 * or wrapped onto the next line, visit-type words ("surveillance", "Vorsorge") that head findings, an answer to a question
 * that explains itself after a colon, a time word right after a relative, hanging-indent wraps, generic frequency
 * statements and German work-up infinitives.
 */
import fc from 'fast-check';
import { assertionsOf, extract, isPresent } from './helpers';

const en = (text: string) => extract(text, 'en');
const de = (text: string) => extract(text, 'de');

const findingsEn = fc.constantFrom(['ascites', 'ascites'], ['pleural effusion', 'pleural_effusion'], ['peripheral neuropathy', 'peripheral_neuropathy'],
  ['bowel obstruction', 'bowel_obstruction'], ['hypertension', 'hypertension'], ['pulmonary embolism', 'pulmonary_embolism']);
const findingsDe = fc.constantFrom(['Aszites', 'ascites'], ['Pleuraerguss', 'pleural_effusion'], ['Polyneuropathie', 'peripheral_neuropathy'],
  ['Lungenembolie', 'pulmonary_embolism'], ['Lebermetastasen', 'liver_metastasis']);

describe('a checklist answer before a comment answers its label, and only its label', () => {
  it('"<label>: no - <comment about the same finding>": the label is denied, the comment stands', () => {
    const fs = en('- Clinically significant ascites requiring paracentesis in last\n   4 wks: no - trace ascites only on CT');
    expect(assertionsOf(fs, 'ascites')).toEqual(['negated', 'present']);
    expect(fs.find((f) => f.concept === 'ascites' && f.assertion === 'negated')?.offset).toBe(fs.find((f) => f.concept === 'ascites')?.offset);
  });

  it('"Grade >1 neuropathy: NO - has grade 1 CIPN" keeps the grade 1 neuropathy', () => {
    expect(isPresent(en('- Grade >1 peripheral neuropathy: NO - has grade 1 CIPN from paclitaxel, stable'), 'peripheral_neuropathy')).toBe(true);
  });

  it('any finding, any one-word answer, any comment: the label is never present', () => {
    const answers = fc.constantFrom('no', 'NO', 'none', 'No');
    const comments = fc.constantFrom('see CT report', 'checked today', 'per patient', 'confirmed by GP');
    fc.assert(fc.property(findingsEn, answers, comments, fc.boolean(), ([term, concept], answer, comment, wrap) => {
      const label = wrap ? `- Clinically significant ${term} in the last\n   4 weeks` : `- ${term[0].toUpperCase()}${term.slice(1)} within 3 months`;
      expect(isPresent(en(`${label}: ${answer} - ${comment}`), concept)).toBe(false);
    }), { numRuns: 80 });
  });

  it('a line break after punctuation starts another item: the answer does not reach back past it', () => {
    expect(isPresent(en('Ascites on CT,\nHTN: no'), 'ascites')).toBe(true);
  });
});

describe('"surveillance", "screening", "Vorsorge" name what the noun before them is for, nothing else', () => {
  it.each([
    'Surveillance: CT 12/2025 shows new ascites and peritoneal nodules.',
    'Surveillance:\nCT shows new ascites.',
    'Small ascites, surveillance CT in 3 months.',
    'Screening:\n- ascites on CT',
  ])('present: %j', (text) => {
    expect(isPresent(en(text), 'ascites')).toBe(true);
  });

  it.each([
    'BRCA1 carrier. Ovarian cancer surveillance with CA-125.',
    'Ovarian cancer screening is not offered.',
    'Screening for ovarian cancer offered.',
  ])('not present: %j', (text) => {
    expect(isPresent(en(text), 'ovarian_cancer')).toBe(false);
  });

  it('a dash still makes it the answer to a label: "Breast cancer - screening from 30" is a plan', () => {
    expect(isPresent(en('Breast cancer - screening from 30 with annual MRI.'), 'breast_cancer')).toBe(false);
  });

  it('DE: "Aszites, Vorsorge beim Hausarzt" keeps the ascites; "Brustkrebs-Vorsorge" is no cancer', () => {
    expect(isPresent(de('Aszites, Vorsorge beim Hausarzt.'), 'ascites')).toBe(true);
    expect(isPresent(de('Brustkrebs Vorsorge jährlich.'), 'breast_cancer')).toBe(false);
  });

  it('under a "Surveillance:" heading any finding of the visit is present', () => {
    fc.assert(fc.property(findingsEn, fc.constantFrom('Surveillance', 'Screening', 'SURVEILLANCE'), fc.boolean(), ([term, concept], head, ownLine) => {
      expect(isPresent(en(`${head}:${ownLine ? '\n' : ' '}CT today shows ${term}.`), concept)).toBe(true);
    }), { numRuns: 60 });
  });
});

describe('an answer to a question explains itself after a colon', () => {
  it('"…? - nein: Pat. selbst mit Mammakarzinom" is the patient\'s own cancer', () => {
    expect(isPresent(de('Anlass: gesundes Indexmitglied? - nein: Pat. selbst\nmit Mammakarzinom rechts (ED 2021).'), 'breast_cancer')).toBe(true);
  });
  it('a negation label still covers its list', () => {
    expect(isPresent(en('Ruled out: pulmonary embolism, DVT.'), 'pulmonary_embolism')).toBe(false);
    expect(isPresent(de('Ausgeschlossen: Lungenembolie.'), 'pulmonary_embolism')).toBe(false);
  });
});

describe('a time word right after a relative dates the relative\'s event', () => {
  it('any relative, any time word: the disease stays the relative\'s', () => {
    const relatives = fc.constantFrom('Schwester', 'Mutter', 'Tante');
    const times = fc.constantFrom('jetzt', 'aktuell', 'derzeit');
    fc.assert(fc.property(relatives, times, findingsDe, fc.integer({ min: 2020, max: 2026 }), (relative, time, [term, concept], year) => {
      expect(assertionsOf(de(`Familienanamnese ergänzt: ${relative} ${time} (${year}) an ${term} erkrankt.`), concept)).toEqual(['family']);
    }), { numRuns: 60 });
  });
  it('EN: "her sister now has breast cancer"', () => {
    expect(isPresent(en('FHx update: her sister now has breast cancer, age 45.'), 'breast_cancer')).toBe(false);
  });
});

describe('line wraps', () => {
  it('a hanging indent under a long line continues its list (trial exclusions)', () => {
    const fs = de('- Studieneinschluss? Ausschlusskriterien der Studie: aktive\n  Lungenembolie / TVT innerhalb 6 Monate, Ileus, Aszites > 500 ml.\n  Trifft aktuell alles nicht zu.');
    for (const c of ['pulmonary_embolism', 'bowel_obstruction', 'ascites']) expect([c, isPresent(fs, c)]).toEqual([c, false]);
  });
  it('a short heading over an indented line does not join it', () => {
    expect(assertionsOf(en('Family history\n  Mother - alive, 79. Diagnosed with breast cancer aged 52.'), 'breast_cancer')).toEqual(['family']);
  });
  it('"V.a. beginnenden\\nAszites" is one phrase', () => {
    expect(assertionsOf(de('Sonografie: V.a. beginnenden\nAszites; Leber unauffällig.'), 'ascites')).toEqual(['possible']);
  });
});

describe('trigger lists (data)', () => {
  it.each([
    ['en', 'Calf swelling: none - DVT not suspected.', 'deep_vein_thrombosis'],
    ['en', 'Exclusions: prior malignancy, uncontrolled hypertension, active PE/DVT, bowel obstruction.', 'hypertension'],
    ['en', 'Exclusions: prior malignancy, uncontrolled hypertension, active PE/DVT, bowel obstruction.', 'bowel_obstruction'],
    ['en', 'Explained that lung metastases are uncommon at her stage.', 'lung_metastasis'],
    ['en', 'Primary peritoneal carcinoma remains a small residual risk after RRSO.', 'peritoneal_cancer'],
    ['en', 'Reminded re DVT symptoms despite anticoagulation.', 'deep_vein_thrombosis'],
    ['de', 'Histologie: primäres Peritonealkarzinom fraglich, da beide Tuben infiltriert.', 'peritoneal_cancer'],
    ['de', '2. Leberherd: Metastase ausschließen vor Therapieentscheidung (MRT)?', 'liver_metastasis'],
    ['de', 'Beratungsinhalt: Erläuterung HBOC-Syndrom, autosomal-dominanter Erbgang.', 'hboc_syndrome'],
  ] as const)('%s: %j gives no present %s', (lang, text, concept) => {
    expect(isPresent(extract(text, lang), concept)).toBe(false);
  });
});

describe('a query before the concept, uncertainty and denial wording (second batch)', () => {
  it.each([
    ['en', 'TSH slightly raised, ?subclinical hypothyroidism.', 'hypothyroidism'],
    ['en', 'Small lung nodules of uncertain significance, ?metastases.', 'lung_metastasis'],
    ['en', 'Equivocal small volume ascites.', 'ascites'],
    ['en', 'Working diagnosis: ovarian cancer (not yet confirmed).', 'ovarian_cancer'],
    ['en', 'Wells score low; PE not likely.', 'pulmonary_embolism'],
    ['en', 'Lung metastases have not been demonstrated.', 'lung_metastasis'],
    ['en', 'Referred for genetic testing for HBOC syndrome.', 'hboc_syndrome'],
    ['en', 'Monitor BP for bevacizumab-induced hypertension.', 'hypertension'],
    ['de', 'Vorsorge Mammakarzinom jährlich.', 'breast_cancer'],
  ] as const)('%s: %j gives no present %s', (lang, text, concept) => {
    expect(isPresent(extract(text, lang), concept)).toBe(false);
  });

  it.each([
    ['de', 'Aszites, fraglich zunehmend.', 'ascites'],
    ['de', 'Lebermetastasen Segment VI, fraglich neu aufgetreten.', 'liver_metastasis'],
    ['de', 'Vorsorge: Ovarialkarzinom links ED 2024, unter Olaparib.', 'ovarian_cancer'],
    ['en', 'Hypertension, on amlodipine; monitor BP.', 'hypertension'],
    ['en', 'Moderate ascites with known peritoneal disease.', 'peritoneal_metastasis'],
    ['de', 'Aszites bei bekannter Peritonealkarzinose.', 'peritoneal_metastasis'],
  ] as const)('%s: %j stays present: %s', (lang, text, concept) => {
    expect(isPresent(extract(text, lang), concept)).toBe(true);
  });

  it('a "?" one or two modifiers before any finding asks it', () => {
    const modifiers = fc.constantFrom('early', 'small', 'subclinical', 'early small', 'trace');
    fc.assert(fc.property(findingsEn, modifiers, fc.constantFrom('?', '? '), ([term, concept], modifier, q) => {
      expect(isPresent(en(`CT reviewed. ${q}${modifier} ${term}.`), concept)).toBe(false);
    }), { numRuns: 60 });
  });

  it('"fraglich" after a comma qualifies what follows it, not the finding before', () => {
    fc.assert(fc.property(findingsDe, fc.constantFrom('zunehmend', 'neu aufgetreten', 'größenprogredient'), ([term, concept], rest) => {
      expect(isPresent(de(`${term}, fraglich ${rest}.`), concept)).toBe(true);
      expect(isPresent(de(`${term} fraglich.`), concept)).toBe(false);
    }), { numRuns: 40 });
  });
});

describe('structured answers: grade 0, "kein Nachweis", negative labels', () => {
  it('a toxicity graded 0 is absent, any finding, either language', () => {
    fc.assert(fc.property(fc.constantFrom(['en', 'grade 0'], ['en', 'CTCAE grade 0'], ['de', 'Grad 0'], ['de', 'CTCAE Grad 0']), fc.constantFrom(': ', ' '),
      fc.constantFrom(['peripheral neuropathy', 'Polyneuropathie', 'peripheral_neuropathy'], ['neutropenia', 'Neutropenie', 'neutropenia'], ['anaemia', 'Anämie', 'anemia']),
      ([lang, grade], sep, [termEn, termDe, concept]) => {
        const term = lang === 'en' ? termEn : termDe;
        expect(isPresent(extract(`${term[0].toUpperCase()}${term.slice(1)}${sep}${grade}`, lang), concept)).toBe(false);
      }), { numRuns: 60 });
  });

  it.each([
    ['en', 'Negatives: ascites, effusion, lymphadenopathy.', 'ascites'],
    ['de', 'Ausgeschlossen wurden:\n- Aszites\n- Pleuraerguss', 'ascites'],
    ['de', 'Ausgeschlossen wurden:\n- Aszites\n- Pleuraerguss', 'pleural_effusion'],
    ['de', 'Freie Flüssigkeit/Aszites: kein Nachweis', 'ascites'],
  ] as const)('%s: %j gives no present %s', (lang, text, concept) => {
    expect(isPresent(extract(text, lang), concept)).toBe(false);
  });

  it('a graded toxicity above 0 and a finding before a comma stay present', () => {
    expect(isPresent(en('Neuropathy grade 1, stable.'), 'peripheral_neuropathy')).toBe(true);
    expect(isPresent(de('Lebermetastasen, kein Nachweis von Aszites.'), 'liver_metastasis')).toBe(true);
  });
});

describe('a toxicity graded with one CTCAE grade is the patient\'s, under any list or heading', () => {
  it.each([
    ['en', 'Toxicity: neuropathy G1, fatigue G2.', 'peripheral_neuropathy'],
    ['en', 'Side effects: neuropathy grade 1, nausea.', 'peripheral_neuropathy'],
    ['en', 'Side effects:\n- neuropathy grade 2\n- nausea', 'peripheral_neuropathy'],
    ['de', 'Toxizität: Neutropenie Grad 0, Anämie Grad 1', 'anemia'],
  ] as const)('%s: %j is present: %s', (lang, text, concept) => {
    expect(isPresent(extract(text, lang), concept)).toBe(true);
  });

  it('a range, threshold or rate of grades is what may happen', () => {
    const grades = fc.constantFrom('grade 3-4', 'grade 3 - 4', 'grade 3/4', 'grade 2 or higher', 'grade 3+', 'grade 3 in 20%');
    fc.assert(fc.property(grades, fc.constantFrom('Risks', 'Side effects', 'Possible toxicities'), (grade, label) => {
      expect(isPresent(en(`${label}: neutropenia ${grade}, nausea.`), 'neutropenia')).toBe(false);
    }), { numRuns: 40 });
  });
});

describe('a finding followed by a threshold is the condition of a rule', () => {
  it('any finding, comparator and number: no present Condition', () => {
    fc.assert(fc.property(fc.constantFrom(['en', 'neutropenia', 'neutropenia'], ['de', 'Neutropenie', 'neutropenia'], ['en', 'anaemia', 'anemia'], ['de', 'Anämie', 'anemia']),
      fc.constantFrom('<', '>', '≤', '<='), fc.integer({ min: 1, max: 20 }), ([lang, term, concept], cmp, n) => {
        expect(isPresent(extract(`Dose delay rules: ${term} ${cmp} ${n} -> delay 1 week.`, lang), concept)).toBe(false);
      }), { numRuns: 60 });
  });
  it('a measured value in brackets after the finding is no threshold', () => {
    expect(isPresent(en('Febrile neutropenia (ANC < 0.5) on day 10, admitted.'), 'febrile_neutropenia')).toBe(true);
    expect(isPresent(en('Neutropenia G3 (ANC 0.8).'), 'neutropenia')).toBe(true);
  });
});

describe('in a plan, what a treatment is for is the patient\'s', () => {
  it.each([
    ['en', 'Plan: carboplatin for her ovarian cancer.', 'ovarian_cancer'],
    ['en', 'Plan: paracentesis for tense ascites today.', 'ascites'],
    ['en', 'Recommendation: NACT for stage IV ovarian cancer.', 'ovarian_cancer'],
    ['de', 'Procedere: Carboplatin bei Ovarialkarzinom.', 'ovarian_cancer'],
    ['de', 'Empfehlung: neoadjuvante Chemotherapie bei Ovarialkarzinom FIGO IV.', 'ovarian_cancer'],
  ] as const)('%s: %j is present: %s', (lang, text, concept) => {
    expect(isPresent(extract(text, lang), concept)).toBe(true);
  });

  it('work-up, prophylaxis and a conditional plan stay what they were', () => {
    for (const [text, concept] of [['Plan: duplex for DVT.', 'deep_vein_thrombosis'], ['Plan: CTPA for PE.', 'pulmonary_embolism'],
      ['Plan: anticoagulation for DVT if duplex positive.', 'deep_vein_thrombosis'], ['Plan: anticoagulation for possible DVT.', 'deep_vein_thrombosis']] as const) {
      expect([text, isPresent(en(text), concept)]).toEqual([text, false]);
    }
    expect(isPresent(de('Empfehlung: Antikoagulation bei TVT, falls Duplex positiv.'), 'deep_vein_thrombosis')).toBe(false);
  });

  it('any treatment word of the list and a reason preposition, any finding', () => {
    const treatments = fc.constantFrom('carboplatin', 'paracentesis', 'transfusion', 'anticoagulation', 'treatment');
    fc.assert(fc.property(treatments, findingsEn, fc.constantFrom('Plan', 'Recommendation'), (treatment, [term, concept], head) => {
      expect(isPresent(en(`${head}: ${treatment} for ${term}.`), concept)).toBe(true);
    }), { numRuns: 60 });
  });
});

describe('form checkboxes: the ticked box answers the item on its line', () => {
  const lines = fc.constantFrom(
    ['[ ] yes  [x] no', false], ['[x] yes  [ ] no', true], ['[ ] no  [x] yes', true], ['[x] no  [ ] yes', false],
    ['yes [ ] no [x]', false], ['yes [x] no [ ]', true], ['☐ yes ☒ no', false], ['☒ yes ☐ no', true], ['(x) no', false],
  );
  it('any finding, any box layout, either order', () => {
    fc.assert(fc.property(findingsEn, lines, fc.constantFrom(': ', '   '), ([term, concept], [answer, present], sep) => {
      expect(isPresent(en(`${term[0].toUpperCase()}${term.slice(1)}${sep}${answer}`), concept)).toBe(present);
    }), { numRuns: 80 });
  });
  it('each item on a line takes only its own boxes', () => {
    const fs = en('Ascites [x] no   Pleural effusion [x] yes');
    expect(isPresent(fs, 'ascites')).toBe(false);
    expect(isPresent(fs, 'pleural_effusion')).toBe(true);
  });
  it('DE: "Aszites: [ ] nein [x] ja" is present, "[x] nein [ ] ja" is not', () => {
    expect(isPresent(de('Aszites: [ ] nein [x] ja'), 'ascites')).toBe(true);
    expect(isPresent(de('Aszites: [x] nein [ ] ja'), 'ascites')).toBe(false);
  });
});

describe('denials written as "never been" and "rather than"', () => {
  it.each([
    ['She has never been hypertensive.', 'hypertension', false],
    ['The liver lesion represents a haemangioma rather than a metastasis.', 'liver_metastasis', false],
    ['The fluid is ascites rather than a pleural effusion.', 'ascites', true],
  ] as const)('%j: present %s = %s', (text, concept, present) => {
    expect(isPresent(en(text), concept)).toBe(present);
  });
});
