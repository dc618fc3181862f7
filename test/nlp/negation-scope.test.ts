/**
 * Negation scope on wording of our own (issue 13): pre- and post-negation in English and German, ended by clause
 * boundaries, "but/aber/jedoch/however", list items, headed lines and a parenthesis the trigger stands in.
 */
import type { Language } from '../../server/nlp/finding';
import { extract } from './helpers';

type Want = Record<string, 'negated' | 'present'>;

/** The note gives every concept the wanted assertion: present, or denied with no present Condition. */
function check(text: string, language: Language, want: Want): void {
  const fs = extract(text, language);
  for (const [concept, assertion] of Object.entries(want)) {
    const got = fs.filter((f) => f.concept === concept).map((f) => f.assertion);
    const ok = assertion === 'present' ? got.includes('present') : got.includes('negated') && !got.includes('present');
    expect([concept, ok, got]).toEqual([concept, true, got]);
  }
}

describe('negation scope generalises', () => {
  it.each<[Language, string, Want]>([
    ['en', 'IMPRESSION: 1. No ascites. 2. Small left pleural effusion.', { ascites: 'negated', pleural_effusion: 'present' }],
    ['en', 'IMPRESSION:\n1. No ascites.\n2. Small left pleural effusion.', { ascites: 'negated', pleural_effusion: 'present' }],
    ['en', 'CT: negative for pulmonary embolism, but a small pleural effusion on the right.', { pulmonary_embolism: 'negated', pleural_effusion: 'present' }],
    ['en', 'Pulmonary embolism was ruled out; ascites present.', { pulmonary_embolism: 'negated', ascites: 'present' }],
    ['en', 'DVT not seen on duplex, however there is moderate ascites.', { deep_vein_thrombosis: 'negated', ascites: 'present' }],
    ['en', 'Without ascites or pleural effusion.', { ascites: 'negated', pleural_effusion: 'negated' }],
    ['en', 'Findings:\n- no hydronephrosis\n- no ascites\n- pleural effusion, small', { ascites: 'negated', pleural_effusion: 'present' }],
    ['en', 'Ascites: none. Pleural effusion: small, right.', { ascites: 'negated', pleural_effusion: 'present' }],
    ['en', 'Peritoneal metastases: not identified.', { peritoneal_metastasis: 'negated' }],
    ['en', 'There is no DVT, although she does have hypertension.', { deep_vein_thrombosis: 'negated', hypertension: 'present' }],
    ['en', 'Scan shows no ascites and no pleural effusion; liver metastases are present.', { ascites: 'negated', pleural_effusion: 'negated', liver_metastasis: 'present' }],
    ['en', 'Negative: ascites, pleural effusion, DVT.', { ascites: 'negated', pleural_effusion: 'negated', deep_vein_thrombosis: 'negated' }],
    ['en', 'She has never had a DVT or PE.', { deep_vein_thrombosis: 'negated', pulmonary_embolism: 'negated' }],
    ['en', 'Neutropenia resolved; no further episodes of febrile neutropenia.', { febrile_neutropenia: 'negated' }],
    ['en', 'Past history: hypertension (no), diabetes type 2 (yes).', { hypertension: 'negated', diabetes_type2: 'present' }],
    ['de', 'Beurteilung: 1. Kein Aszites. 2. Kleiner Pleuraerguss links.', { ascites: 'negated', pleural_effusion: 'present' }],
    ['de', 'Keine Lungenembolie, jedoch Pleuraerguss rechts.', { pulmonary_embolism: 'negated', pleural_effusion: 'present' }],
    ['de', 'Lebermetastasen nicht nachweisbar.', { liver_metastasis: 'negated' }],
    ['de', 'Eine Lungenembolie wurde ausgeschlossen, aber es besteht ein Aszites.', { pulmonary_embolism: 'negated', ascites: 'present' }],
    ['de', 'Ohne Aszites, ohne Pleuraerguss.', { ascites: 'negated', pleural_effusion: 'negated' }],
    ['de', 'Abdomen sonographisch unauffällig, kein Aszites.', { ascites: 'negated' }],
    ['de', 'Befund:\n- kein Aszites\n- Pleuraerguss links, mäßig', { ascites: 'negated', pleural_effusion: 'present' }],
    ['de', 'Weder Aszites noch Pleuraerguss.', { ascites: 'negated', pleural_effusion: 'negated' }],
    ['de', 'Ein Ileus liegt nicht vor.', { bowel_obstruction: 'negated' }],
    ['de', 'Eine tiefe Beinvenenthrombose konnte ausgeschlossen werden.', { deep_vein_thrombosis: 'negated' }],
    ['de', 'Hypertonie: nein. Diabetes mellitus Typ 2: ja.', { hypertension: 'negated', diabetes_type2: 'present' }],
    // the clause after the comma has a noun of its own: "ausgeschlossen" denies the iron deficiency, not the anaemia
    ['de', 'Anämie Grad 2, Eisenmangel ausgeschlossen.', { anemia: 'present' }],
    ['de', 'Aszites nicht vorhanden, Pleuraerguss rechts gering.', { ascites: 'negated', pleural_effusion: 'present' }],
    // a continuation word carries the denial over the comma
    ['de', 'Ein Abszess wurde sonographisch ausgeschlossen, ebenso eine Beinvenenthrombose.', { deep_vein_thrombosis: 'negated' }],
    ['en', 'A leak was excluded on CT, likewise a pulmonary embolism.', { pulmonary_embolism: 'negated' }],
    ['de', 'Die Punktion erfolgte, ebenso eine Duplexsonographie. Beinvenenthrombose links.', { deep_vein_thrombosis: 'present' }],
    // a negation that wraps its line still reaches the finding on the next line
    ['de', 'MRT 03.04.2026 - kein Nachweis von\nLebermetastasen.', { liver_metastasis: 'negated' }],
    ['en', 'Hypertension - denies, BP 121/70 today.', { hypertension: 'negated' }],
    ['en', 'The histology argues against peritoneal metastases.', { peritoneal_metastasis: 'negated' }],
  ])('%s: %s', (language, text, want) => check(text, language, want));
});
