/**
 * Assertion trigger data prompted by the tune-I notes (issue 13): a population abbreviated "pts with" in trial criteria,
 * "less likely" / "weniger wahrscheinlich" as uncertainty (not denial), and a German finding that has completely
 * regressed ("vollständig rückläufig", "komplett regredient") denied like the English "resolved completely".
 */
import fc from 'fast-check';
import { assertionsOf, extract, isPresent } from './helpers';

const en = (text: string) => extract(text, 'en');
const de = (text: string) => extract(text, 'de');

const findingsEn = fc.constantFrom(['ascites', 'ascites'], ['pleural effusion', 'pleural_effusion'], ['pulmonary embolism', 'pulmonary_embolism'],
  ['DVT', 'deep_vein_thrombosis'], ['bowel obstruction', 'bowel_obstruction']);
const findingsDe = fc.constantFrom(['Aszites', 'ascites'], ['Pleuraerguss', 'pleural_effusion'], ['Polyneuropathie', 'peripheral_neuropathy'],
  ['Neutropenie', 'neutropenia'], ['Lungenembolie', 'pulmonary_embolism']);

describe('"pts with" describes a population like "patients with"', () => {
  it('trial exclusions: "excludes pts with active DVT or PE in last 6 mo" is no present finding', () => {
    const fs = en('Trial screening: excludes pts with active DVT or PE in last 6 mo.');
    expect(isPresent(fs, 'deep_vein_thrombosis')).toBe(false);
    expect(isPresent(fs, 'pulmonary_embolism')).toBe(false);
  });

  it('any finding after "pts with" in a trial sentence stays out of the present list', () => {
    fc.assert(fc.property(findingsEn, fc.constantFrom('excludes', 'is open to', 'enrols'), ([term, concept], verb) => {
      expect(isPresent(en(`The trial ${verb} pts with ${term}.`), concept)).toBe(false);
    }), { numRuns: 30 });
  });
});

describe('"less likely" is uncertainty, not denial', () => {
  it('"PE less likely but not excluded" is possible although "but" ends the "not excluded" scope', () => {
    expect(assertionsOf(en('PE less likely but not excluded - Wells low, d-dimer sent.'), 'pulmonary_embolism')).toEqual(['possible']);
  });

  it('before or after the finding, in both languages', () => {
    fc.assert(fc.property(findingsEn, findingsDe, fc.boolean(), ([termEn, cEn], [termDe, cDe], after) => {
      expect(assertionsOf(en(after ? `${termEn} less likely.` : `Less likely ${termEn}.`), cEn)).toEqual(['possible']);
      expect(assertionsOf(de(after ? `${termDe} weniger wahrscheinlich.` : `Weniger wahrscheinlich ${termDe}.`), cDe)).toEqual(['possible']);
    }), { numRuns: 40 });
  });

  it('"likely" after a finding qualifies what follows it: "Ascites, likely malignant" stays present', () => {
    expect(isPresent(en('Ascites, likely malignant.'), 'ascites')).toBe(true);
  });
});

describe('a German finding that has completely regressed is denied, one that is smaller is present', () => {
  it('"Die Neutropenie ist vollständig rückläufig" / "Pleuraerguss vollständig regredient"', () => {
    expect(assertionsOf(de('Die Neutropenie ist vollständig rückläufig.'), 'neutropenia')).toEqual(['negated']);
    expect(isPresent(de('Pleuraerguss vollständig regredient, Aszites unverändert.'), 'pleural_effusion')).toBe(false);
    expect(isPresent(de('Pleuraerguss vollständig regredient, Aszites unverändert.'), 'ascites')).toBe(true);
  });

  it('any finding, any full-regression phrase: never present; "deutlich rückläufig" keeps it present', () => {
    const gone = fc.constantFrom('vollständig rückläufig', 'vollständig regredient', 'komplett regredient', 'komplett rückläufig');
    fc.assert(fc.property(findingsDe, gone, fc.boolean(), ([term, concept], phrase, copula) => {
      expect(isPresent(de(`${term} ${copula ? 'ist ' : ''}${phrase}.`), concept)).toBe(false);
      expect(isPresent(de(`${term} ${copula ? 'ist ' : ''}deutlich rückläufig.`), concept)).toBe(true);
    }), { numRuns: 40 });
  });
});

describe('a consent word and the one thing consented to head a counselling list', () => {
  it('"Aufklärung OP:" wrapped over two lines: the risks are hypothetical, a family PE earlier in the note stays family', () => {
    const fs = de('Familienanamnese: Vater Lungenembolie postoperativ.\n\nAufklärung OP: Blutung, Infektion, Thrombose\nbzw. Lungenembolie, postoperativer Ileus.');
    expect(isPresent(fs, 'pulmonary_embolism')).toBe(false);
    expect(isPresent(fs, 'bowel_obstruction')).toBe(false);
  });

  it('a number in the label makes it no consent heading ("Aufklärung 2019: …" is what happened then)', () => {
    expect(isPresent(de('Aufklärung 2019: Lungenembolie.'), 'pulmonary_embolism')).toBe(true);
  });

  it('any consent word, any qualifier, any listed risk: never present', () => {
    const heads = fc.constantFrom<[string, 'en' | 'de']>(['Consent', 'en'], ['Risks', 'en'], ['Counselling', 'en'], ['Aufklärung', 'de'], ['Einwilligung', 'de'], ['Risiken', 'de']);
    const what = fc.constantFrom('OP', 'surgery', 'chemo', 'Laparotomie', 'PARPi');
    fc.assert(fc.property(heads, what, fc.boolean(), ([head, lang], q, wrap) => {
      const [term, concept] = lang === 'en' ? ['pulmonary embolism', 'pulmonary_embolism'] : ['Lungenembolie', 'pulmonary_embolism'];
      const text = `${head} ${q}: bleeding, infection,${wrap ? '\n' : ' '}${term}.`;
      expect(isPresent(extract(text, lang), concept)).toBe(false);
    }), { numRuns: 40 });
  });
});
