/** Lab-table and lab-section shapes: times under dates, reference rows, criteria, "+" flags, section and header dates. */
import type { Finding } from '../../server/nlp/finding';
import { parseNumberAt } from '../../server/nlp/text/numbers';
import { extract, observationsOf } from './helpers';

/** concept → "value@date" of every observation, in text order. */
function cells(fs: Finding[], concept: string): string[] {
  return observationsOf(fs, concept).sort((a, b) => a.offset - b.offset).map((f) => `${f.value}@${f.date ?? '-'}`);
}

describe('table shapes: a line of times under the dates', () => {
  it('reads the first date column of an aligned report whose header has no label cell (EN)', () => {
    const text = `                 03/02/26   05/02/26   07/02/26   Units     Range
                 07:40      18:05      06:15
Hb               118        109 L      not done   g/L       115-165
Platelets        241        198        176        x10^9/L   150-400
Creatinine       71         93 H       88 H       umol/L    45-84
`;
    const fs = extract(text, 'en', '2026-02-08');
    expect(cells(fs, 'hemoglobin')).toEqual(['118@2026-02-03', '109@2026-02-05']);
    expect(cells(fs, 'platelets')).toEqual(['241@2026-02-03', '198@2026-02-05', '176@2026-02-07']);
    expect(cells(fs, 'creatinine')).toEqual(['71@2026-02-03', '93@2026-02-05', '88@2026-02-07']);
    expect(observationsOf(fs, 'hemoglobin').map((f) => f.quote)).toEqual(['118', '109 L']);
  });

  it('reads weekday headers with times below and bracketed units in the labels (DE)', () => {
    const text = `                     Di 03.03.   Do 05.03.   Mo 09.03.   Referenz
                     08:10       07:45       10:20
Hb [g/dl]            11,4-       10,8-       n.b.        12,0 – 15,5
Thrombo [Tsd/µl]     1.012+      388         305         150 – 370
Leuko [Tsd/µl]       4,4         2,9-        3,7-        3,9 – 10,2
`;
    const fs = extract(text, 'de', '2026-03-10');
    expect(cells(fs, 'hemoglobin')).toEqual(['11.4@2026-03-03', '10.8@2026-03-05']);
    expect(cells(fs, 'platelets')).toEqual(['1012@2026-03-03', '388@2026-03-05', '305@2026-03-09']);
    expect(cells(fs, 'leukocytes')).toEqual(['4.4@2026-03-03', '2.9@2026-03-05', '3.7@2026-03-09']);
  });
});

describe('table shapes: header dates joined to their time, printout abbreviations', () => {
  it('reads "03.03.26/07:30" headers and LEUK/THRO row names in capitals (DE)', () => {
    const text = `Datum/Zeit       03.03.26/07:30   10.03.26/08:05
LEUK             4,1              2,2 L
THRO             188              96 L
`;
    const fs = extract(text, 'de', '2026-03-11');
    expect(cells(fs, 'leukocytes')).toEqual(['4.1@2026-03-03', '2.2@2026-03-10']);
    expect(cells(fs, 'platelets')).toEqual(['188@2026-03-03', '96@2026-03-10']);
  });
});

describe('table shapes: quoted exports and lines without a header', () => {
  it('reads a CSV export that quotes its fields, each cell the text inside its quotes (DE ";", tab)', () => {
    const text = '"Datum";"Hb [g/dl]";"CA 125 [U/ml]"\n"03.03.2026";"10,1";"1.284"\n"10.03.2026";"9,8";"976"\n';
    const fs = extract(text, 'de', '2026-03-12');
    expect(cells(fs, 'hemoglobin')).toEqual(['10.1@2026-03-03', '9.8@2026-03-10']);
    expect(cells(fs, 'ca125')).toEqual(['1284@2026-03-03', '976@2026-03-10']);
    expect(observationsOf(fs, 'ca125').map((f) => f.quote)).toEqual(['1.284', '976']);
    const tab = extract('Datum\tLeukozyten [G/l]\n"03.03.2026"\t"3,9"\n', 'de', '2026-03-12');
    expect(cells(tab, 'leukocytes')).toEqual(['3.9@2026-03-03']);
  });

  it('reads the value after the reference range on an aligned line without a header, and a bare value above "Hämoglobin"', () => {
    const fs = extract('Thrombozyten   150 - 400   /nl   198\nHämoglobin     12 - 16     g/dl  10,4\n', 'de', '2026-03-12');
    expect(observationsOf(fs, 'platelets').map((f) => f.value)).toEqual([198]);
    expect(observationsOf(fs, 'hemoglobin').map((f) => f.value)).toEqual([10.4]);
    const bare = extract('Thrombozyten 211\nHämoglobin 11,9 g/dl\n', 'de', '2026-03-12');
    expect(observationsOf(bare, 'platelets').map((f) => f.value)).toEqual([211]);
    // a range on a line of prose is no reference column: nothing is read from it
    expect(observationsOf(extract('Thrombozyten 150 - 400 normal.', 'de'), 'platelets')).toEqual([]);
  });
});

describe('table shapes: rows that hold no measurement', () => {
  it('never reads the reference row under a one-row-per-date table (DE pipe, EN tab)', () => {
    const de = `Datum      | CEA (ng/ml) | CA 19-9 (U/ml)
03.02.2026 | 4,1 H       | 52 H
10.03.2026 | 3,2         | folgt
Referenz   | < 3,4       | < 37
`;
    const fsDe = extract(de, 'de', '2026-03-12');
    expect(cells(fsDe, 'cea')).toEqual(['4.1@2026-02-03', '3.2@2026-03-10']);
    expect(cells(fsDe, 'ca19_9')).toEqual(['52@2026-02-03']);
    const en = 'Date\tHE4 (pmol/L)\tCA-125 (U/mL)\n02/14/2026\t233 H\t410 H\n03/14/2026\t180 H\t95 H\nNormal range\t< 70\t< 35\n';
    const fsEn = extract(en, 'en', '2026-03-20');
    expect(cells(fsEn, 'he4')).toEqual(['233@2026-02-14', '180@2026-03-14']);
    expect(cells(fsEn, 'ca125')).toEqual(['410@2026-02-14', '95@2026-03-14']);
  });
});

describe('table shapes: a row the table cannot read', () => {
  it('reads no exponent of a "x10^9/L" label as a value when the row is not done (EN, DE)', () => {
    const en = extract('Test                  13/03/2026   20/03/2026\nWBC (x10^9/L)         not done     --\nHb (g/dL)             9.9          10.2\n', 'en', '2026-03-21');
    expect(observationsOf(en, 'leukocytes')).toEqual([]);
    expect(cells(en, 'hemoglobin')).toEqual(['9.9@2026-03-13', '10.2@2026-03-20']);
    const de = extract('Leukozyten (10^9/l): hämolytisch\n', 'de', '2026-03-21');
    expect(observationsOf(de, 'leukocytes')).toEqual([]);
  });
});

describe('prose values: criteria, counts and German "+" flags', () => {
  it('reads no value from a plan criterion after a condition word, also one joined by "und"/"or" (DE, EN)', () => {
    const de = extract('Nächster Zyklus nur bei Neutrophilen ≥ 1,5 G/l und Thrombozyten > 100 G/l.', 'de');
    expect(observationsOf(de, 'neutrophils_abs')).toEqual([]);
    expect(observationsOf(de, 'platelets')).toEqual([]);
    const en = extract('Hold olaparib until platelets > 100 x10^9/L or Hb >= 10 g/dL on repeat.', 'en');
    expect(observationsOf(en, 'platelets')).toEqual([]);
    expect(observationsOf(en, 'hemoglobin')).toEqual([]);
  });

  it('keeps a measured value with a comparator that no condition word introduces', () => {
    const fs = extract('Tumour markers today: CEA <0.5 ng/mL, CA-125 18 U/mL.', 'en');
    expect(observationsOf(fs, 'cea')[0]).toMatchObject({ value: 0.5, comparator: '<' });
  });

  it('never reads the day of a cycle after a dated value as a further value (DE, EN)', () => {
    const de = extract('Thrombozyten zuletzt 88 G/l (02.03.2026), deshalb Carboplatin an Tag 15 pausiert.', 'de', '2026-03-05');
    expect(cells(de, 'platelets')).toEqual(['88@2026-03-02']);
    const en = extract('Platelets 91 x10^9/L (02/03/2026), so day 8 gemcitabine omitted.', 'en', '2026-03-05');
    expect(observationsOf(en, 'platelets').map((f) => f.value)).toEqual([91]);
  });

  it('reads "96+" as a value flagged high in German and as "96 or more" in English', () => {
    expect(parseNumberAt('96+', 0, 'de')).toMatchObject({ value: 96 });
    expect(parseNumberAt('96+', 0, 'de')?.comparator).toBeUndefined();
    expect(parseNumberAt('96+', 0, 'en')).toMatchObject({ value: 96, comparator: '>=' });
    const fs = extract('Nachgetragen:\nCEA [ng/ml]     5,2+   (Ref. < 3,4)\nCA 19-9 [U/ml]  41+    (Ref. < 37)\n', 'de');
    expect(observationsOf(fs, 'cea')[0]).toMatchObject({ value: 5.2, unit: 'ng/mL' });
    expect(observationsOf(fs, 'cea')[0].comparator).toBeUndefined();
    expect(observationsOf(fs, 'ca19_9').map((f) => f.value)).toEqual([41]);
  });
});

describe('prose values: series and lists wrapped onto the next line', () => {
  it('follows a dated series onto the next line, each value on its own date (EN, DE)', () => {
    const en = extract(`Tumour marker: CA-125 still falling - 540 U/mL pre-op (11/20/2025),
210 on 01/15/2026, and 66 U/mL on 02/19/2026.`, 'en', '2026-02-25');
    expect(cells(en, 'ca125')).toEqual(['540@2025-11-20', '210@2026-01-15', '66@2026-02-19']);
    const de = extract(`Verlauf: CA 125 steigend: 22 U/ml (14.11.2025) -> 58 U/ml (21.01.2026) ->
133 U/ml (18.02.2026). Sonst keine Auffälligkeiten.`, 'de', '2026-02-25');
    expect(cells(de, 'ca125')).toEqual(['22@2025-11-14', '58@2026-01-21', '133@2026-02-18']);
  });

  it('dates a value opening a line by the bracketed date closing the line above (DE)', () => {
    const fs = extract(`CA 125 am 03.03.2026: 70 U/ml. Ausgangswert vor Therapie (13.01.2026)
1'450 U/ml.`, 'de', '2026-03-05');
    expect(cells(fs, 'ca125')).toEqual(['70@2026-03-03', '1450@2026-01-13']);
  });

  it('reads a list item whose name ends one line and whose number opens the next (EN)', () => {
    const fs = extract(`Bloods today: Hb 98 g/L, WCC 4.1, neutrophils
  2.2, platelets 190.`, 'en', '2026-02-25');
    expect(observationsOf(fs, 'neutrophils_abs').map((f) => f.value)).toEqual([2.2]);
    expect(observationsOf(fs, 'platelets').map((f) => f.value)).toEqual([190]);
  });

  it('reads an earlier value named by its cue a few words after the analyte, with its unit (DE)', () => {
    const fs = extract(`Kreatinin erhöht bei bekannter
Niereninsuffizienz (Vorwert 1,21 mg/dl am 14.04.2025); keine akute Verschlechterung.`, 'de', '2026-03-05');
    expect(cells(fs, 'creatinine')).toEqual(['1.21@2025-04-14']);
  });
});

describe('lab dates: sections and report headers', () => {
  it('dates the lab values of a wrapped lab section by its label, never the weight below it (EN, DE)', () => {
    const en = extract(`Bloods 04/03/2026: Hb 101 g/L, WCC 5.2, platelets
210 x10^9/L, creatinine 77 umol/L. Weight 70 kg, BMI 24.

Plan: review in clinic.`, 'en', '2026-03-09');
    expect(cells(en, 'platelets')).toEqual(['210@2026-03-04']);
    expect(cells(en, 'creatinine')).toEqual(['77@2026-03-04']);
    expect(cells(en, 'body_weight')).toEqual(['70@-']);
    const de = extract(`Labor vom 16.02.2026: Hb 10,9 g/dl, Kreatinin 0,8 mg/dl.
Leukozyten 3,1 /nl, Thrombozyten 144 /nl. CA 125 71 U/ml.
Gewicht 66 kg.`, 'de', '2026-02-20');
    expect(cells(de, 'leukocytes')).toEqual(['3.1@2026-02-16']);
    expect(cells(de, 'ca125')).toEqual(['71@2026-02-16']);
    expect(cells(de, 'body_weight')).toEqual(['66@-']);
  });

  it('never dates a section by an analyte\'s own dated label or by an imaging finding above it', () => {
    const fs = extract(`CA-125 12/02/2026: 64 U/mL.
Weight 71 kg, creatinine 80 umol/L.
MRI 10/02/2026: no ascites.
Hb 121 g/L.`, 'en', '2026-02-20');
    expect(cells(fs, 'creatinine')).toEqual(['80@-']);
    expect(cells(fs, 'hemoglobin')).toEqual(['121@-']);
  });

  it('goes on after an earlier-value bracket with the undated list, not with the bracket\'s date (DE)', () => {
    const fs = extract(`Labor (06:50): Kreatinin 1,9 mg/dl (Vorwert 0,8 mg/dl am 02.03.2026),
Hb 9,9 g/dl, Thrombozyten 120 /nl.`, 'de', '2026-03-12');
    expect(cells(fs, 'hemoglobin')).toEqual(['9.9@-']);
    expect(cells(fs, 'platelets')).toEqual(['120@-']);
  });

  it('dates a one-result-column report by the receipt date of its header, across blank lines and past a birth date (DE, EN)', () => {
    const de = extract(`Laborbefund
Patient: Muster, Erika, geb. 03.04.1957     Eingang: 09.03.2026 07:30
Einsender: Praxis Dr. Beispiel

Blutbild                  Ergebnis    Einheit    Referenz
  Hämoglobin              11,2 -      g/dl       12,0 - 16,0
  Thrombozyten            188.000     /µl        150.000 - 370.000
`, 'de', '2026-03-11');
    expect(cells(de, 'hemoglobin')).toEqual(['11.2@2026-03-09']);
    expect(cells(de, 'platelets')).toEqual(['188000@2026-03-09']);
    const en = extract(`Received: 02/17/2026   DOB: 05/30/1960
Ordered by: Dr A. Example

Test          Result    Units     Reference
Albumin       3.1 L     g/dL      3.5-5.0
CA-125        212 H     U/mL      <35
`, 'en', '2026-02-19');
    expect(cells(en, 'albumin')).toEqual(['3.1@2026-02-17']);
    expect(cells(en, 'ca125')).toEqual(['212@2026-02-17']);
  });

  it('dates the lines under a heading with a labelled sampling date and a remark (DE)', () => {
    const fs = extract(`Tumormarker – Abnahme 12.01.2026 (Fremdlabor, nachgereicht)
CA 125: 312 U/ml
HE4: 205 pmol/l
`, 'de', '2026-02-02');
    expect(cells(fs, 'ca125')).toEqual(['312@2026-01-12']);
    expect(cells(fs, 'he4')).toEqual(['205@2026-01-12']);
  });

  it('dates findings the letter leaves undated by the day the patient was seen, not the letter\'s date (EN, DE)', () => {
    const en = extract(`March 12, 2026

RE: Mrs Example   DOB 04/05/1961
Visit: 03/10/2026, routine follow-up

Exam: Wt 70.1 kg, BMI 26.0. ECOG 1.
Labs 03/02/2026: CA-125 21 U/mL.`, 'en', '2026-03-12');
    expect(cells(en, 'body_weight')).toEqual(['70.1@2026-03-10']);
    expect(cells(en, 'ecog')).toEqual(['1@2026-03-10']);
    expect(cells(en, 'ca125')).toEqual(['21@2026-03-02']);
    const de = extract(`Bad Tölz, 14.03.2026

wir sahen Ihre Patientin am 11.03.2026 in unserer Sprechstunde.
Befund: ECOG 0. Gewicht 64 kg, Größe 166 cm.`, 'de', '2026-03-14');
    expect(cells(de, 'body_weight')).toEqual(['64@2026-03-11']);
    expect(cells(de, 'ecog')).toEqual(['0@2026-03-11']);
  });

  it('takes no encounter date from a sentence of the note, only from a header field or the letter formula (EN)', () => {
    const fs = extract('We reviewed the scan seen on 2 March 2026 in clinic.\n\nWeight 70 kg.', 'en', '2026-03-05');
    expect(cells(fs, 'body_weight')).toEqual(['70@-']);
    const letter = extract('We saw your patient in clinic on 2 March 2026.\n\nWeight 70 kg.', 'en', '2026-03-05');
    expect(cells(letter, 'body_weight')).toEqual(['70@2026-03-02']);
  });

  it('reads Swiss "Eintritt"/"Austritt" as admission and discharge: both weights, each on its day (DE)', () => {
    const fs = extract(`AUSTRITTSBERICHT
Patientin: Frau Beispiel     Eintritt 02.03.2026     Austritt 11.03.2026

Verlauf: Gewicht bei Eintritt 66.0 kg, bei Austritt 63.4 kg.`, 'de', '2026-03-12');
    expect(cells(fs, 'body_weight')).toEqual(['66@2026-03-02', '63.4@2026-03-11']);
  });

  it('dates a late result by its sampling date, not the report date in its bracket (DE, EN)', () => {
    const de = extract('Anmerkung: CEA vom 09.02. nachgereicht: 4,4 ng/ml (Befund vom 12.02.2026).', 'de', '2026-02-20');
    expect(cells(de, 'cea')).toEqual(['4.4@2026-02-09']);
    const en = extract('Addendum: HE4 drawn 9 February 2026 came back 140 pmol/L (reported 12 February 2026).', 'en', '2026-02-20');
    expect(cells(en, 'he4')).toEqual(['140@2026-02-09']);
  });

  it('never dates a performance score by the lab list on the line above (EN)', () => {
    const fs = extract(`Labs 03/02/2026: Hb 11.0 g/dL; platelets 210;
ECOG 1.`, 'en', '2026-03-05');
    expect(cells(fs, 'platelets')).toEqual(['210@2026-03-02']);
    expect(cells(fs, 'ecog')).toEqual(['1@-']);
  });
});
