/** ConText rules in German: each trigger kind, direction, pseudo-triggers and scope termination. */
import { assertionsOf, extract, isPresent } from './helpers';

const a = (text: string, concept: string): string[] => assertionsOf(extract(text, 'de'), concept);

describe('German negation', () => {
  it.each([
    ['Kein Aszites.', 'ascites'],
    ['Keine Lungenmetastasen.', 'lung_metastasis'],
    ['Kein Anhalt für eine Peritonealkarzinose.', 'peritoneal_metastasis'],
    ['Kein Hinweis auf Lebermetastasen.', 'liver_metastasis'],
    ['Abdomen ohne Aszites.', 'ascites'],
    ['Eine Lungenembolie wurde ausgeschlossen.', 'pulmonary_embolism'],
    ['Pleuraerguss nicht nachweisbar.', 'pleural_effusion'],
    ['Ein akutes Nierenversagen trat nicht auf.', 'acute_kidney_injury'],
    ['Kompressionssonographie: keine tiefe Beinvenenthrombose.', 'deep_vein_thrombosis'],
    ['Ausschluss einer febrilen Neutropenie.', 'febrile_neutropenia'],
  ])('"%s" negiert %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['negated']);
  });

  it('endet an "aber" und am Satzende', () => {
    expect(a('Kein Fieber, aber ausgeprägter Aszites.', 'ascites')).toEqual(['present']);
    expect(a('Keine Dyspnoe. Pleuraerguss rechts.', 'pleural_effusion')).toEqual(['present']);
  });

  it('ein neues Listenelement nach Komma beendet die Negation', () => {
    expect(isPresent(extract('Keine Lungenmetastasen, kleiner Pleuraerguss links.', 'de'), 'pleural_effusion')).toBe(true);
  });

  it('ignoriert Pseudo-Trigger', () => {
    expect(a('Keine Veränderung der bekannten Polyneuropathie.', 'peripheral_neuropathy')).toEqual(['present']);
  });
});

describe('German uncertainty', () => {
  it.each([
    ['V.a. Lebermetastasen.', 'liver_metastasis'],
    ['Verdacht auf Peritonealkarzinose.', 'peritoneal_metastasis'],
    ['Fraglich pulmonale Metastasen.', 'lung_metastasis'],
    ['Lungenembolie nicht sicher ausgeschlossen.', 'pulmonary_embolism'],
    ['Leberläsion, hochverdächtig auf Metastasen.', 'liver_metastasis'],
  ])('"%s" macht %s möglich', (text, concept) => {
    expect(a(text, concept)).toEqual(['possible']);
  });

  // issue 13: eine auszuschließende Differentialdiagnose oder ein Plan ist kein Befund
  it.each([
    ['DD Tubenkarzinom.', 'fallopian_tube_cancer'],
    ['Bei Erbrechen Vorstellung zum Ausschluss eines Ileus.', 'bowel_obstruction'],
    ['CT zur Abklärung einer Lungenembolie.', 'pulmonary_embolism'],
  ])('"%s": %s hypothetisch', (text, concept) => {
    expect(a(text, concept)).toEqual(['hypothetical']);
  });
});

describe('German family history', () => {
  it.each([
    ['Mutter an Mammakarzinom verstorben.', 'breast_cancer'],
    ['Ovarialkarzinom bei der Schwester.', 'ovarian_cancer'],
    ['FA: Großmutter mütterlicherseits Ovarialkarzinom mit 70 J.', 'ovarian_cancer'],
  ])('"%s" ist familiär für %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['family']);
  });

  it('ein Familienanamnese-Block gilt bis zur Leerzeile', () => {
    const fs = extract('Familienanamnese:\n- Tante: Mammakarzinom\n- Onkel: gesund\n\nNebendiagnosen: Hypothyreose.', 'de');
    expect(assertionsOf(fs, 'breast_cancer')).toEqual(['family']);
    expect(isPresent(fs, 'hypothyroidism')).toBe(true);
  });
});

describe('German hypothetical', () => {
  it.each([
    ['Falls Fieber auftritt, Vorstellung wegen Gefahr einer febrilen Neutropenie.', 'febrile_neutropenia'],
    ['Aufklärung über das Risiko einer Lungenembolie.', 'pulmonary_embolism'],
    ['Bei Auftreten einer tiefen Beinvenenthrombose sofortige Vorstellung.', 'deep_vein_thrombosis'],
    ['Erhöhtes Risiko für ein Mammakarzinom.', 'breast_cancer'],
    ['Enoxaparin zur Vermeidung einer Beinvenenthrombose.', 'deep_vein_thrombosis'],
  ])('"%s" ist hypothetisch für %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['hypothetical']);
  });

  it('Beratungsinhalte sind hypothetisch', () => {
    expect(a('Beratungsinhalte:\n- Lebenszeitrisiko für Ovarialkarzinom ca. 40 %.', 'ovarian_cancer')).toEqual(['hypothetical']);
  });
});

describe('German historical', () => {
  it.each([
    ['Z.n. Lungenembolie 2021.', 'pulmonary_embolism'],
    ['Zustand nach Mammakarzinom rechts.', 'breast_cancer'],
    ['Polyneuropathie, inzwischen vollständig rückläufig.', 'peripheral_neuropathy'],
  ])('"%s" ist anamnestisch für %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['historical']);
  });

  it('"Z.n." gilt nur bis zum Komma', () => {
    const fs = extract('Nebendiagnosen: Z.n. TVT rechts 2019 unter Rivaroxaban, Adipositas Grad II.', 'de');
    expect(assertionsOf(fs, 'deep_vein_thrombosis')).toEqual(['historical']);
    expect(assertionsOf(fs, 'obesity')).toEqual(['present']);
  });
});
