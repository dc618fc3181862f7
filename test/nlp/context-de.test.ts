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

// issue 13, grown tune split: Studienkriterien, Merkblätter, Warnhinweise, nachgestellte Verneinung, "X vs. Y"
describe('German criteria, leaflets, warnings and verb-final negation', () => {
  it.each([
    ['Studie geprüft (Ausschlusskriterium: Lungenembolie in den letzten 6 Monaten).', 'pulmonary_embolism'],
    ['Sofort melden, da eine Lungenembolie tödlich sein kann.', 'pulmonary_embolism'],
    ['Febrile Neutropenie Merkblatt mitgegeben.', 'febrile_neutropenia'],
  ])('"%s": kein vorliegendes %s', (text, concept) => {
    expect(isPresent(extract(text, 'de'), concept)).toBe(false);
  });

  it('"… ist nach dem CT nicht anzunehmen" verneint', () => {
    expect(a('Eine Lungenembolie ist nach dem CT nicht anzunehmen.', 'pulmonary_embolism')).toEqual(['negated']);
  });

  it('"X vs. Y": beide Seiten sind unsicher', () => {
    expect(a('Pleuraerguss vs. Atelektase im Röntgen.', 'pleural_effusion')).toEqual(['possible']);
  });

  it('"…, keine Hypertonie": das "keine" gehört zum folgenden Befund, nicht zum vorigen', () => {
    const fs = extract('Diabetes mellitus Typ 2 (Insulin), keine Hypertonie.', 'de');
    expect(assertionsOf(fs, 'diabetes_type2')).toEqual(['present']);
    expect(assertionsOf(fs, 'hypertension')).toEqual(['negated']);
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

describe('Deutsch: Existenzverb mit nachgestelltem "nicht", "sein könnte", Rückverweis nach Gedankenstrich', () => {
  it.each([
    ['Anhaltspunkte für eine Lungenembolie fanden sich in der CT-Angiographie nicht.', 'pulmonary_embolism'],
    ['Zeichen eines Aszites ergaben sich sonographisch heute nicht.', 'ascites'],
  ])('"%s": das schließende "nicht" eines Existenzverbs verneint %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['negated']);
  });

  it('ein anderes Verb mit weit entferntem "nicht" verneint die Erkrankung nicht', () => {
    expect(a('Die Polyneuropathie besserte sich unter der Therapie bislang nicht.', 'peripheral_neuropathy')).toEqual(['present']);
  });

  it.each([
    'Zu klären ist, ob es eine Lungenembolie sein könnte.',
    'Die Ärztin überlegt, ob es sich um eine Lungenembolie handeln könnte.',
  ])('"%s" ist eine Möglichkeit', (text) => {
    expect(a(text, 'pulmonary_embolism')).toEqual(['possible']);
  });

  it('ein Demonstrativpronomen mit Verb nach dem Gedankenstrich setzt den Angehörigen fort, als Artikel nicht', () => {
    expect(a('Gespräch mit dem Bruder am Telefon - dieser hatte 2019 eine Lungenembolie.', 'pulmonary_embolism')).toEqual(['family']);
    expect(a('Gespräch mit dem Bruder am Telefon - diese Woche Lungenembolie gesichert.', 'pulmonary_embolism')).toEqual(['present']);
  });
});

describe('Deutsch: Anweisung zur sofortigen Vorstellung wegen einer Erkrankung', () => {
  it('"umgehende Wiedervorstellung wegen <X>" ist eine Anweisung, kein Befund', () => {
    expect(a('Bei Atemnot umgehende Wiedervorstellung wegen einer möglichen Lungenembolie.', 'pulmonary_embolism')).toEqual(['hypothetical']);
    expect(a('Bei Schüttelfrost bitte sofortige Vorstellung wegen drohender Sepsis oder febriler Neutropenie.', 'febrile_neutropenia')).toEqual(['hypothetical']);
  });

  it('eine stattgefundene Notfallvorstellung mit gesichertem Befund bleibt ein Befund', () => {
    expect(a('Die Patientin kam gestern zur Notfallvorstellung. Lungenembolie im CT gesichert.', 'pulmonary_embolism')).toEqual(['present']);
  });
});

describe('Deutsch: verneinte Behandlungsbedürftigkeit nach einem Befund', () => {
  it.each([
    ['Kleiner Pleuraerguss rechts - keine Punktion erforderlich.', 'pleural_effusion'],
    ['Milde Anämie - derzeit keine Transfusion notwendig.', 'anemia'],
  ])('"%s": verneint wird die Behandlung, nicht %s', (text, concept) => {
    expect(a(text, concept)).toEqual(['present']);
  });
});

describe('Deutsch: ein nachgestelltes "nicht" verneint nur sein eigenes Komma-Glied', () => {
  it('"X, <Organ> nicht vergrößert" lässt X stehen; ohne Komma verneint "nicht" weiter', () => {
    expect(a('Sonographie: deutlicher Pleuraerguss links, Herz und Leber nicht vergrößert.', 'pleural_effusion')).toEqual(['present']);
    expect(a('Ein Pleuraerguss war heute nicht darzustellen.', 'pleural_effusion')).toEqual(['negated']);
  });
});
