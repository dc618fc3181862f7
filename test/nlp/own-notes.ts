/** Annotated notes written for the tests (not in ../shared/nlp/dev), English and German, in the dev corpus format. */
import type { GoldNote } from '../../server/nlp/eval/score';

export const OWN_NOTES: GoldNote[] = [
  {
    id: 'own-en-1', language: 'en', kind: 'gyn onc clinic note', date: '2026-04-08',
    text: `GYNECOLOGIC ONCOLOGY CLINIC
Visit: April 8, 2026

ID: 67 yo G3P3 with newly diagnosed stage IVB HGSOC (left > right), dx by omental bx 03/24/2026.

HPI: Presented to ED with abd pain and distension. CT A/P 3/20/2026 showed large volume ascites, omental cake, bilateral
pleural effusions and a 4 cm left adnexal mass. Paracentesis 3/21/2026 removed 4 L. No bowel obstruction. She denies
leg swelling; bilateral LE duplex negative for DVT.

PMH: HTN, hypothyroidism, prior DVT 2011 after knee surgery (treated x 6 mo).
FHx: Mother - breast ca at 61. Maternal cousin - ovarian cancer.
Genetics: germline panel sent 3/28, pending.

Exam: Wt 71.8 kg, BMI 27.4. ECOG 1. Decreased BS bilateral bases.
Labs 4/6/2026: WBC 8.8, Hgb 10.6, Plt 512, Cr 0.65, Alb 3.0. CA-125 3,412 U/mL (3/20/2026: 2,980 U/mL).

A/P: HGSOC, FIGO IVB (malignant pleural effusions). Plan NACT carboplatin/paclitaxel x3 cycles then IDS.
Discussed risk of neuropathy and neutropenia. Will start enoxaparin prophylaxis given high risk of VTE/PE.`,
    gold: {
      conditions: [
        { concept: 'ovarian_cancer', assertion: 'present', quote: 'stage IVB HGSOC (left > right)', attributes: { histology: 'high_grade_serous', figo: 'IVB' } },
        { concept: 'ascites', assertion: 'present', quote: 'large volume ascites' },
        { concept: 'peritoneal_metastasis', assertion: 'present', quote: 'omental cake' },
        { concept: 'pleural_effusion', assertion: 'present', quote: 'bilateral\npleural effusions' },
        { concept: 'hypertension', assertion: 'present', quote: 'HTN' },
        { concept: 'hypothyroidism', assertion: 'present', quote: 'hypothyroidism' },
        { concept: 'deep_vein_thrombosis', assertion: 'historical', quote: 'prior DVT 2011' },
      ],
      observations: [
        { concept: 'body_weight', value: 71.8, unit: 'kg', quote: 'Wt 71.8 kg' },
        { concept: 'bmi', value: 27.4, unit: 'kg/m2', quote: 'BMI 27.4' },
        { concept: 'ecog', value: 1, quote: 'ECOG 1' },
        { concept: 'leukocytes', value: 8.8, unit: '10*3/uL', date: '2026-04-06', quote: 'WBC 8.8' },
        { concept: 'hemoglobin', value: 10.6, unit: 'g/dL', date: '2026-04-06', quote: 'Hgb 10.6' },
        { concept: 'platelets', value: 512, unit: '10*3/uL', date: '2026-04-06', quote: 'Plt 512' },
        { concept: 'creatinine', value: 0.65, unit: 'mg/dL', date: '2026-04-06', quote: 'Cr 0.65' },
        { concept: 'albumin', value: 3.0, unit: 'g/dL', date: '2026-04-06', quote: 'Alb 3.0' },
        { concept: 'ca125', value: 3412, unit: 'U/mL', date: '2026-04-06', quote: 'CA-125 3,412 U/mL' },
        { concept: 'ca125', value: 2980, unit: 'U/mL', date: '2026-03-20', quote: '3/20/2026: 2,980 U/mL' },
        { concept: 'figo_stage', value: 'IVB', quote: 'FIGO IVB' },
      ],
      not_conditions: [
        { concept: 'bowel_obstruction', assertion: 'negated', quote: 'No bowel obstruction' },
        { concept: 'deep_vein_thrombosis', assertion: 'negated', quote: 'negative for DVT' },
        { concept: 'breast_cancer', assertion: 'family', quote: 'Mother - breast ca at 61' },
        { concept: 'ovarian_cancer', assertion: 'family', quote: 'Maternal cousin - ovarian cancer' },
        { concept: 'peripheral_neuropathy', assertion: 'hypothetical', quote: 'risk of neuropathy' },
        { concept: 'neutropenia', assertion: 'hypothetical', quote: 'risk of neuropathy and neutropenia' },
        { concept: 'pulmonary_embolism', assertion: 'hypothetical', quote: 'high risk of VTE/PE' },
      ],
    },
  },
  {
    id: 'own-en-2', language: 'en', kind: 'MRI report', date: '2026-02-17',
    text: `MRI PELVIS WITH AND WITHOUT CONTRAST
Date: 02/17/2026
Indication: 44F, complex right ovarian cyst, CA-125 88 U/mL on 02/02/2026. Known endometriosis. Evaluate for malignancy.

Findings:
Right ovary: 7.2 cm multilocular cystic lesion with T1-hyperintense locules and an enhancing mural nodule (1.4 cm).
Left ovary: endometrioma 2.8 cm.
No ascites. No peritoneal nodularity to suggest carcinomatosis. No pelvic lymphadenopathy.

Impression:
1. Right ovarian lesion with enhancing mural nodule, concerning for endometriosis-associated ovarian carcinoma (clear cell or endometrioid). O-RADS MRI 5.
2. Left endometrioma.`,
    gold: {
      conditions: [
        { concept: 'endometriosis', assertion: 'present', quote: 'Known endometriosis' },
        { concept: 'ovarian_cancer', assertion: 'possible', quote: 'concerning for endometriosis-associated ovarian carcinoma', attributes: { laterality: 'right' } },
      ],
      observations: [
        { concept: 'ca125', value: 88, unit: 'U/mL', date: '2026-02-02', quote: 'CA-125 88 U/mL on 02/02/2026' },
      ],
      not_conditions: [
        { concept: 'ascites', assertion: 'negated', quote: 'No ascites' },
        { concept: 'peritoneal_metastasis', assertion: 'negated', quote: 'No peritoneal nodularity to suggest carcinomatosis' },
      ],
    },
  },
  {
    id: 'own-en-3', language: 'en', kind: 'genetics letter', date: '2025-12-09',
    text: `Dear Dr. Ahmed,
Thank you for referring Mrs. Chen (52) for genetic assessment. She was treated for a right breast cancer in 2018 (ER+, lumpectomy and radiotherapy) and has been disease-free since.
Her family history includes ovarian cancer in her sister (diagnosed at 48) and pancreatic cancer in her father.
Panel testing (BRCA1, BRCA2, PALB2, RAD51C, RAD51D) identified a pathogenic BRCA1 variant, c.181T>G. No pathogenic variant was found in BRCA2.
This confirms hereditary breast and ovarian cancer syndrome. We discussed her risk of ovarian cancer (about 40 %) and recommended risk-reducing salpingo-oophorectomy.
Her other history is notable for type 2 diabetes and obesity (BMI 32). There is no history of DVT or PE.`,
    gold: {
      conditions: [
        { concept: 'breast_cancer', assertion: 'historical', quote: 'right breast cancer in 2018' },
        { concept: 'hboc_syndrome', assertion: 'present', quote: 'hereditary breast and ovarian cancer syndrome' },
        { concept: 'diabetes_type2', assertion: 'present', quote: 'type 2 diabetes' },
        { concept: 'obesity', assertion: 'present', quote: 'obesity (BMI 32)' },
      ],
      observations: [
        { concept: 'brca1_variant', value: 'present', quote: 'pathogenic BRCA1 variant, c.181T>G' },
        { concept: 'brca2_variant', value: 'absent', quote: 'No pathogenic variant was found in BRCA2' },
        { concept: 'bmi', value: 32, unit: 'kg/m2', quote: 'BMI 32' },
      ],
      not_conditions: [
        { concept: 'ovarian_cancer', assertion: 'family', quote: 'ovarian cancer in her sister' },
        { concept: 'ovarian_cancer', assertion: 'hypothetical', quote: 'risk of ovarian cancer' },
        { concept: 'deep_vein_thrombosis', assertion: 'negated', quote: 'no history of DVT' },
        { concept: 'pulmonary_embolism', assertion: 'negated', quote: 'no history of DVT or PE' },
      ],
    },
  },
  {
    id: 'own-de-1', language: 'de', kind: 'Arztbrief', date: '2026-01-30',
    text: `Sehr geehrter Herr Kollege,

wir berichten über Ihre Patientin, die sich vom 22.01.2026 bis 30.01.2026 in unserer Behandlung befand.

Diagnosen:
- Fortgeschrittenes hochgradig seröses Karzinom der rechten Tube, FIGO IVA (maligner Pleuraerguss rechts), ED 01/2026
- Peritonealkarzinose, Aszites
- Tumoranämie
- Arterielle Hypertonie, Hypothyreose
- Z.n. Mammakarzinom links 2015 (BET, Radiatio), rezidivfrei

Anamnese: Zunehmende Luftnot. Kein Fieber, keine Beinschwellung. Familienanamnese: Schwester mit Ovarialkarzinom.
Befunde: Pleurapunktion rechts am 23.01.2026 (1,2 l), Zytologie: Adenokarzinomzellen. Kein Nachweis einer Lungenembolie im CT.
Labor vom 28.01.2026: Hb 9,4 g/dl, Leukozyten 7,9/nl, Thrombozyten 389/nl, Kreatinin 0,74 mg/dl, Albumin 2,9 g/dl, CA 125 2.140 U/ml.
BRCA-Testung: ausstehend.
Entlassung in gutem AZ, ECOG 1, Gewicht 58 kg.
Procedere: Chemotherapie mit Carboplatin/Paclitaxel. Bei Fieber über 38,5 °C umgehende Vorstellung (Gefahr einer febrilen Neutropenie).`,
    gold: {
      conditions: [
        { concept: 'fallopian_tube_cancer', assertion: 'present', quote: 'hochgradig seröses Karzinom der rechten Tube, FIGO IVA', attributes: { histology: 'high_grade_serous', laterality: 'right', figo: 'IVA' } },
        { concept: 'pleural_effusion', assertion: 'present', quote: 'maligner Pleuraerguss rechts' },
        { concept: 'peritoneal_metastasis', assertion: 'present', quote: 'Peritonealkarzinose' },
        { concept: 'ascites', assertion: 'present', quote: 'Aszites' },
        { concept: 'anemia', assertion: 'present', quote: 'Tumoranämie' },
        { concept: 'hypertension', assertion: 'present', quote: 'Arterielle Hypertonie' },
        { concept: 'hypothyroidism', assertion: 'present', quote: 'Hypothyreose' },
        { concept: 'breast_cancer', assertion: 'historical', quote: 'Z.n. Mammakarzinom links 2015' },
      ],
      observations: [
        { concept: 'figo_stage', value: 'IVA', quote: 'FIGO IVA' },
        { concept: 'hemoglobin', value: 9.4, unit: 'g/dL', date: '2026-01-28', quote: 'Hb 9,4 g/dl' },
        { concept: 'leukocytes', value: 7.9, unit: '/nL', date: '2026-01-28', quote: 'Leukozyten 7,9/nl' },
        { concept: 'platelets', value: 389, unit: '/nL', date: '2026-01-28', quote: 'Thrombozyten 389/nl' },
        { concept: 'creatinine', value: 0.74, unit: 'mg/dL', date: '2026-01-28', quote: 'Kreatinin 0,74 mg/dl' },
        { concept: 'albumin', value: 2.9, unit: 'g/dL', date: '2026-01-28', quote: 'Albumin 2,9 g/dl' },
        { concept: 'ca125', value: 2140, unit: 'U/mL', date: '2026-01-28', quote: 'CA 125 2.140 U/ml' },
        { concept: 'ecog', value: 1, quote: 'ECOG 1' },
        { concept: 'body_weight', value: 58, unit: 'kg', quote: 'Gewicht 58 kg' },
      ],
      not_conditions: [
        { concept: 'ovarian_cancer', assertion: 'family', quote: 'Schwester mit Ovarialkarzinom' },
        { concept: 'pulmonary_embolism', assertion: 'negated', quote: 'Kein Nachweis einer Lungenembolie' },
        { concept: 'febrile_neutropenia', assertion: 'hypothetical', quote: 'Gefahr einer febrilen Neutropenie' },
      ],
    },
  },
  {
    id: 'own-de-2', language: 'de', kind: 'Nachsorge', date: '2026-03-18',
    text: `Nachsorgeuntersuchung am 18.03.2026

Diagnose: Endometrioides Ovarialkarzinom links, FIGO IC3, G2, ED 09/2023, Z.n. Staging-OP und 6 Zyklen Carboplatin.
Keimbahn: kein Nachweis einer BRCA1- oder BRCA2-Mutation.
Aktuell: Beschwerdefrei. Keine Polyneuropathie mehr. Kein Aszites, keine Raumforderung im kleinen Becken, kein Hinweis auf ein Rezidiv.
Nebenbefundlich Diabetes mellitus Typ 2 (HbA1c 6,8 %) und Adipositas, BMI 31 kg/m².
Labor: CA 125 9 U/ml, Hb 13,2 g/dl.
Gewicht 88 kg, Größe 1,70 m. ECOG 0.
Die Patientin wurde über das erhöhte Risiko für ein Endometriumkarzinom und ein Mammakarzinom aufgeklärt.`,
    gold: {
      conditions: [
        { concept: 'ovarian_cancer', assertion: 'present', quote: 'Endometrioides Ovarialkarzinom links, FIGO IC3', attributes: { histology: 'endometrioid', laterality: 'left', figo: 'IC3' } },
        { concept: 'diabetes_type2', assertion: 'present', quote: 'Diabetes mellitus Typ 2' },
        { concept: 'obesity', assertion: 'present', quote: 'Adipositas' },
      ],
      observations: [
        { concept: 'figo_stage', value: 'IC3', quote: 'FIGO IC3' },
        { concept: 'brca1_variant', value: 'absent', quote: 'kein Nachweis einer BRCA1- oder BRCA2-Mutation' },
        { concept: 'brca2_variant', value: 'absent', quote: 'kein Nachweis einer BRCA1- oder BRCA2-Mutation' },
        { concept: 'bmi', value: 31, unit: 'kg/m2', quote: 'BMI 31 kg/m²' },
        { concept: 'ca125', value: 9, unit: 'U/mL', quote: 'CA 125 9 U/ml' },
        { concept: 'hemoglobin', value: 13.2, unit: 'g/dL', quote: 'Hb 13,2 g/dl' },
        { concept: 'body_weight', value: 88, unit: 'kg', quote: 'Gewicht 88 kg' },
        { concept: 'body_height', value: 1.7, unit: 'm', quote: 'Größe 1,70 m' },
        { concept: 'ecog', value: 0, quote: 'ECOG 0' },
      ],
      not_conditions: [
        { concept: 'ascites', assertion: 'negated', quote: 'Kein Aszites' },
        { concept: 'breast_cancer', assertion: 'hypothetical', quote: 'erhöhte Risiko für ein Endometriumkarzinom und ein Mammakarzinom' },
      ],
    },
  },
  {
    id: 'own-de-3', language: 'de', kind: 'Konsil Innere Medizin', date: '2026-02-11',
    text: `Konsiliarbericht Innere Medizin, 11.02.2026
Fragestellung: Dyspnoe und Tachykardie bei bekanntem Ovarialkarzinom (FIGO IIIC), aktuell 3. Zyklus.
Befund: HF 118/min, SpO2 91 %. Einseitige Beinschwellung links.
Duplexsonographie: Thrombose der V. poplitea links, vereinbar mit tiefer Beinvenenthrombose.
CT-Angiographie: segmentale Lungenarterienembolie rechts. Kein Pleuraerguss.
Labor: Hb 10,8 g/dl, Thrombozyten 210 G/l, Kreatinin 1,4 mg/dl (Vorwert 0,8 mg/dl am 20.01.2026) im Sinne eines akuten Nierenversagens, a.e. prärenal.
Beurteilung: Tiefe Beinvenenthrombose links mit Lungenembolie. Akute Nierenschädigung. DD kardiale Genese der Dyspnoe.
Empfehlung: Therapeutische Antikoagulation mit Enoxaparin. Bei weiterer Verschlechterung der Nierenfunktion Dosisanpassung.`,
    gold: {
      conditions: [
        { concept: 'ovarian_cancer', assertion: 'present', quote: 'bekanntem Ovarialkarzinom (FIGO IIIC)', attributes: { figo: 'IIIC' } },
        { concept: 'deep_vein_thrombosis', assertion: 'present', quote: 'Tiefe Beinvenenthrombose links' },
        { concept: 'pulmonary_embolism', assertion: 'present', quote: 'segmentale Lungenarterienembolie rechts' },
        { concept: 'acute_kidney_injury', assertion: 'present', quote: 'Akute Nierenschädigung' },
      ],
      observations: [
        { concept: 'figo_stage', value: 'IIIC', quote: 'FIGO IIIC' },
        { concept: 'hemoglobin', value: 10.8, unit: 'g/dL', quote: 'Hb 10,8 g/dl' },
        { concept: 'platelets', value: 210, unit: '10*9/L', quote: 'Thrombozyten 210 G/l' },
        { concept: 'creatinine', value: 1.4, unit: 'mg/dL', quote: 'Kreatinin 1,4 mg/dl' },
        { concept: 'creatinine', value: 0.8, unit: 'mg/dL', date: '2026-01-20', quote: 'Vorwert 0,8 mg/dl am 20.01.2026' },
      ],
      not_conditions: [
        { concept: 'pleural_effusion', assertion: 'negated', quote: 'Kein Pleuraerguss' },
      ],
    },
  },
];
