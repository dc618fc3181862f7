/**
 * The uncertain-scope check (rules/uncertain-scope.ts): a would-be present Condition whose clause (or, for a relative,
 * sentence) holds an assertion cue the rules did not settle — across a line wrap, past a coordinator — becomes an
 * unconfirmed ('possible') Condition whose note names the cue; never a present one, never dropped. Also the two data
 * fixes made with it: "tubo-ovarian" leaves tube or ovary open, and a bare "likely" after a finding is uncertainty.
 */
import fc from 'fast-check';
import type { DocumentReference, Condition } from 'fhir/r4';
import type { Assertion, Finding } from '../../server/nlp/finding';
import { buildFindingResources } from '../../server/nlp/fhir';
import { loadNlpMappings } from '../../server/nlp/mappings';
import { compileRulesResources, createRulesExtractor } from '../../server/nlp/rules/engine';
import { assertionsOf, conditionsOf, extract, isPresent, rulesResources } from './helpers';

/** Fixed seeds; the properties hold for every input of their small domains (checked once with 25 times the runs). */
const RUNS = (n: number): number => n;

const en = (text: string) => extract(text, 'en');
const de = (text: string) => extract(text, 'de');

const findingsDe = fc.constantFrom(['Aszites', 'ascites'], ['Pleuraerguss', 'pleural_effusion'], ['Peritonealkarzinose', 'peritoneal_metastasis'],
  ['Lungenembolie', 'pulmonary_embolism'], ['Lebermetastasen', 'liver_metastasis']);
const findingsEn = fc.constantFrom(['ascites', 'ascites'], ['pleural effusion', 'pleural_effusion'], ['liver metastases', 'liver_metastasis'],
  ['pulmonary embolism', 'pulmonary_embolism'], ['DVT', 'deep_vein_thrombosis']);

describe('a cue whose scope the rules could not settle makes the Condition unconfirmed, with the cue as its reason', () => {
  it('a post-negation on the wrapped line: "ist im\\nPET nicht erkennbar"', () => {
    const fs = de('Eine diffuse Peritonealkarzinose ist im\nPET nicht erkennbar.');
    expect(isPresent(fs, 'peritoneal_metastasis')).toBe(false);
    const [c] = conditionsOf(fs, 'peritoneal_metastasis');
    expect(c.assertion).toBe('possible');
    expect(c.uncertainty).toEqual({ cue: 'negated', word: 'nicht erkennbar' });
  });

  it('a negation across a wrap reaches past a coordinator: "Keine\\nLebermetastasen oder Lungenmetastasen"', () => {
    const fs = de('Beurteilung: Rezidivfreiheit seit fünf Jahren. Keine\nLebermetastasen oder Lungenmetastasen im letzten CT.');
    expect(isPresent(fs, 'liver_metastasis')).toBe(false);
    expect(isPresent(fs, 'lung_metastasis')).toBe(false);
    expect(assertionsOf(fs, 'lung_metastasis')).toEqual(['possible']);
  });

  it('the reviewer reads the cue class and the lexicon cue in the Condition note (no note text beyond the cue)', () => {
    const fs = de('Eine diffuse Peritonealkarzinose ist im\nPET nicht erkennbar.');
    const doc: DocumentReference & { id: string } = { resourceType: 'DocumentReference', id: 'n1', status: 'current', content: [{ attachment: { contentType: 'text/plain' } }] };
    let n = 0;
    const out = buildFindingResources({
      findings: fs, document: doc, patient: { reference: 'Patient/p1' }, run: { engine: 'rules', version: '1', recorded: '2026-03-02T09:30:00Z' },
      coder: rulesResources().coder, newId: () => `id-${++n}`,
    });
    const cond = out.resources.find((r): r is Condition => r.resourceType === 'Condition');
    expect(cond?.verificationStatus?.coding?.[0].code).toBe('unconfirmed');
    expect(cond?.note?.[0].text).toMatch(/a negation \('nicht erkennbar'\)/);
    expect(cond?.note?.[0].text).not.toMatch(/Peritonealkarzinose|PET/);
  });
});

describe('cues the rules gave elsewhere, or that point away, leave a present finding present', () => {
  it.each([
    ['Anämie Grad 2, kein Transfusionsbedarf.', 'de', 'anemia'],
    ['Nebendiagnosen: Adipositas, Depression, familiäre Belastung (Schwester mit Mammakarzinom).', 'de', 'depression'],
    ['Known HBOC syndrome; her daughter has been referred for predictive testing.', 'en', 'hboc_syndrome'],
    ['Mild anaemia, chemo related - no transfusion.', 'en', 'anemia'],
  ] as const)('%s', (text, language, concept) => {
    expect(isPresent(extract(text, language), concept)).toBe(true);
  });

  it('a negation that determines the word after it points forward: "F, kein/keine <noun>" keeps F present', () => {
    const nouns = fc.constantFrom('kein Fieber', 'keine Transfusion', 'kein Handlungsbedarf', 'keine Beschwerden');
    fc.assert(fc.property(findingsDe, nouns, ([term, concept], tail) => {
      expect(isPresent(de(`Befund: ${term} rechts, ${tail}.`), concept)).toBe(true);
    }), { numRuns: RUNS(40), seed: 7 });
  });
});

describe('wherever a writer wraps the line, a post-negation in the clause never leaves a present Condition', () => {
  const denials = fc.constantFrom('nicht nachweisbar', 'nicht erkennbar', 'ausgeschlossen', 'nicht mehr nachweisbar');
  const fillers = fc.subarray(['im', 'aktuellen', 'CT', 'sicher'], { minLength: 0, maxLength: 3 });

  it('"Im Staging-CT von heute ist ein F <fillers> N." with the line break at any word boundary after F', () => {
    fc.assert(fc.property(findingsDe, denials, fillers, fc.nat(), ([term, concept], denial, fill, at) => {
      const tail = [...fill, ...denial.split(' ')];
      const k = at % tail.length;
      const text = `Im Staging-CT von heute zeigt sich eine ${term} ${tail.slice(0, k).join(' ')}\n${tail.slice(k).join(' ')}.`.replace(/ \n/, '\n');
      expect(isPresent(de(text), concept)).toBe(false);
    }), { numRuns: RUNS(80), seed: 7 });
  });

  it('"On the staging CT there is no F1 or\\nF2": the second of two coordinated findings is never present', () => {
    fc.assert(fc.property(findingsEn, findingsEn, fc.boolean(), ([t1, c1], [t2, c2], wrapFirst) => {
      fc.pre(c1 !== c2);
      const text = wrapFirst ? `On the staging CT there is no\n${t1} or ${t2}.` : `On the staging CT there is no ${t1} or\n${t2}.`;
      const fs = en(text);
      expect(isPresent(fs, c1)).toBe(false);
      expect(isPresent(fs, c2)).toBe(false);
    }), { numRuns: RUNS(60), seed: 7 });
  });
});

describe('the check only ever lowers present to possible: no Condition appears, none is lost', () => {
  const off = (() => {
    const m = loadNlpMappings();
    const { uncertain: _omit, ...scope } = m.scope;
    return createRulesExtractor(compileRulesResources({ ...m, scope }));
  })();
  const RANK: Record<Assertion, number> = { present: 3, historical: 2, possible: 1, negated: 0, family: 0, hypothetical: 0 };
  const patient = (fs: Finding[]): Map<string, Assertion> =>
    new Map(fs.filter((f) => f.kind === 'condition' && RANK[f.assertion] > 0).map((f) => [f.concept, f.assertion]));
  const sentences = fc.constantFrom(
    'Keine Lebermetastasen oder Lungenmetastasen.', 'Aszites rückläufig,', 'Mutter mit Mammakarzinom', 'V.a. Lungenembolie?', 'Pleuraerguss rechts',
    'kein Fieber', 'Ovarialkarzinom FIGO IIIC', 'Polyneuropathie Grad 1.', 'nicht nachweisbar.', 'TVT 2019,', 'Tochter gesund.', 'ggf. Punktion bei Aszites',
  );
  const seps = fc.constantFrom(' ', '\n', '. ', '; ', ', ');

  it('over notes built from clinical fragments joined by spaces, wraps and punctuation', () => {
    fc.assert(fc.property(fc.array(fc.tuple(sentences, seps), { minLength: 1, maxLength: 8 }), (parts) => {
      const text = `Befund: ${parts.map(([s, sep]) => s + sep).join('')}`;
      const on = patient(de(text));
      const before = patient(off.extractSync({ text, language: 'de', documentDate: '2026-03-01' }));
      expect([...on.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [concept, a] of on) expect(RANK[a]).toBeLessThanOrEqual(RANK[before.get(concept) ?? 'possible']);
      for (const [concept, a] of on) if (a !== before.get(concept)) expect(a).toBe('possible');
    }), { numRuns: RUNS(150), seed: 13 });
  });
});

describe('data fixes made with the check', () => {
  it('"tubo-ovarian" leaves tube or ovary open: ovarian cancer possible, never present', () => {
    for (const text of ['The morphology is that of a tubo-ovarian high-grade serous carcinoma.', 'Appearances are those of high-grade serous carcinoma, tubo-ovarian origin.',
      'Consistent with tubo-ovarian carcinoma.']) {
      expect(assertionsOf(en(text), 'ovarian_cancer')).toEqual(['possible']);
    }
    expect(assertionsOf(de('Hochgradig seröses tuboovarielles Karzinom.'), 'ovarian_cancer')).toEqual(['possible']);
    // the plain site still states the cancer
    expect(isPresent(en('High-grade serous ovarian carcinoma, FIGO IIIC.'), 'ovarian_cancer')).toBe(true);
  });

  it('a bare "likely" / "wahrscheinlich" right after a finding closing its clause is uncertainty', () => {
    expect(assertionsOf(en('Imp: recurrent disease; R pleural effusion likely; ?peritoneal carcinomatosis.'), 'pleural_effusion')).toEqual(['possible']);
    fc.assert(fc.property(findingsEn, findingsDe, ([te, ce], [td, cd]) => {
      expect(assertionsOf(en(`Impression: ${te} likely.`), ce)).toEqual(['possible']);
      expect(assertionsOf(de(`Beurteilung: ${td} wahrscheinlich.`), cd)).toEqual(['possible']);
      // "F, likely malignant" qualifies what follows the comma
      expect(isPresent(en(`${te[0].toUpperCase()}${te.slice(1)}, likely malignant.`), ce)).toBe(true);
    }), { numRuns: RUNS(25), seed: 7 });
  });

  it('"vs." does not end a German sentence: "DD Implantat vs. Lebermetastasen" is a differential, not a finding', () => {
    expect(isPresent(de('Zwei Leberherde - DD Implantat vs. Lebermetastasen. Lunge frei.'), 'liver_metastasis')).toBe(false);
  });
});
