/** A second annotated set (PET/CT, infusion visit, German pathology and emergency note), measured once before any rule change. */
import type { GoldNote } from '../../server/nlp/eval/score';

export const OWN_NOTES_2: GoldNote[] = [
 { id: 'h2-en-1', language: 'en', date: '2026-05-02', text: `PET/CT SKULL BASE TO MID-THIGH
Date: May 2, 2026
History: Recurrent ovarian carcinoma, rising CA-125 (now 212 U/mL). Prior history of right breast cancer.
Findings:
Neck/chest: No hypermetabolic lymph nodes. No pulmonary nodules. Trace left pleural effusion, non-avid.
Abdomen/pelvis: Multiple FDG-avid peritoneal implants (SUVmax 11.2), including a 2.6 cm implant in the right paracolic gutter. Mild ascites. Two hypermetabolic liver lesions consistent with hepatic metastases. Bowel loops are not dilated.
Impression:
1. Peritoneal carcinomatosis and new hepatic metastases, compatible with recurrent ovarian cancer.
2. No evidence of thoracic metastatic disease.`,
   gold: { conditions: [
     { concept: 'ovarian_cancer', assertion: 'present', quote: 'Recurrent ovarian carcinoma' },
     { concept: 'breast_cancer', assertion: 'historical', quote: 'Prior history of right breast cancer' },
     { concept: 'pleural_effusion', assertion: 'present', quote: 'Trace left pleural effusion' },
     { concept: 'peritoneal_metastasis', assertion: 'present', quote: 'Peritoneal carcinomatosis' },
     { concept: 'ascites', assertion: 'present', quote: 'Mild ascites' },
     { concept: 'liver_metastasis', assertion: 'present', quote: 'hepatic metastases' } ],
   observations: [ { concept: 'ca125', value: 212, unit: 'U/mL', quote: 'CA-125 (now 212 U/mL)' } ],
   not_conditions: [ { concept: 'lung_metastasis', assertion: 'negated', quote: 'No evidence of thoracic metastatic disease' } ] } },
 { id: 'h2-de-1', language: 'de', date: '2026-04-22', text: `Pathologisches Institut – Befund
Eingangsdatum: 20.04.2026
Material: Omentum, Peritonealbiopsien, Adnexe bds., Uterus.
Makroskopie / Mikroskopie: siehe unten.
Diagnose:
- Adnexe links: Low-grade seröses Karzinom des Ovars, Tumorgröße 6,5 cm, Kapsel rupturiert.
- Adnexe rechts: ohne Tumornachweis.
- Omentum: Metastase des serösen Karzinoms (max. 1,8 cm).
- Peritonealbiopsien: tumorfrei.
Tumorklassifikation: pT3b pN0 (0/24) L0 V0, FIGO-Stadium IIIB.
Immunhistochemie: WT1 positiv, p53 Wildtyp, ER positiv.
Kommentar: Keine Hinweise auf ein hochgradiges Karzinom. Ein Lynch-Syndrom ist unwahrscheinlich.`,
   gold: { conditions: [
     { concept: 'ovarian_cancer', assertion: 'present', quote: 'Low-grade seröses Karzinom des Ovars', attributes: { histology: 'low_grade_serous', laterality: 'left', figo: 'IIIB' } },
     { concept: 'peritoneal_metastasis', assertion: 'present', quote: 'Omentum: Metastase des serösen Karzinoms' } ],
   observations: [ { concept: 'figo_stage', value: 'IIIB', quote: 'FIGO-Stadium IIIB' } ],
   not_conditions: [] } },
 { id: 'h2-en-2', language: 'en', date: '2026-03-30', text: `Infusion visit - C2D1 weekly paclitaxel
62 y/o with platinum-resistant clear cell ovarian ca (L), FIGO IIB, recurrence 01/2026.
Vitals: BP 142/88, HR 90, Temp 36.9, Wt 67 kg.
CBC: WBC 5.2 / Hgb 11.4 / Plt 188 / ANC 3.4
CMP: creat 0.7, albumin 3.9
Toxicity: G1 fatigue. No neuropathy. Denies fever.
Hx: HTN, hypothyroid, obesity (BMI 30.2), depression. No hx of VTE.
BRCA1/2 wildtype (germline, 2025).
OK to treat. Counseled that paclitaxel may cause peripheral neuropathy and neutropenia.`,
   gold: { conditions: [
     { concept: 'ovarian_cancer', assertion: 'present', quote: 'clear cell ovarian ca (L), FIGO IIB', attributes: { histology: 'clear_cell', laterality: 'left', figo: 'IIB' } },
     { concept: 'hypertension', assertion: 'present', quote: 'HTN' },
     { concept: 'hypothyroidism', assertion: 'present', quote: 'hypothyroid' },
     { concept: 'obesity', assertion: 'present', quote: 'obesity' },
     { concept: 'depression', assertion: 'present', quote: 'depression' } ],
   observations: [
     { concept: 'figo_stage', value: 'IIB', quote: 'FIGO IIB' },
     { concept: 'body_weight', value: 67, unit: 'kg', quote: 'Wt 67 kg' },
     { concept: 'leukocytes', value: 5.2, unit: '10*3/uL', quote: 'WBC 5.2' },
     { concept: 'hemoglobin', value: 11.4, unit: 'g/dL', quote: 'Hgb 11.4' },
     { concept: 'platelets', value: 188, unit: '10*3/uL', quote: 'Plt 188' },
     { concept: 'neutrophils_abs', value: 3.4, unit: '10*3/uL', quote: 'ANC 3.4' },
     { concept: 'creatinine', value: 0.7, unit: 'mg/dL', quote: 'creat 0.7' },
     { concept: 'albumin', value: 3.9, unit: 'g/dL', quote: 'albumin 3.9' },
     { concept: 'bmi', value: 30.2, unit: 'kg/m2', quote: 'BMI 30.2' },
     { concept: 'brca1_variant', value: 'absent', quote: 'BRCA1/2 wildtype' },
     { concept: 'brca2_variant', value: 'absent', quote: 'BRCA1/2 wildtype' } ],
   not_conditions: [
     { concept: 'peripheral_neuropathy', assertion: 'negated', quote: 'No neuropathy' },
     { concept: 'peripheral_neuropathy', assertion: 'hypothetical', quote: 'may cause peripheral neuropathy' },
     { concept: 'neutropenia', assertion: 'hypothetical', quote: 'may cause peripheral neuropathy and neutropenia' } ] } },
 { id: 'h2-de-2', language: 'de', date: '2026-02-03', text: `Notaufnahme – Aufnahmebefund 03.02.2026, 02:14 Uhr
Vorstellung mit Fieber 39,1 °C und Schüttelfrost, letzte Chemotherapie (Carboplatin/Paclitaxel) vor 9 Tagen bei Ovarialkarzinom rechts FIGO IIIC.
Labor: Leukozyten 0,6 G/l, Neutrophile 0,1 G/l, Hb 8,7 g/dl, Thrombozyten 45 G/l, Krea 1,3 mg/dl, CRP 187 mg/l, Laktat 2,4 mmol/l.
Diagnose: Febrile Neutropenie, V.a. Sepsis. Chemotherapie-assoziierte Anämie und Thrombopenie.
Vorerkrankungen: Diabetes mellitus Typ 2 (insulinpflichtig), Z.n. Beinvenenthrombose links 2020, keine Lungenembolie.
Röntgen Thorax: kein Infiltrat, kein Pleuraerguss.
Therapie: Piperacillin/Tazobactam, G-CSF. Bei weiterem Kreatininanstieg Nephrologie-Konsil wegen drohendem akutem Nierenversagen.`,
   gold: { conditions: [
     { concept: 'ovarian_cancer', assertion: 'present', quote: 'Ovarialkarzinom rechts FIGO IIIC', attributes: { laterality: 'right', figo: 'IIIC' } },
     { concept: 'febrile_neutropenia', assertion: 'present', quote: 'Febrile Neutropenie' },
     { concept: 'anemia', assertion: 'present', quote: 'Chemotherapie-assoziierte Anämie' },
     { concept: 'diabetes_type2', assertion: 'present', quote: 'Diabetes mellitus Typ 2 (insulinpflichtig)' },
     { concept: 'deep_vein_thrombosis', assertion: 'historical', quote: 'Z.n. Beinvenenthrombose links 2020' } ],
   observations: [
     { concept: 'figo_stage', value: 'IIIC', quote: 'FIGO IIIC' },
     { concept: 'leukocytes', value: 0.6, unit: '10*9/L', quote: 'Leukozyten 0,6 G/l' },
     { concept: 'neutrophils_abs', value: 0.1, unit: '10*9/L', quote: 'Neutrophile 0,1 G/l' },
     { concept: 'hemoglobin', value: 8.7, unit: 'g/dL', quote: 'Hb 8,7 g/dl' },
     { concept: 'platelets', value: 45, unit: '10*9/L', quote: 'Thrombozyten 45 G/l' },
     { concept: 'creatinine', value: 1.3, unit: 'mg/dL', quote: 'Krea 1,3 mg/dl' } ],
   not_conditions: [
     { concept: 'pulmonary_embolism', assertion: 'negated', quote: 'keine Lungenembolie' },
     { concept: 'pleural_effusion', assertion: 'negated', quote: 'kein Pleuraerguss' },
     { concept: 'acute_kidney_injury', assertion: 'hypothetical', quote: 'drohendem akutem Nierenversagen' } ] } },
];
