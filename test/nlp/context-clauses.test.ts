/**
 * Clause rules added on tune-F (issue 13): coordinated subjects of a post-negation, a suspicion answered by a clause
 * without its own subject, a relative who speaks of herself, trigger labels with filler words, "?" before a headed
 * mention, German noun phrases wrapped after their adjective, counselling labels ending on a topic preposition.
 * Sentences are our own, not the corpus wording.
 */
import fc from 'fast-check';
import { assertionsOf, extract, isPresent } from './helpers';

const en = (text: string, concept: string): string[] => assertionsOf(extract(text, 'en'), concept);
const de = (text: string, concept: string): string[] => assertionsOf(extract(text, 'de'), concept);

describe('a post-negation after coordinated findings denies each of them', () => {
  it.each([
    ['Liver metastases and ascites were excluded on the staging CT.', ['liver_metastasis', 'ascites']],
    ['Pleural effusion or ascites was not identified on today\'s ultrasound.', ['pleural_effusion', 'ascites']],
  ])('EN "%s"', (text, concepts) => {
    for (const c of concepts) expect([c, en(text, c)]).toEqual([c, ['negated']]);
  });

  it.each([
    ['Eine Lebermetastase oder eine Peritonealkarzinose wurden in der Bildgebung ausgeschlossen.', ['liver_metastasis', 'peritoneal_metastasis']],
    ['Pleuraerguss sowie Aszites waren bei der letzten Kontrolle nicht nachweisbar.', ['pleural_effusion', 'ascites']],
  ])('DE "%s"', (text, concepts) => {
    for (const c of concepts) expect([c, de(text, c)]).toEqual([c, ['negated']]);
  });

  it('replayed property case: "as well as" joins the pair when the predicate closes the clause', () => {
    for (const c of ['ascites', 'pleural_effusion']) expect([c, en('Ascites as well as pleural effusion were excluded.', c)]).toEqual([c, ['negated']]);
  });

  it('a finding in its own clause before the coordinated pair keeps its assertion', () => {
    expect(isPresent(extract('Known ascites, liver metastases and pleural effusion were excluded.', 'en'), 'ascites')).toBe(true);
    expect(isPresent(extract('Bekannter Aszites; Lebermetastasen und Pleuraerguss wurden ausgeschlossen.', 'de'), 'ascites')).toBe(true);
  });

  const EN_TERMS: Array<[string, string]> = [['ascites', 'ascites'], ['pleural effusion', 'pleural_effusion'], ['liver metastases', 'liver_metastasis'], ['bowel obstruction', 'bowel_obstruction']];
  const DE_TERMS: Array<[string, string]> = [['Aszites', 'ascites'], ['Pleuraerguss', 'pleural_effusion'], ['Lebermetastasen', 'liver_metastasis'], ['Ileus', 'bowel_obstruction']];
  it('property: "X <coordinator> Y <predicate>." never leaves X or Y present (EN and DE)', () => {
    fc.assert(fc.property(
      fc.constantFrom<'en' | 'de'>('en', 'de'), fc.nat(3), fc.nat(3), fc.nat(2), fc.nat(2),
      (lang, i, k, c, p) => {
        fc.pre(i !== k);
        const terms = lang === 'en' ? EN_TERMS : DE_TERMS;
        const coord = lang === 'en' ? ['and', 'or', 'as well as'][c] : ['und', 'oder', 'sowie ein'][c];
        // the predicate closes its clause: only then does it reach back past its window (clauseReach)
        const pred = lang === 'en' ? ['were excluded', 'were ruled out', 'were not seen'][p] : ['wurden im CT ausgeschlossen', 'waren nicht nachweisbar', 'ließen sich nicht nachweisen'][p];
        const fs = extract(`${terms[i][0]} ${coord} ${terms[k][0]} ${pred}.`, lang);
        expect([terms[i][1], isPresent(fs, terms[i][1])]).toEqual([terms[i][1], false]);
        expect([terms[k][1], isPresent(fs, terms[k][1])]).toEqual([terms[k][1], false]);
      }), { numRuns: 60 });
  });
});

describe('a suspicion answered by the next clause, without a subject of its own', () => {
  it.each([
    ['?DVT left calf; thought unlikely after a normal duplex.', 'deep_vein_thrombosis'],
    ['Suspected AKI; not confirmed on repeat creatinine.', 'acute_kidney_injury'],
    ['Possible bowel obstruction, but considered unlikely given normal bowel sounds.', 'bowel_obstruction'],
  ])('EN "%s" is negated', (text, concept) => expect(en(text, concept)).toEqual(['negated']));

  it.each([
    ['V.a. Lungenembolie, als unwahrscheinlich eingeschätzt bei normalem D-Dimer.', 'pulmonary_embolism'],
    ['Verdacht auf Lungenembolie, jedoch nicht wahrscheinlich.', 'pulmonary_embolism'],
  ])('DE "%s" is negated', (text, concept) => expect(de(text, concept)).toEqual(['negated']));

  it('a negation that determines the next finding answers nothing: "?PE, no DVT"', () => {
    expect(en('?PE, no DVT on duplex.', 'pulmonary_embolism')).toEqual(['possible']);
    expect(de('V.a. Lungenembolie; keine Thrombose der Beinvenen.', 'pulmonary_embolism')).toEqual(['possible']);
  });
});

describe('a relative who reports about herself', () => {
  it('"she herself" / "sie selbst" after the relative\'s reporting verb is the relative', () => {
    expect(en('Her sister says she herself had a DVT after her caesarean.', 'deep_vein_thrombosis')).toEqual(['family']);
    expect(de('Die Schwester berichtet, sie selbst habe 2021 eine Lungenembolie gehabt.', 'pulmonary_embolism')).toEqual(['family']);
  });
  it('a plain "she" after a relative\'s report is the patient', () => {
    expect(isPresent(extract('Her sister says she has had ascites since Monday.', 'en'), 'ascites')).toBe(true);
  });
});

describe('a post-trigger that labels its list through filler words', () => {
  it('EN "risks once more:" and DE "Nebenwirkungen nochmals:" cover their list', () => {
    const fs = extract('Reviewed carboplatin risks once more: neutropenia, AKI and DVT.', 'en');
    for (const c of ['neutropenia', 'acute_kidney_injury', 'deep_vein_thrombosis']) expect([c, isPresent(fs, c)]).toEqual([c, false]);
    expect(isPresent(extract('Nebenwirkungen nochmals: Thrombose, Polyneuropathie.', 'de'), 'peripheral_neuropathy')).toBe(false);
  });
  it('a label of real toxicities stays present, and "DD Dyspnoe:" stays a differential (hypothetical)', () => {
    expect(isPresent(extract('Toxicities so far: peripheral neuropathy grade 1.', 'en'), 'peripheral_neuropathy')).toBe(true);
    expect(de('DD Dyspnoe: Lungenembolie, Pleuraerguss.', 'pulmonary_embolism')).toEqual(['hypothetical']);
  });
});

describe('labels and headed mentions', () => {
  it('a "?" before a lesion headed by its diagnosis asks about the diagnosis', () => {
    expect(en('?Lung nodule - metastasis or granuloma?', 'lung_metastasis')).toEqual(['possible']);
    expect(de('?Leberläsion - Metastase oder Zyste?', 'liver_metastasis')).toEqual(['possible']);
  });
  it('a counselling label ending on a topic preposition is a counselling section', () => {
    const fs = extract('Counselling again regarding: DVT, PE, bowel obstruction.', 'en');
    for (const c of ['deep_vein_thrombosis', 'pulmonary_embolism', 'bowel_obstruction']) expect([c, isPresent(fs, c)]).toEqual([c, false]);
    const ds = extract('Aufklärung nochmals zu: Lungenembolie, Ileus.', 'de');
    for (const c of ['pulmonary_embolism', 'bowel_obstruction']) expect([c, isPresent(ds, c)]).toEqual([c, false]);
  });
  it('"not established" / "nicht gesichert" deny a syndrome', () => {
    expect(en('Hereditary breast and ovarian cancer syndrome is thus not established.', 'hboc_syndrome')).toEqual(['negated']);
    expect(de('Ein erbliches Brust- und Eierstockkrebssyndrom ist damit nicht gesichert.', 'hboc_syndrome')).toEqual(['negated']);
    expect(en('Lung metastases not considered likely on the PET.', 'lung_metastasis')).toEqual(['negated']);
  });
});

describe('a German line that stops after an adjective runs on to its noun', () => {
  it('example: the post-negation on the next line reaches its subject', () => {
    expect(de('Ein Ovarialkarzinom ist nach histologischer\nAufarbeitung ausgeschlossen.', 'ovarian_cancer')).toEqual(['negated']);
  });
  it('a line that ends a sentence or a predicative adjective does not run on', () => {
    expect(isPresent(extract('Hypertonie, medikamentös gut eingestellt\nAszites seit Mai, punktiert.', 'de'), 'ascites')).toBe(true);
  });
  it('property: a break between article/preposition + adjective and the noun changes no assertion', () => {
    fc.assert(fc.property(
      fc.constantFrom('nach', 'bei', 'mit', 'einer', 'ohne'), fc.constantFrom('vollständiger', 'histologischen', 'erneuter', 'genauen'),
      fc.constantFrom('Aufarbeitung', 'Durchsicht', 'Diagnostik'), fc.constantFrom(['Lebermetastasen', 'liver_metastasis'], ['Aszites', 'ascites'], ['Ileus', 'bowel_obstruction']),
      (prep, adj, noun, [term, concept]) => {
        const one = `${term} wurde ${prep} ${adj} ${noun} ausgeschlossen.`;
        const wrapped = `${term} wurde ${prep} ${adj}\n${noun} ausgeschlossen.`;
        expect(de(wrapped, concept)).toEqual(de(one, concept));
      }), { numRuns: 50 });
  });
});

describe('diagnostic criteria named only to deny them', () => {
  it.each([
    ['en', 'Creatinine up from 70 to 98 but does not meet KDIGO AKI criteria.'],
    ['en', 'Criteria for AKI are not met.'],
    ['de', 'Kreatinin 1,3 mg/dl, AKI-Kriterien nicht erfüllt.'],
  ] as const)('%s "%s" denies the disease', (lang, text) => expect(assertionsOf(extract(text, lang), 'acute_kidney_injury')).toEqual(['negated']));

  it('a suspicion answered by denied criteria leaves no Condition; criteria met or merely named assert nothing', () => {
    expect(assertionsOf(extract('Lab request: ?AKI. Creatinine stable, does not meet KDIGO AKI criteria.', 'en'), 'acute_kidney_injury')).toEqual(['negated']);
    expect(assertionsOf(extract('Meets KDIGO AKI criteria today.', 'en'), 'acute_kidney_injury')).toEqual([]);
    expect(assertionsOf(extract('Die AKI-Kriterien sind erfüllt.', 'de'), 'acute_kidney_injury')).toEqual([]);
  });
});

describe('a suspicion answered by the next sentence on its line', () => {
  it.each([
    ['en', '?Pulmonary embolism. Felt unlikely given normal sats.', 'pulmonary_embolism'],
    ['en', 'Query DVT. Excluded on duplex today.', 'deep_vein_thrombosis'],
    ['de', 'V.a. Lungenembolie. Unwahrscheinlich bei normalem D-Dimer.', 'pulmonary_embolism'],
  ] as const)('%s "%s" is negated', (lang, text, concept) => expect(assertionsOf(extract(text, lang), concept)).toEqual(['negated']));

  it('a denial that labels its own list, opens a new line, or comes after another sentence answers nothing', () => {
    expect(assertionsOf(extract('?Pulmonary embolism. Excluded: DVT on duplex.', 'en'), 'pulmonary_embolism')).toEqual(['possible']);
    expect(assertionsOf(extract('?Pulmonary embolism.\nRuled out on CT last year, now new symptoms.', 'en'), 'pulmonary_embolism')).toEqual(['possible']);
    expect(assertionsOf(extract('?Pulmonary embolism. CTPA tomorrow. Excluded later.', 'en'), 'pulmonary_embolism')).toEqual(['possible']);
  });
});

describe('properties of the clause rules', () => {
  const CONCEPTS: Array<[string, string, string]> = [['pulmonary embolism', 'Lungenembolie', 'pulmonary_embolism'], ['ascites', 'Aszites', 'ascites'], ['bowel obstruction', 'Ileus', 'bowel_obstruction']];

  it('property: a suspicion whose next clause opens with a denial is never present', () => {
    fc.assert(fc.property(
      fc.constantFrom<'en' | 'de'>('en', 'de'), fc.constantFrom(...CONCEPTS), fc.nat(2), fc.nat(2), fc.constantFrom(', ', '; ', '. '),
      (lang, [enTerm, deTerm, concept], m, p, sep) => {
        const marker = lang === 'en' ? ['?', 'Possible ', 'Suspected '][m] : ['V.a. ', 'Verdacht auf ', '?'][m];
        const denial = lang === 'en' ? ['felt unlikely', 'ruled out on imaging', 'not confirmed'][p] : ['unwahrscheinlich', 'ausgeschlossen', 'nicht bestätigt'][p];
        const text = `${marker}${lang === 'en' ? enTerm : deTerm}${sep}${sep === '. ' ? denial[0].toUpperCase() + denial.slice(1) : denial}.`;
        expect([text, isPresent(extract(text, lang), concept)]).toEqual([text, false]);
      }), { numRuns: 60 });
  });

  it('property: the teller is the relative only with an intensifier', () => {
    fc.assert(fc.property(fc.constantFrom('Her sister', 'Her daughter', 'Her mother'), fc.constantFrom('says', 'mentions', 'reports'), fc.boolean(),
      (relative, verb, self) => {
        const text = `${relative} ${verb} she ${self ? 'herself ' : ''}had ascites last year.`;
        const got = assertionsOf(extract(text, 'en'), 'ascites');
        if (self) expect([text, got]).toEqual([text, ['family']]);
        else expect([text, got.includes('family')]).toEqual([text, false]);
      }), { numRuns: 30 });
  });

  it('property: a risk label with lower-case fillers covers its whole list', () => {
    fc.assert(fc.property(fc.constantFrom('again', 'once more', 'today', 'explained'), fc.shuffledSubarray(CONCEPTS.map((c) => c), { minLength: 1 }),
      (filler, items) => {
        const text = `Reviewed the risks ${filler}: ${items.map((c) => c[0]).join(', ')}.`;
        const fs = extract(text, 'en');
        for (const [, , concept] of items) expect([text, isPresent(fs, concept)]).toEqual([text, false]);
      }), { numRuns: 40 });
  });

  it('property: a counselling label ending on a topic preposition covers its list', () => {
    fc.assert(fc.property(fc.constantFrom('Aufklärung erneut über', 'Beratung nochmals zu', 'Aufklärung ausführlich über'), fc.shuffledSubarray(CONCEPTS.map((c) => c), { minLength: 1 }),
      (label, items) => {
        const text = `${label}: ${items.map((c) => c[1]).join(', ')}.`;
        const fs = extract(text, 'de');
        for (const [, , concept] of items) expect([text, isPresent(fs, concept)]).toEqual([text, false]);
      }), { numRuns: 40 });
  });
});
