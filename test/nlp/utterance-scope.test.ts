/**
 * Utterance scope (issue 13): a condition named in a plan, a question, a condition clause, advice, counselling, a list
 * of risks, a modal or a criteria list is no present Condition — unless the note states it positively elsewhere. The
 * classifier is tested directly (which kind covers the mention) and through the engine (what Condition results).
 */
import fc from 'fast-check';
import type { Language } from '../../server/nlp/finding';
import { analyze } from '../../server/nlp/rules/analysis';
import { findConditionMentions } from '../../server/nlp/rules/conditions';
import { UtteranceScope, type ScopeKind } from '../../server/nlp/rules/scope';
import { extract, isPresent, rulesResources } from './helpers';

/** The scope kind the classifier gives the first mention of `concept` in `text`. */
function scopeOf(text: string, language: Language, concept: string): ScopeKind | undefined | 'no mention' {
  const res = rulesResources();
  const a = analyze(text, res.dictionary, language);
  const m = findConditionMentions(a, res.mappings.coding, res.dictionary.nameHeads, res.dictionary.criteriaHeads).find((x) => x.concept === concept);
  return m ? new UtteranceScope(a, res.scope).kindAt(m.headTok ?? m.startTok, m.endTok) : 'no mention';
}

describe('each kind of utterance scope, in English and German', () => {
  it.each<[string, Language, string, ScopeKind]>([
    ['Next steps:\n- duplex scan of the left leg for DVT\n- repeat renal function', 'en', 'deep_vein_thrombosis', 'plan'],
    ['Weiteres Vorgehen:\nCT-Thorax zur Beurteilung eines Pleuraergusses in zwei Wochen.', 'de', 'pleural_effusion', 'plan'],
    // under a follow-up heading, a plan sentence is caught by its own mood
    ['Follow-up:\nWe will repeat the duplex scan in six weeks to look for a DVT.', 'en', 'deep_vein_thrombosis', 'plan'],
    ['Is there ascites on the scan from today?', 'en', 'ascites', 'question'],
    ['Besteht eine Lungenembolie?', 'de', 'pulmonary_embolism', 'question'],
    ['Should her calves swell up, a DVT would need a scan the same day.', 'en', 'deep_vein_thrombosis', 'conditional'],
    ['Sofern die Luftnot zunimmt, muss an eine Lungenembolie gedacht werden.', 'de', 'pulmonary_embolism', 'conditional'],
    ['Please come straight back with chest pain, as a pulmonary embolism needs treatment.', 'en', 'pulmonary_embolism', 'advice'],
    ['Bitte bei Luftnot an eine Lungenembolie denken und den Notarzt rufen.', 'de', 'pulmonary_embolism', 'advice'],
    ['We went through the risks of the operation with her, bowel obstruction among them.', 'en', 'bowel_obstruction', 'counselling'],
    ['Im Gespräch wurden die Risiken erläutert, darunter ein Ileus.', 'de', 'bowel_obstruction', 'counselling'],
    ['She took home a leaflet about lymphoedema and hereditary breast and ovarian cancer syndrome.', 'en', 'hboc_syndrome', 'counselling'],
    ['The main toxicities of this regimen include neuropathy and neutropenia.', 'en', 'neutropenia', 'list'],
    ['Zu den Nebenwirkungen zählen u.a. Polyneuropathie und Anämie.', 'de', 'anemia', 'list'],
    ['New breathlessness could point to a pulmonary embolism.', 'en', 'pulmonary_embolism', 'list'],
    ['Die Beinschwellung könnte auf eine Beinvenenthrombose hinweisen.', 'de', 'deep_vein_thrombosis', 'list'],
    ['We will scan her abdomen for ascites in March.', 'en', 'ascites', 'plan'],
    ['Eine CT-Untersuchung hinsichtlich Lebermetastasen ist geplant.', 'de', 'liver_metastasis', 'plan'],
    ['Trial exclusion criteria: uncontrolled hypertension, recent PE.', 'en', 'hypertension', 'list'],
    ['Ausschlusskriterien der Studie sind Lebermetastasen und Niereninsuffizienz.', 'de', 'liver_metastasis', 'list'],
    ['Bloods today.\nRisks reviewed:\n- bleeding\n- calf swelling (DVT)', 'en', 'deep_vein_thrombosis', 'counselling'],
    ['She carries a high febrile neutropenia risk with this regimen.', 'en', 'febrile_neutropenia', 'list'],
    ['Trial: PARP maintenance study for platinum-sensitive ovarian cancer.', 'en', 'ovarian_cancer', 'plan'],
    ['Für die Patientin besteht ein erhöhtes Risiko für ein (kontralaterales)\nMammakarzinom.', 'de', 'breast_cancer', 'list'],
  ])('%s', (text, language, concept, kind) => {
    expect(scopeOf(text, language, concept)).toBe(kind);
    expect(isPresent(extract(text, language), concept)).toBe(false);
  });
});

describe('what stays a statement about the patient', () => {
  it.each<[string, Language, string]>([
    // a known condition in a plan is the reason for it, not its subject
    ['Plan: continue apixaban for the known PE.', 'en', 'pulmonary_embolism'],
    ['Procedere: Fortführung der Antikoagulation bei bekannter Lungenembolie.', 'de', 'pulmonary_embolism'],
    // a question mark after a list asks its last item only
    ['Clinical details: ovarian cancer, on carboplatin, new effusion?', 'en', 'ovarian_cancer'],
    // a list line under a sentence that is no label is its own statement
    ['Is the anaemia getting worse?\n- Ascites: moderate, tapped today', 'en', 'ascites'],
    // "May" is a month, not a modal
    ['She was diagnosed in May with ovarian cancer.', 'en', 'ovarian_cancer'],
    // a label is no part of the statement ("Diagnosen lt. Überweisung:")
    ['Zur Frage oben: Anämie Grad 2, Eisenmangel ausgeschlossen.', 'de', 'anemia'],
    // a department in a title line is no advice, and a title does not wrap into the sentence under it
    ['Notaufnahme – Aufnahmebefund 12.04.2026, 23:40 Uhr\nAufnahme mit Luftnot und Fieber, Lungenembolie rechts im CT.', 'de', 'pulmonary_embolism'],
    // criteria met are the disease
    ['Creatinine rise meets KDIGO criteria for AKI stage 1.', 'en', 'acute_kidney_injury'],
    // a follow-up or check-up heading heads the visit's findings as often as its plan: no scope of its own
    ['Verlaufskontrolle: ausgeprägter Aszites, heute Punktion von 2 l.', 'de', 'ascites'],
    ['Nachsorge:\nRezidivfreier Verlauf, jedoch Polyneuropathie Grad 1 an beiden Füßen.', 'de', 'peripheral_neuropathy'],
    ['Follow-up:\nShe remains well; the right pleural effusion has not reaccumulated since drainage and is small.', 'en', 'pleural_effusion'],
  ])('%s', (text, language, concept) => {
    expect(scopeOf(text, language, concept)).toBeUndefined();
    expect(isPresent(extract(text, language), concept)).toBe(true);
  });

  it('a concept in scope is still present when the note states it outside scope', () => {
    const text = 'Assessment: left leg DVT confirmed on duplex.\n\nNext steps:\n- repeat duplex for the DVT in 3 months';
    expect(isPresent(extract(text, 'en'), 'deep_vein_thrombosis')).toBe(true);
  });

  it('a working suspicion stays an unconfirmed Condition', () => {
    const fs = extract('Beurteilung: V.a. Lungenembolie.\n\nProcedere: CT-Angiographie heute.', 'de');
    expect(fs.some((f) => f.concept === 'pulmonary_embolism' && f.assertion === 'possible')).toBe(true);
  });
});

describe('properties', () => {
  const findings = fc.constantFrom<[string, string, Language]>(
    ['pulmonary embolism', 'pulmonary_embolism', 'en'], ['bowel obstruction', 'bowel_obstruction', 'en'], ['neutropenia', 'neutropenia', 'en'],
    ['Lungenembolie', 'pulmonary_embolism', 'de'], ['Ileus', 'bowel_obstruction', 'de'], ['Polyneuropathie', 'peripheral_neuropathy', 'de'],
  );
  const introsEn = fc.constantFrom('Risks discussed:', 'Possible side effects include', 'Consent signed; complications explained:', 'Return if:', 'Exclusion criteria:');
  const introsDe = fc.constantFrom('Risiken besprochen:', 'Mögliche Nebenwirkungen u.a.', 'Aufklärung über Komplikationen:', 'Ausschlusskriterien:', 'Bei Auftreten von');
  /** Filler items without any disease, cue or terminator word (so they cannot collide with what is tested). */
  const fillerEn = fc.array(fc.constantFrom('nausea', 'hair thinning', 'tiredness', 'a sore mouth', 'taste change'), { maxLength: 4 });
  const fillerDe = fc.array(fc.constantFrom('Übelkeit', 'Haarausfall', 'Müdigkeit', 'Mundtrockenheit', 'Geschmacksstörung'), { maxLength: 4 });
  const unrelated = fc.array(fc.constantFrom('Weight 64 kg.', 'Seen with her husband.', 'Gewicht 64 kg.', 'Begleitet vom Ehemann.', 'Next review in clinic.'), { maxLength: 3 });

  const listNote = (f: [string, string, Language], introEn: string, introDe: string, fillEn: string[], fillDe: string[], at: number): string => {
    const fill = f[2] === 'en' ? fillEn : fillDe;
    const items = [...fill.slice(0, at), f[0], ...fill.slice(at)];
    return `${f[2] === 'en' ? introEn : introDe} ${items.join(', ')}.`;
  };

  it('a finding inside a consent, risk, advice or criteria list gives no present Condition', () => {
    fc.assert(fc.property(findings, introsEn, introsDe, fillerEn, fillerDe, fc.nat(4), (f, ie, id, fe, fd, at) => {
      expect(isPresent(extract(listNote(f, ie, id, fe, fd, at), f[2]), f[1])).toBe(false);
    }), { numRuns: 80 });
  });

  it('the same finding stated positively outside scope still is a present Condition', () => {
    fc.assert(fc.property(findings, introsEn, introsDe, fillerEn, fillerDe, fc.nat(4), (f, ie, id, fe, fd, at) => {
      const stated = f[2] === 'en' ? `Diagnosis: ${f[0]}.` : `Diagnose: ${f[0]}.`;
      expect(isPresent(extract(`${stated}\n\n${listNote(f, ie, id, fe, fd, at)}`, f[2]), f[1])).toBe(true);
    }), { numRuns: 80 });
  });

  it('the result does not depend on unrelated lines around the list', () => {
    fc.assert(fc.property(findings, introsEn, introsDe, fillerEn, fillerDe, unrelated, unrelated, (f, ie, id, fe, fd, before, after) => {
      const note = listNote(f, ie, id, fe, fd, 0);
      const alone = isPresent(extract(note, f[2]), f[1]);
      const around = [...before, note, ...after].join('\n\n');
      expect(isPresent(extract(around, f[2]), f[1])).toBe(alone);
    }), { numRuns: 60 });
  });
});
