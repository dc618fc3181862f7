/** Numbers, units (UCUM conversion), dates in English and German, and lab values with their dates. */
import { findDates } from '../../server/nlp/text/dates';
import { parseLocaleNumber, parseNumberAt } from '../../server/nlp/text/numbers';
import { extract, observationsOf, rulesResources, valuesOf } from './helpers';

describe('numbers', () => {
  it.each([
    ['1,612', 'en', 1612], ['1.612', 'de', 1612], ['9,8', 'de', 9.8], ['0.74', 'en', 0.74], ['12,0', 'de', 12],
    ['2,980', 'en', 2980], ['0,62', 'en', 0.62], ['1.5', 'de', 1.5], ['188.000', 'de', 188000], ['1,000.5', 'en', 1000.5],
  ] as const)('%s (%s) = %d', (text, lang, value) => {
    expect(parseLocaleNumber(text, lang)).toBe(value);
  });

  it('reads comparators, ranges and "30+"', () => {
    expect(parseNumberAt('<5 U/mL', 0, 'en')).toMatchObject({ value: 5, comparator: '<' });
    expect(parseNumberAt('>= 1.0', 0, 'en')).toMatchObject({ value: 1, comparator: '>=' });
    expect(parseNumberAt('1,5-1,8 mg/dl', 0, 'de')).toMatchObject({ value: 1.5, high: 1.8 });
    expect(parseNumberAt('30+', 0, 'en')).toMatchObject({ value: 30, comparator: '>=' });
  });
});

describe('units', () => {
  const { units } = rulesResources();
  it.each([
    ['hemoglobin', 98, 'g/L', 9.8], ['hemoglobin', 5.6, 'mmol/L', 9.024], ['creatinine', 112, 'umol/L', 1.267],
    ['platelets', 468, '10*9/L', 468], ['platelets', 412, '/nL', 412], ['platelets', 188000, '/uL', 188], ['ca125', 151, 'kU/L', 151],
    ['body_height', 1.64, 'm', 164], ['body_weight', 150, '[lb_av]', 68.04],
  ])('%s %d %s → preferred unit %d', (concept, value, unit, expected) => {
    expect(units.toPreferred(concept, value, unit)).toBeCloseTo(expected, 2);
  });

  it.each([
    ['x10^9/L', '10*9/L'], [' x 10^9/l', '10*9/L'], ['x10E3/uL', '10*3/uL'], ['/nl', '/nL'], [' G/l', '10*9/L'], [' g/l', 'g/L'],
    [' U/ml', 'U/mL'], [' kU/l', 'kU/L'], [' µmol/l', 'umol/L'], [' kg/m²', 'kg/m2'], [' Tsd/µl', '10*3/uL'], [' K/uL', '10*3/uL'],
  ])('"%s" is UCUM %s', (written, ucum) => {
    expect(units.parseAt(written, 0)?.ucum).toBe(ucum);
  });

  it('refuses units that do not convert', () => {
    expect(units.toPreferred('hemoglobin', 12, '%')).toBeNull();
  });
});

describe('dates', () => {
  const iso = (text: string, language: 'en' | 'de', documentDate?: string): string[] =>
    findDates(text, { language, documentDate }).map((d) => d.iso);

  it('reads English and German formats', () => {
    expect(iso('20 Jan 2026, 2026-01-20, Jan 2026, Feb 18, 2026, 24-Feb-2026', 'en')).toEqual(['2026-01-20', '2026-01-20', '2026-01', '2026-02-18', '2026-02-24']);
    expect(iso('am 20.01.2026 und 3.2.2026, ED 04/2021, 20. März 2026', 'de')).toEqual(['2026-01-20', '2026-02-03', '2021-04', '2026-03-20']);
  });

  it('decides month-first or day-first from the note and the document date', () => {
    expect(iso('seen 01/20/2026', 'en')).toEqual(['2026-01-20']);
    expect(iso('seen 20/01/2026', 'en')).toEqual(['2026-01-20']);
    expect(iso('Received 03/03/2026, reported 03/06/2026', 'en', '2026-03-06')).toEqual(['2026-03-03', '2026-03-06']);
  });

  it('completes partial and relative dates from the document date', () => {
    expect(iso('Hb on 21/02, (27/01 22:15)', 'en', '2026-03-02')).toEqual(['2026-02-21', '2026-01-27']);
    // within a month after the document date a partial date may be an appointment; later ones are last year's
    expect(iso('CA-125 on 20 Dec, seen again 19 Jan, next 28 Feb', 'en', '2026-01-05')).toEqual(['2025-12-20', '2026-01-19', '2025-02-28']);
    expect(iso('(was 0 two months ago)', 'en', '2026-02-05')).toEqual(['2025-12']);
    expect(iso('vor 3 Wochen', 'de', '2026-03-22')).toEqual(['2026-03-01']);
  });

  it('does not read counts and scores as dates', () => {
    expect(iso('nodes 3/3, pain 8/10, 2/31 nodes, 1.5 cm', 'en', '2026-03-01')).toEqual([]);
  });
});

describe('lab values', () => {
  it('binds each value of a series to its own date', () => {
    const fs = extract('Tumor markers:\nCA-125: 12 Oct 2025  610 U/mL; 30 Nov 2025  1,204 U/mL; 28 Jan 2026  2,050 U/mL', 'en', '2026-02-01');
    expect(observationsOf(fs, 'ca125').map((f) => [f.value, f.date])).toEqual([[610, '2025-10-12'], [1204, '2025-11-30'], [2050, '2026-01-28']]);
  });

  it('reads a German series with decimal commas, a header unit and one value per line', () => {
    const fs = extract('Verlauf CA 125 (U/ml):\n  11.06.2025:  22,5\n  17.09.2025:  31,0\n  10.12.2025:  1.050,5\n', 'de', '2025-12-12');
    expect(observationsOf(fs, 'ca125').map((f) => [f.value, f.date])).toEqual([[22.5, '2025-06-11'], [31, '2025-09-17'], [1050.5, '2025-12-10']]);
  });

  it('reads arrow series and "from … to …"', () => {
    expect(valuesOf(extract('CA-125 trend: 510 (Sep 2025) -> 230 (Oct 2025) -> 95 U/mL (Nov 2025).', 'en', '2025-12-01'), 'ca125')).toEqual([510, 230, 95]);
    expect(valuesOf(extract('CA 125 von 412 auf 97 U/ml gefallen.', 'de'), 'ca125')).toEqual([412, 97]);
  });

  it('converts units and keeps what was written', () => {
    const [hb] = observationsOf(extract('Haemoglobin 104 g/L (115-155)', 'en'), 'hemoglobin');
    expect(hb).toMatchObject({ value: 104, unit: 'g/L', unitText: 'g/L', normalized: { value: 10.4, unit: 'g/dL' } });
    const [plt] = observationsOf(extract('Thrombozyten 205.000/µl', 'de'), 'platelets');
    expect(plt).toMatchObject({ value: 205000, unit: '/uL', normalized: { value: 205, unit: '10*3/uL' } });
  });

  it('takes a date from a header line above a table', () => {
    const fs = extract('Collected 11-Feb-2026 09:10\n  Creatinine   96 umol/L   H\n  Albumin      29 g/L      L\n', 'en', '2026-02-12');
    expect(observationsOf(fs, 'creatinine')[0]).toMatchObject({ date: '2026-02-11', normalized: { unit: 'mg/dL' } });
    expect(observationsOf(fs, 'albumin')[0]).toMatchObject({ date: '2026-02-11', normalized: { value: 2.9 } });
  });

  it('refuses thresholds, ratios, durations and weight changes', () => {
    const fs = extract('Proceed if ANC >= 1.5 and plt >= 100. CA125/CEA ratio >25. Repeat CA-125 in 3 months. Wt 61 kg (lost 4 kg). If platelets drop below 50, hold.', 'en');
    expect(observationsOf(fs, 'neutrophils_abs')).toEqual([]);
    expect(observationsOf(fs, 'platelets')).toEqual([]);
    expect(observationsOf(fs, 'ca125')).toEqual([]);
    expect(valuesOf(fs, 'body_weight')).toEqual([61]);
  });

  it('keeps a comparator that comes with a unit', () => {
    expect(observationsOf(extract('CEA <0.5 ng/mL', 'en'), 'cea')[0]).toMatchObject({ value: 0.5, comparator: '<' });
  });

  it('reads an assumed unit only when the value is plausible', () => {
    expect(valuesOf(extract('Hb 98, Creat 81, Alb 33', 'en'), 'hemoglobin')).toEqual([9.8]);
    expect(valuesOf(extract('Hb 98, Creat 81, Alb 33', 'en'), 'creatinine')[0]).toBeCloseTo(0.916, 2);
  });

  it('drops values that belong to a relative or to a hypothetical plan', () => {
    const fs = extract('Her sister had CA-125 of 900 U/mL. If Hb falls below 8 g/dL, transfuse.', 'en');
    expect(observationsOf(fs, 'ca125')).toEqual([]);
    expect(observationsOf(fs, 'hemoglobin')).toEqual([]);
  });
});
