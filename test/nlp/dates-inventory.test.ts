/**
 * An inventory of the ways clinicians write the date of a measured value, in English and German, and the dates a value
 * must NOT take (birth, a future appointment, a report date beside a collection date, the date of an earlier value).
 * Every row is a sentence written for this table; the document date is Wednesday 18 March 2026 unless a row says otherwise.
 */
import fc from 'fast-check';
import { extract, observationsOf } from './helpers';

type Row = [label: string, language: 'en' | 'de', text: string, concept: string, dates: Array<string | undefined>, doc?: string];

const DOC = '2026-03-18';

/** The date each value gets as written to FHIR: its own, else the document's (undefined in a row means "the document date"). */
const datesOf = (row: Row): string[] =>
  observationsOf(extract(row[2], row[1], row[5] ?? DOC), row[3]).sort((a, b) => a.offset - b.offset).map((f) => f.date ?? row[5] ?? DOC);

const EN_WRITTEN: Row[] = [
  ['US numeric with two-digit year', 'en', 'Hemoglobin 9.6 g/dL on 3/12/26.', 'hemoglobin', ['2026-03-12']],
  ['US numeric, padded', 'en', 'CA-125 845 U/mL on 03/12/2026 (MM/DD/YYYY).', 'ca125', ['2026-03-12']],
  ['UK numeric in a British note', 'en', 'Haemoglobin 96 g/L on 12/03/2026; anaemia noted, tumour markers pending, creatinine 71 umol/L.', 'hemoglobin', ['2026-03-12']],
  ['dotted with two-digit year', 'en', 'CA-125 845 U/mL on 12.3.26.', 'ca125', ['2026-03-12']],
  ['day-month-year with hyphens', 'en', 'CA-125 845 U/mL (12-Mar-2026).', 'ca125', ['2026-03-12']],
  ['day and month without year', 'en', 'CA-125 845 U/mL on 12 Mar.', 'ca125', ['2026-03-12']],
  ['month and ordinal day', 'en', 'CA-125 was 845 U/mL on Mar 12th.', 'ca125', ['2026-03-12']],
  ['month day, year', 'en', 'On March 12, 2026 her CA-125 was 845 U/mL.', 'ca125', ['2026-03-12']],
  ['ordinal day before month', 'en', 'CA-125 on 12th March was 845 U/mL.', 'ca125', ['2026-03-12']],
  ['"the 3rd" of the document month', 'en', 'CA-125 was 845 U/mL on the 3rd.', 'ca125', ['2026-03-03']],
  ['"on the 12th"', 'en', 'Bloods on the 12th: Hb 9.6 g/dL.', 'hemoglobin', ['2026-03-12']],
  ['"the 28th" of the previous month when after the document day', 'en', 'Hb 9.6 g/dL on the 28th.', 'hemoglobin', ['2026-02-28']],
  ['ISO date', 'en', 'Hb 9.6 g/dL (2026-03-12).', 'hemoglobin', ['2026-03-12']],
  ['"the 3rd of this month"', 'en', 'Her CA-125 on the 3rd of this month was 845 U/mL.', 'ca125', ['2026-03-03']],
  ['"the 20th of last month"', 'en', 'Hb checked on the 20th of last month: 9.6 g/dL.', 'hemoglobin', ['2026-02-20']],
  ['an ordinal counting cycles is no date', 'en', 'On the 3rd cycle CA-125 was 845 U/mL.', 'ca125', [undefined]],
  ['a day/month label closed by a colon', 'en', 'CA-125 3/9: 1,266 U/mL.', 'ca125', ['2026-03-09']],
  ['day/month labels opening each line', 'en', '3/2: WBC 5.1, Plt 210\n3/9: WBC 3.2, Plt 180', 'platelets', ['2026-03-02', '2026-03-09']],
  ['a bracketed day/month after each value', 'en', 'CA-125 trend: 845 U/mL (1/5), 212 U/mL (2/9), 48 U/mL (3/9).', 'ca125', ['2026-01-05', '2026-02-09', '2026-03-09']],
  ['"drawn" and "by" cue a day/month', 'en', 'Labs drawn 3/16: Plt 160 x10^9/L. Creatinine 2.1 mg/dL on admission -> 0.9 by 3/17.', 'platelets', ['2026-03-16']],
  ['an English decimal closing a sentence is no German date', 'en', 'Labs last Friday: WBC 3.8, creatinine 1.05.', 'creatinine', ['2026-03-13']],
];

const EN_RELATIVE: Row[] = [
  ['yesterday', 'en', 'Bloods yesterday: Hb 9.6 g/dL.', 'hemoglobin', ['2026-03-17']],
  ['last Tuesday', 'en', 'Hb was 9.6 g/dL last Tuesday.', 'hemoglobin', ['2026-03-17']],
  ['2 days ago', 'en', 'Hb 9.6 g/dL 2 days ago.', 'hemoglobin', ['2026-03-16']],
  ['this morning', 'en', 'Hb this morning 9.6 g/dL.', 'hemoglobin', ['2026-03-18']],
  ['today', 'en', 'Hb today 9.6 g/dL.', 'hemoglobin', ['2026-03-18']],
  ['on admission', 'en', 'Admitted: 14/03/2026. Discharged: 18/03/2026.\n\nHb on admission 8.1 g/dL, at discharge 9.6 g/dL.', 'hemoglobin', ['2026-03-14', '2026-03-18']],
  ['last night', 'en', 'Hb last night 9.6 g/dL.', 'hemoglobin', ['2026-03-17']],
  ['this afternoon', 'en', 'Repeat Hb this afternoon: 9.1 g/dL.', 'hemoglobin', ['2026-03-18']],
  ['labs from Monday', 'en', 'Labs from Monday: Hb 9.6 g/dL.', 'hemoglobin', ['2026-03-16']],
  ['a month after the value with "in"', 'en', 'CA-125 was 845 U/mL in January 2026.', 'ca125', ['2026-01']],
  ['a week ago', 'en', 'CA-125 was 845 U/mL a week ago.', 'ca125', ['2026-03-11']],
  ['"the same day" after a dated sentence, not after an aside in brackets', 'en',
    'CA-125 on 2 March was 11 U/mL (at diagnosis, 12/10/2021, it was 71). Full blood count the same day: Hb 13.2 g/dL.', 'hemoglobin', ['2026-03-02']],
  ['a list continued on the next line keeps the first line\'s date', 'en', '- Labs drawn last Friday: Hb 7.8 g/dL, plt 162,\n  WBC 3.8, creatinine 1.05 mg/dL.', 'leukocytes', ['2026-03-13']],
];

const EN_LABELS: Row[] = [
  ['"Date drawn:" line above the block', 'en', 'Date drawn: 12/03/2026\nHb 9.6 g/dL\nPlatelets 150 x10^9/L', 'platelets', ['2026-03-12']],
  ['"Collected:" beside "Reported:"', 'en', 'Collected: 12 Mar 2026  Reported: 14 Mar 2026\nHb 9.6 g/dL', 'hemoglobin', ['2026-03-12']],
  ['"Result date" after "Specimen date"', 'en', 'Specimen date 12-Mar-2026, Result date 14-Mar-2026\nCA-125 845 U/mL', 'ca125', ['2026-03-12']],
  ['"Reported" first, collection after', 'en', 'Reported 14/03/2026, collected 12/03/2026\nCA-125 845 U/mL', 'ca125', ['2026-03-12']],
  ['a bracket closing a list of values dates the list', 'en', 'CA-125 2,980 U/mL, CEA 3.1 ng/mL, albumin 2.7 g/dL (12/03/2026).', 'ca125', ['2026-03-12']],
  ['a written date in brackets beats "at discharge"', 'en', 'Admitted: 14/03/2026. Discharged: 18/03/2026.\n\nHb at discharge 9.6 g/dL (17/03/2026).', 'hemoglobin', ['2026-03-17']],
  ['a date and time before the values', 'en', '12/03 08:15 Hb 9.6 g/dL, Plt 150 x10^9/L', 'hemoglobin', ['2026-03-12']],
  ['date in parentheses after the value', 'en', 'Hb 9.6 g/dL (12 Mar), previously 11.2 g/dL (2 Mar).', 'hemoglobin', ['2026-03-12', '2026-03-02']],
  ['dated line above a block', 'en', '12 March 2026\nHb 9.6 g/dL\nCreatinine 71 umol/L', 'creatinine', ['2026-03-12']],
  ['a "Labs (date):" heading', 'en', 'Labs (12/03/2026):\nHb 96 g/L\nCA-125 845 U/mL', 'ca125', ['2026-03-12']],
];

const EN_NOT: Row[] = [
  ['a date of birth is never a measurement date', 'en', 'DOB: 03/04/1960\nHb 9.6 g/dL', 'hemoglobin', [undefined]],
  ['a future appointment in the same sentence', 'en', 'Hb 9.6 g/dL today; review on 25 March.', 'hemoglobin', ['2026-03-18']],
  ['"next CA-125 due" is not the date of the current value', 'en', 'CA-125 845 U/mL, next CA-125 due 04/03.', 'ca125', [undefined]],
  ['a follow-up date after the value', 'en', 'CA-125 is 845 U/mL. Repeat in clinic on 1 April 2026.', 'ca125', [undefined]],
  ['the date of an earlier value', 'en', 'CA-125 is 48 U/mL, down from 112 U/mL on 12/15/2025.', 'ca125', [undefined, '2025-12-15']],
  ['"on …" after a comma opens the next value', 'en', 'Hb was 9.6 g/dL on 3/12, and on 3/16 it was 9.1 g/dL.', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['"up from" an earlier value', 'en', 'Creatinine today 1.4 mg/dL, up from 0.9 mg/dL on Feb 2.', 'creatinine', ['2026-03-18', '2026-02-02']],
  ['"compared with" an earlier value', 'en', 'Hb 9.6 g/dL compared with 11.0 g/dL on 2 Mar.', 'hemoglobin', [undefined, '2026-03-02']],
  ['a printed date under a collection date', 'en', 'Collected 12/03/2026 07:40\nPrinted 18/03/2026\nHb 96 g/L', 'hemoglobin', ['2026-03-12']],
  ['"(was … on …)" dates only the earlier value', 'en', 'AM labs: Hb 8.4 (was 9.6 on 3/17), WBC 12.1, Plt 198.', 'hemoglobin', [undefined, '2026-03-17']],
  ['"(baseline … on …)" dates only the earlier value', 'en', 'Cr 1.6 (baseline 0.9 on 3/2), lactate 2.4.', 'creatinine', [undefined, '2026-03-02']],
  ['an earlier value in the same bracket keeps its own date', 'en', 'CA125 on 03/16: 61 (prev 140 on 02/09, 402 at relapse 01/12)', 'ca125', ['2026-03-16', '2026-02-09', '2026-01-12']],
  ['a bracket about another word dates no value', 'en', 'ECOG 1. No ascites on the last scan (12/03/2026).', 'ecog', [undefined]],
  ['a month after the value dates the condition beside it', 'en', 'Comorbidities: BMI 38.5, hypertension, PE in March 2026.', 'bmi', [undefined]],
  ['a heading indented deeper does not date a line at the margin', 'en', 'Checklist:\n  Organ function (labs 12/03/2026) .. YES\n     Hb 10.4 g/dL\nVitals: weight 63.2 kg.', 'body_weight', [undefined]],
  ['a heading that labels the sampling date dates the block after a blank line', 'en', 'LABORATORY RESULTS (collected 12/03/2026 07:40)\n\nHb 9.6 g/dL\nPlt 150 x10^9/L', 'platelets', ['2026-03-12']],
  ['a blank-line paragraph does not inherit a date', 'en', 'Seen on 2 March 2026 in clinic.\n\nHb 9.6 g/dL.', 'hemoglobin', [undefined]],
];

const EN_TABLES: Row[] = [
  ['one row per date', 'en', 'Date        Hb    Plt\n12/03/2026  9.6   150\n16/03/2026  9.1   140', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['column headers "12-Mar | 16-Mar"', 'en', 'Test | 12-Mar | 16-Mar\nHb (g/dL) | 9.6 | 9.1', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['column headers "Mar 12 | Mar 16"', 'en', 'Test | Mar 12 | Mar 16\nHb (g/dL) | 9.6 | 9.1', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['column headers "3/12 | 3/16" (US)', 'en', 'Test | 3/12 | 3/16\nHemoglobin (g/dL) | 9.6 | 9.1', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['column headers "12/03/26 | 16/03/26"', 'en', 'Test       12/03/26   16/03/26\nHb g/L     96         91', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['columns read in order when a hand-typed row drifts from its headers', 'en', 'FBC          03/02/2026    10/02/2026    17/02/2026\nHb (g/L)     102      98       95', 'hemoglobin', ['2026-02-03', '2026-02-10', '2026-02-17']],
  ['labelled headers "Admit 3/12 | Discharge 3/17" over decimals', 'en', 'Labs:            Admit 3/12    Discharge 3/17\n Hgb (g/dL)      12.8          10.1\n WBC (K/uL)      13.4          7.2', 'hemoglobin', ['2026-03-12', '2026-03-17']],
  ['column headers with times', 'en', 'Analyte    12/03 08:15   16/03 07:50\nHb g/L     96            91', 'hemoglobin', ['2026-03-12', '2026-03-16']],
];

const DE: Row[] = [
  ['"am 12.03."', 'de', 'Hb am 12.03. 9,6 g/dl.', 'hemoglobin', ['2026-03-12']],
  ['"vom 12.03.2026"', 'de', 'Labor vom 12.03.2026: Hb 9,6 g/dl.', 'hemoglobin', ['2026-03-12']],
  ['"12. März"', 'de', 'CA 125 am 12. März 845 U/ml.', 'ca125', ['2026-03-12']],
  ['"gestern"', 'de', 'Hb gestern 9,6 g/dl.', 'hemoglobin', ['2026-03-17']],
  ['"vor 2 Tagen"', 'de', 'Hb vor 2 Tagen 9,6 g/dl.', 'hemoglobin', ['2026-03-16']],
  ['"letzten Dienstag"', 'de', 'Hb letzten Dienstag 9,6 g/dl.', 'hemoglobin', ['2026-03-17']],
  ['"bei Aufnahme"', 'de', 'Stationär vom 14.03.2026 bis 18.03.2026.\n\nHb bei Aufnahme 8,1 g/dl, bei Entlassung 9,6 g/dl.', 'hemoglobin', ['2026-03-14', '2026-03-18']],
  ['"Abnahme:" neben "Befund:"', 'de', 'Abnahme: 12.03.2026  Befund: 14.03.2026\nHb 9,6 g/dl', 'hemoglobin', ['2026-03-12']],
  ['Geburtsdatum', 'de', 'Geb.-Datum: 03.04.1960\nHb 9,6 g/dl', 'hemoglobin', [undefined]],
  ['"zuvor … am"', 'de', 'CA 125 aktuell 48 U/ml, zuvor 112 U/ml am 15.12.2025.', 'ca125', [undefined, '2025-12-15']],
  ['nächste Kontrolle', 'de', 'CA 125 48 U/ml, nächste Kontrolle am 02.04.2026.', 'ca125', [undefined]],
  ['Spaltenköpfe "12.03. | 16.03."', 'de', 'Parameter  12.03.  16.03.\nHb g/dl    9,6     9,1', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['Spaltenköpfe "12.3.26"', 'de', 'Parameter  12.3.26  16.3.26\nHb g/dl    9,6      9,1', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['eine Klammer nach einem Wert datiert nur ihn', 'de', 'Tumormarker: CA 125 845 U/ml (08.03.2026), HE4 612 pmol/l.', 'he4', [undefined]],
  ['"(Datum):" als Beschriftung gilt für die Zeile', 'de', 'CA 125 (08.03.2026): 845 U/ml; HE4: 612 pmol/l.', 'he4', ['2026-03-08']],
  ['"am …" nach einem Komma eröffnet den nächsten Wert', 'de', 'Am 12.03. lag das Hb bei 9,6 g/dl, am 16.03. bei 9,1 g/dl.', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['ein Datum am Zeilenanfang vor dem Analyten', 'de', 'Hb 11,2 g/dl.\nAm 16.03. Hb 9,1 g/dl.', 'hemoglobin', [undefined, '2026-03-16']],
  ['ein Befundsatz mit Datum ist keine Überschrift', 'de', 'CT vom 10.03.: keine Metastasen.\nGewicht 62 kg.', 'body_weight', [undefined]],
  ['"zuletzt" nach einem datierten Wert', 'de', 'Kreatinin 1,3 mg/dl am 12.03., zuletzt 0,9 mg/dl.', 'creatinine', ['2026-03-12', undefined]],
  ['"(beides …)" datiert beide Werte', 'de', 'Kreatinin 1,1 mg/dl, Albumin 3,1 g/dl (beides 12.03.).', 'creatinine', ['2026-03-12']],
  ['"(vor 4 Wochen noch …)" datiert nur den früheren Wert', 'de', 'Gewicht heute 61,5 kg (vor 4 Wochen noch 64 kg).', 'body_weight', ['2026-03-18', '2026-02-18']],
  ['eine Liste in der nächsten Zeile', 'de', 'Blutabnahme am Montag: Leukos 3,2, Hb 10,1,\nThrombos 201, Krea 0,8 mg/dl', 'creatinine', ['2026-03-16']],
  ['Vorwerte mit Datum in der Klammer vor dem Doppelpunkt', 'de', 'Vorwerte (extern, 14.02.2026): Leukozyten 6,2 G/l; Hb 12,4 g/dl;\nThrombozyten 287 G/l.', 'platelets', ['2026-02-14']],
  ['"vom Vortag"', 'de', 'Labor vom Vortag: Hb 9,6 g/dl.', 'hemoglobin', ['2026-03-17']],
  ['"12.3.:" als Zeilenbeschriftung', 'de', 'Labor\n12.3.: Hb 9,6 g/dl\n16.3.: Hb 9,1 g/dl', 'hemoglobin', ['2026-03-12', '2026-03-16']],
  ['"am selben Tag"', 'de', 'CA 125 am 02.03. 48 U/ml. Am selben Tag Hb 11,9 g/dl.', 'hemoglobin', ['2026-03-02']],
  ['eine Zeile je Datum', 'de', 'Datum       Hb    Thrombozyten\n12.03.2026  9,6   150\n16.03.2026  9,1   140', 'hemoglobin', ['2026-03-12', '2026-03-16']],
];

describe.each([
  ['English written forms', EN_WRITTEN], ['English relative days', EN_RELATIVE], ['English labels and layout', EN_LABELS],
  ['dates a value must not take', EN_NOT], ['English tables', EN_TABLES], ['German', DE],
])('%s', (_name, rows) => {
  it.each(rows as Row[])('%s', (...row) => {
    const r = row as Row;
    expect(datesOf(r)).toEqual(r[4].map((d) => d ?? r[5] ?? DOC));
  });
});

describe('properties of date binding', () => {
  const pieces = fc.constantFrom('Hb 9.6 g/dL', 'CA-125 845 U/mL', 'Kreatinin 1,1 mg/dl', ' on ', ' am ', 'the 3rd', ' of last month', '12/03', '3/9', '1/5:',
    '25 March', '02.04.2026', 'next', ' due ', 'DOB ', '(', ')', ',', ';', ':', '.', '\n', '\n\n', '  ', 'yesterday', 'the same day', 'was ', 'beides ');
  it('never dates a value after the document date, and every date is a real day or month', () => {
    fc.assert(fc.property(fc.array(pieces, { maxLength: 16 }).map((p) => p.join('')), fc.constantFrom('en' as const, 'de' as const), (text, language) => {
      for (const f of extract(text, language, DOC).filter((x) => x.kind === 'observation')) {
        if (f.date === undefined) continue;
        expect(/^\d{4}-\d{2}(?:-\d{2})?$/.test(f.date)).toBe(true);
        expect(f.date <= DOC.slice(0, f.date.length)).toBe(true);
      }
    }), { numRuns: 300 });
  });
});
