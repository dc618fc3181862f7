/** Lab printouts and value lines in layouts from outside the team: spaced flags, exports, Swiss numbers, wrapped prose. */
import fc from 'fast-check';
import type { Finding } from '../../server/nlp/finding';
import { parseNumberAt } from '../../server/nlp/text/numbers';
import { extract, observationsOf } from './helpers';

/** concept → "value@date" (date '-' when none) of every observation, in text order. */
function cells(fs: Finding[], concept: string): string[] {
  return observationsOf(fs, concept).sort((a, b) => a.offset - b.offset).map((f) => `${f.value}@${f.date ?? '-'}`);
}

describe('table cells: flags and not-done markers', () => {
  it('reads a semicolon export whose flags are a spaced or glued "-" / "+" (DE)', () => {
    const text = `Analyt;Einh.;Norm;03.03.26;17.03.26;31.03.26
Leukozyten;G/l;4,0-10,0;5,05;3,12 -;2,80-
Hämoglobin;g/dl;12,0-16,0;11,7 -;n.a.;10,9 -
Kreatinin;mg/dl;0,50-0,90;0,93 +;0,88;--
`;
    const fs = extract(text, 'de', '2026-04-01');
    expect(cells(fs, 'leukocytes')).toEqual(['5.05@2026-03-03', '3.12@2026-03-17', '2.8@2026-03-31']);
    expect(cells(fs, 'hemoglobin')).toEqual(['11.7@2026-03-03', '10.9@2026-03-31']);
    expect(cells(fs, 'creatinine')).toEqual(['0.93@2026-03-03', '0.88@2026-03-17']);
    expect(observationsOf(fs, 'leukocytes').map((f) => f.quote)).toEqual(['5,05', '3,12 -', '2,80-']);
  });

  it('keeps a glued "-" flag inside its cell: the next column is not the top of a range (DE aligned)', () => {
    const text = `Befund           02.02.   09.02.   16.02.
Neutrophile /nl  2,2      0,8-     1,7
Leukozyten /nl   4,0      2,1-     3,3
`;
    const fs = extract(text, 'de', '2026-02-20');
    expect(cells(fs, 'neutrophils_abs')).toEqual(['2.2@2026-02-02', '0.8@2026-02-09', '1.7@2026-02-16']);
    expect(cells(fs, 'leukocytes')).toEqual(['4@2026-02-02', '2.1@2026-02-09', '3.3@2026-02-16']);
  });

  it('reads a column of decimals under labelled date headers as values, not as more dates (EN)', () => {
    const text = `Results:        Arrival 3/02    Day 4 3/05
 Hb (g/dL)      11.9            10.4
 Plt (K/uL)     265             190
`;
    const fs = extract(text, 'en', '2026-03-06');
    expect(cells(fs, 'hemoglobin')).toEqual(['11.9@2026-03-02', '10.4@2026-03-05']);
    expect(cells(fs, 'platelets')).toEqual(['265@2026-03-02', '190@2026-03-05']);
  });

  it('reads Swiss apostrophe thousands ("1\'305") in a cell and a German one-row-per-value sheet with capitals', () => {
    const text = `Datum      Test     Resultat  Einheit   Referenz
04.05.26   THROMB   1'305     /µl       150-400
04.05.26   NEUT     2,6       G/l       1,8-7,5
`;
    const fs = extract(text, 'de', '2026-05-05');
    expect(observationsOf(fs, 'platelets').map((f) => f.value)).toEqual([1305]);
    expect(observationsOf(fs, 'neutrophils_abs').map((f) => f.value)).toEqual([2.6]);
  });

  it('parses apostrophe-grouped numbers only with groups of three digits (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 0, max: 999 }), (hi, lo) => {
      const s = `${hi}'${String(lo).padStart(3, '0')}`;
      expect(parseNumberAt(s, 0, 'de')?.value).toBe(hi * 1000 + lo);
    }));
    expect(parseNumberAt("12'34", 0, 'de')?.value).toBe(12);
  });
});

describe('value lines in prose', () => {
  it('reads a value written after a clock time in a nursing log (DE, EN)', () => {
    expect(observationsOf(extract('Schicht ruhig.\n21:15 Hb nach Transfusion 9,2 g/dl. Schläft.', 'de', '2026-05-05'), 'hemoglobin').map((f) => f.value)).toEqual([9.2]);
    expect(observationsOf(extract('06:40 WBC 2.9, plt 101 after cycle 3.', 'en', '2026-05-05'), 'leukocytes').map((f) => f.value)).toEqual([2.9]);
  });

  it('takes an earlier value with its own date in brackets, its unit left to the first (EN)', () => {
    const fs = extract('Bloods today: Hb 9.1 g/dL (was 10.3 on 4/28), creat 1.2 (baseline 0.8 on 3/30).', 'en', '2026-05-10');
    expect(cells(fs, 'hemoglobin')).toEqual(['9.1@2026-05-10', '10.3@2026-04-28']);
    expect(cells(fs, 'creatinine')).toEqual(['1.2@2026-05-10', '0.8@2026-03-30']);
  });

  it('never takes a day ("5/11"), an ordinal ("the 2nd") or a signed change ("+2.4 kg") as a value (EN)', () => {
    expect(observationsOf(extract('CA-125 5/11: 2,410 U/mL.', 'en', '2026-05-20'), 'ca125').map((f) => f.value)).toEqual([2410]);
    expect(observationsOf(extract('Her CA-125 on the 2nd of May was 35 U/mL.', 'en', '2026-05-20'), 'ca125').map((f) => f.value)).toEqual([35]);
    expect(observationsOf(extract('Weight 70.2 kg (admission 67.8 kg on 5/12) - +2.4 kg.', 'en', '2026-05-20'), 'body_weight').map((f) => f.value))
      .toEqual([70.2, 67.8]);
    expect(observationsOf(extract('Weight down 4 kg since March.', 'en', '2026-05-20'), 'body_weight')).toEqual([]);
  });

  it('skips a remark in brackets between analyte and value (DE, EN)', () => {
    expect(observationsOf(extract('Gewicht (anamnestisch) 71 kg, Größe 168 cm.', 'de'), 'body_weight').map((f) => f.value)).toEqual([71]);
    expect(observationsOf(extract('Weight (per patient) 64 kg.', 'en'), 'body_weight').map((f) => f.value)).toEqual([64]);
  });

  it('follows a sentence wrapped right after the analyte, and a longer gap ending in "was" (EN, DE)', () => {
    const de = extract('Aktuell: Leukos 4,4 /nl, Hb 10,2 g/dl, Thrombozyten\n188 /nl, Krea 0,7 mg/dl.', 'de');
    expect(observationsOf(de, 'platelets').map((f) => f.value)).toEqual([188]);
    const en = extract('Referred by her GP. The CA-125 done at the surgery\non 02/03/2026 was 412 U/mL. Scan booked.', 'en', '2026-03-10');
    expect(observationsOf(en, 'ca125').map((f) => f.value)).toEqual([412]);
    // a label line ending in a colon, and a wrap into an aligned row, stay apart
    expect(observationsOf(extract('Thrombozyten:\n188 Patienten im Register', 'de'), 'platelets')).toEqual([]);
    // a longer gap needs the value's own unit
    expect(observationsOf(extract('The CA-125 drawn at the outside clinic last week was 412.', 'en'), 'ca125')).toEqual([]);
  });

  it('reads the height written right after the weight, in cm or m (DE, EN), never a length in another unit', () => {
    const de = extract('Status: Gewicht 71 kg bei 158 cm, AZ gut.', 'de');
    expect(observationsOf(de, 'body_height').map((f) => `${f.value} ${f.unit}`)).toEqual(['158 cm']);
    const en = extract('Wt 82.5 kg / 1.74 m today.', 'en');
    expect(observationsOf(en, 'body_height').map((f) => `${f.value} ${f.unit}`)).toEqual(['1.74 m']);
    expect(observationsOf(extract('Weight 70 kg, 3 mm nodule unchanged.', 'en'), 'body_height')).toEqual([]);
  });

  it('stops a wrapped sentence at its full stop: a year in the next sentence is no value', () => {
    const fs = extract('Seen for a pelvic mass, CA-125 940 (2/11/26), right\nadnexa tender. Hx of breast cancer (L, 2012, treated).', 'en', '2026-02-20');
    expect(observationsOf(fs, 'ca125').map((f) => f.value)).toEqual([940]);
  });
});

describe('table cells: performance status', () => {
  it('reads an ECOG column of a one-row-per-date flowsheet, each score on its row date (EN, tabs)', () => {
    const text = 'Visit\tWt kg\tHgb g/dL\tECOG\n2026-04-07\t66.0\t12.2\t1\n2026-05-05\t65.1\t11.8\t2\n2026-06-02\t64.9\t.\tn/a\n';
    const fs = extract(text, 'en', '2026-06-03');
    expect(cells(fs, 'ecog')).toEqual(['1@2026-04-07', '2@2026-05-05']);
  });

  it('reads an ECOG row of a table with date columns once per column, not once more as prose (DE)', () => {
    const text = `Verlauf        10.03.26   31.03.26
Hb g/dl        11,6       10,9
ECOG           0          1
`;
    const fs = extract(text, 'de', '2026-04-01');
    expect(cells(fs, 'ecog')).toEqual(['0@2026-03-10', '1@2026-03-31']);
  });
});

describe('Swiss one-row-per-date printouts', () => {
  it('reads units under the header, Lc/Tc abbreviations and apostrophe thousands; n.a. and s. Bem. are no values', () => {
    const text = `Datum       Hb      Lc      Tc       Krea     CA-125
            g/l     G/l     G/l      umol/l   kU/l
07.09.2026  126     6.4     233      68       2'015
21.09.2026  111     n.a.    187      s. Bem.  1'130
`;
    const fs = extract(text, 'de', '2026-09-22');
    expect(cells(fs, 'leukocytes')).toEqual(['6.4@2026-09-07']);
    expect(cells(fs, 'platelets')).toEqual(['233@2026-09-07', '187@2026-09-21']);
    expect(cells(fs, 'ca125')).toEqual(['2015@2026-09-07', '1130@2026-09-21']);
    expect(cells(fs, 'creatinine')).toEqual(['68@2026-09-07']);
  });

  it('never reads "Tc" without a unit as platelets (technetium in a scan report)', () => {
    expect(observationsOf(extract('Skelettszintigraphie mit Tc 99m: unauffällig.', 'de'), 'platelets')).toEqual([]);
  });
});
