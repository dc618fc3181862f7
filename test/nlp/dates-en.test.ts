/** Month-name dates, year-less dates, day words and the regional order of slash dates (dates.ts, day-words.ts, date-order.ts). */
import fc from 'fast-check';
import { extract, observationsOf } from './helpers';
import { findDates } from '../../server/nlp/text/dates';
import { dayWordDates } from '../../server/nlp/text/day-words';
import { nearerDayFirst, regionalDayFirst } from '../../server/nlp/text/date-order';

const iso = (text: string, language: 'en' | 'de', documentDate?: string): string[] =>
  findDates(text, { language, documentDate }).map((d) => d.iso);

describe('month-name dates', () => {
  it('reads two-digit years only with a hyphen or an apostrophe', () => {
    expect(iso('drawn 12-Jan-26, seen 3 Feb \'26', 'en', '2026-03-01')).toEqual(['2026-01-12', '2026-02-03']);
    // "12 Jan 26" is ambiguous (a year or a value): refused
    expect(iso('CA-125 on 12 Jan 26 U/mL', 'en', '2026-03-01')).toEqual([]);
  });

  it('completes a month and day without a year from the document date, across New Year', () => {
    expect(iso('Hb 10.2 on Jan 12, Plt 150 on Dec 22 and WBC on January 5th', 'en', '2026-01-20')).toEqual(['2026-01-12', '2025-12-22', '2026-01-05']);
    expect(iso('collected Feb 3', 'en', '2026-01-20')).toEqual(['2026-02-03']);
  });

  it('does not read the verb "may", a count after a month, or a month with a decimal as a date', () => {
    expect(iso('symptoms may 2 weeks later recur', 'en', '2026-03-01')).toEqual([]);
    expect(iso('Jan 2026', 'en', '2026-03-01')).toEqual(['2026-01']);
    expect(iso('Jan 12.5', 'en', '2026-03-01')).toEqual([]);
  });
});

describe('day words', () => {
  it('dates yesterday, gestern and vorgestern from the document date', () => {
    expect(dayWordDates('Bloods yesterday; Labor gestern und vorgestern', '2026-03-02').map((d) => d.iso)).toEqual(['2026-03-01', '2026-03-01', '2026-02-28']);
  });

  it('takes the weekday before the document date and refuses "on Monday" written on a Monday', () => {
    // 2026-03-04 is a Wednesday
    expect(dayWordDates('Hb 9.1 on Monday, am Freitag 8,8', '2026-03-04').map((d) => d.iso)).toEqual(['2026-03-02', '2026-02-27']);
    // 2026-03-02 is a Monday
    expect(dayWordDates('Hb 9.1 on Monday', '2026-03-02')).toEqual([]);
    expect(dayWordDates('Hb 9.1 last Monday', '2026-03-02').map((d) => d.iso)).toEqual(['2026-02-23']);
  });

  it('needs a cue and a document date', () => {
    expect(dayWordDates('Monday clinic', '2026-03-04')).toEqual([]);
    expect(dayWordDates('bloods yesterday', undefined)).toEqual([]);
  });
});

describe('regional order of slash dates', () => {
  it('follows an explicit order label and regional spelling and units', () => {
    expect(regionalDayFirst('Results (MM/DD/YYYY)')).toBe(false);
    expect(regionalDayFirst('Haemoglobin low, anaemia, tumour markers, creatinine 80 umol/L')).toBe(true);
    expect(regionalDayFirst('Hemoglobin low, anemia, tumor markers, creatinine 0.9 mg/dL')).toBe(false);
    expect(regionalDayFirst('Hb 10.2')).toBeUndefined();
  });

  it('reads an ambiguous English slash date day-first in a British note', () => {
    expect(iso('Haemoglobin 102 g/L on 03/04/2026; tumour markers; anaemia', 'en', '2026-05-01')).toEqual(['2026-04-03']);
    expect(iso('Hemoglobin 10.2 g/dL on 03/04/2026; tumor markers; anemia', 'en', '2026-05-01')).toEqual(['2026-03-04']);
  });
});

describe('properties', () => {
  const valid = (s: string): boolean => {
    if (/^\d{4}-\d{2}$/.test(s)) return Number(s.slice(5)) >= 1 && Number(s.slice(5)) <= 12;
    const t = Date.parse(s);
    return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
  };
  const docDate = fc.date({ min: new Date('1990-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const pieces = fc.constantFrom('Jan', 'Feb', 'May', 'Dec', '-', ' ', '/', '.', "'", '12', '31', '29', '0', '26', '2026', 'on', 'Monday', 'yesterday', 'gestern', 'am', 'Freitag', ',', 'th', '\n', '|');
  const text = fc.oneof(fc.string(), fc.array(pieces, { maxLength: 14 }).map((p) => p.join('')));

  it('never throws and never returns an impossible date or a span outside the text', () => {
    fc.assert(fc.property(text, fc.option(docDate, { nil: undefined }), fc.constantFrom('en' as const, 'de' as const), (t, doc, language) => {
      for (const d of findDates(t, { language, documentDate: doc })) {
        expect(valid(d.iso)).toBe(true);
        expect(d.start >= 0 && d.end <= t.length && d.start < d.end).toBe(true);
      }
    }));
  });

  it('dates a day word never after the document date', () => {
    fc.assert(fc.property(text, docDate, (t, doc) => {
      for (const d of dayWordDates(t, doc)) expect(d.iso <= doc).toBe(true);
    }));
  });
});

describe('more written forms', () => {
  it('reads "12th of January 2026", "the 3rd of Feb" and 2026/01/12', () => {
    expect(iso('on the 12th of January 2026, the 3rd of Feb and 2026/01/12', 'en', '2026-03-01')).toEqual(['2026-01-12', '2026-02-03', '2026-01-12']);
  });
});

describe('slash dates the note leaves open', () => {
  it('takes the reading nearer before the document date', () => {
    expect(nearerDayFirst([[12, 1]], '2026-01-14')).toBe(true);
    expect(nearerDayFirst([[12, 1]], '2025-12-03')).toBe(false);
    expect(nearerDayFirst([[5, 5]], '2025-12-03')).toBeUndefined();
    expect(iso('Hb 9.6 g/dL (12/01)', 'en', '2026-01-14')).toEqual(['2026-01-12']);
    expect(iso('Hb 9.6 g/dL (12/01)', 'en', '2025-12-03')).toEqual(['2025-12-01']);
  });

  it('keeps the order the note states', () => {
    expect(iso('Results (MM/DD/YYYY). Hb 9.6 g/dL (12/01)', 'en', '2026-01-14')).toEqual(['2025-12-01']);
  });

  it('never throws for any pair and document date', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: -5, max: 40 }), fc.integer({ min: -5, max: 40 })), { maxLength: 6 }),
      fc.date({ min: new Date('1950-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }), (pairs, d) => {
        const r = nearerDayFirst(pairs, d.toISOString().slice(0, 10));
        expect(r === undefined || typeof r === 'boolean').toBe(true);
      }));
  });
});

describe('values under a dated line', () => {
  it('reads the first value under a line that ends with a date and dates it with the sampling date', () => {
    expect(observationsOf(extract('Seen 12/01/2026\nHb 9.6 g/dL\n', 'en', '2026-01-15'), 'hemoglobin').map((f) => f.date)).toEqual(['2026-01-12']);
    const fs = extract('Specimen collected 12/01/2026 08:10, reported 14/01/2026\nPlatelets 150 x10^9/L\n', 'en', '2026-01-15');
    expect(observationsOf(fs, 'platelets').map((f) => f.date)).toEqual(['2026-01-12']);
  });

  it('still reads a unit word after a number on the same line', () => {
    expect(observationsOf(extract('Hb 9.6 g/dL\nK 4.1 mmol/L\nPlatelets 150 K/uL', 'en', '2026-01-15'), 'platelets').map((f) => f.value)).toEqual([150]);
  });
});

describe('a dated heading above a blank line', () => {
  it('dates the values under "Bloods 12 Jan 2026:" and one blank line, but not across a heading without a colon', () => {
    expect(observationsOf(extract('Bloods 12 Jan 2026:\n\nHb 9.6 g/dL\n', 'en', '2026-01-15'), 'hemoglobin').map((f) => f.date)).toEqual(['2026-01-12']);
    expect(observationsOf(extract('Seen 12 Jan 2026\n\nHb 9.6 g/dL\n', 'en', '2026-01-15'), 'hemoglobin').map((f) => f.date)).toEqual([undefined]);
  });
});
