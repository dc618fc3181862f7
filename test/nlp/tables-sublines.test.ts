/**
 * Lines under a table header that hold no data: a times line that also names the unit and range columns
 * ("08:40  09:12  Units  Range"), and a transposed table's units and reference lines before its dated rows
 * (examples, and generated tables: every filled cell found once, with its date and its exact span).
 */
import fc from 'fast-check';
import type { Finding, Language } from '../../server/nlp/finding';
import { extract, observationsOf } from './helpers';

const cells = (fs: Finding[], concept: string): string[] =>
  observationsOf(fs, concept).sort((a, b) => a.offset - b.offset).map((f) => `${f.value}@${f.date ?? '-'}|${f.quote}`);

describe('times line naming the side columns', () => {
  it('reads the first date column when the units and range words stand on the times line (EN)', () => {
    const text = `                 14/01/26   21/01/26   28/01/26
                 07:55      10:30      08:05      Units      Range
Hb               131        122        97 L       g/L        115-165
WBC              7.2        3.1 L      1.9 LL     x10^9/L    4.0-11.0
CA-125           88 H       n/a        61 H       kU/L       0-35
`;
    const fs = extract(text, 'en', '2026-01-29');
    expect(cells(fs, 'hemoglobin')).toEqual(['131@2026-01-14|131', '122@2026-01-21|122', '97@2026-01-28|97 L']);
    expect(cells(fs, 'leukocytes')).toEqual(['7.2@2026-01-14|7.2', '3.1@2026-01-21|3.1 L', '1.9@2026-01-28|1.9 LL']);
    expect(cells(fs, 'ca125')).toEqual(['88@2026-01-14|88 H', '61@2026-01-28|61 H']);
    // the range column is never read as a value
    expect(observationsOf(fs, 'hemoglobin').some((f) => f.value === 115 || f.value === 165)).toBe(false);
  });

  it('reads the same layout in German with "Einheit" and "Referenz" under the times', () => {
    const text = `                   03.02.2026   17.02.2026
                   08:20        07:50        Einheit    Referenz
Thrombozyten       312          148 -        G/l        150 - 400
Kreatinin          0,71         1,12 +       mg/dl      0,5 - 0,9
`;
    const fs = extract(text, 'de', '2026-02-18');
    expect(cells(fs, 'platelets')).toEqual(['312@2026-02-03|312', '148@2026-02-17|148 -']);
    expect(cells(fs, 'creatinine')).toEqual(['0.71@2026-02-03|0,71', '1.12@2026-02-17|1,12 +']);
  });
});

describe('a not-done cell right after a German analyte name', () => {
  it('keeps the "n" of "n.a." out of the name ("Hämoglobin" is not inflected by the next cell)', () => {
    const text = `                 11.05.2026   25.05.2026
                 09:05        08:40        Einheit    Referenz
Hämoglobin       n.a.         104          g/l        120 - 160
Leukozyten       n.b.         3,9          G/l        4,0 - 10,0
`;
    const fs = extract(text, 'de', '2026-05-26');
    expect(cells(fs, 'hemoglobin')).toEqual(['104@2026-05-25|104']);
    expect(cells(fs, 'leukocytes')).toEqual(['3.9@2026-05-25|3,9']);
  });
});

describe('transposed table with units and reference lines before its dated rows', () => {
  it('reads a Swiss "|" report: units under the header, "Ref." line, apostrophe thousands, "s. Bem."', () => {
    const text = `Datum       | Hb    | Tc    | CA 125
            | g/l   | G/l   | kU/l
Ref.        | 120-154 | 150-450 | <35
02.03.2026  | 117 L | 402   | 2'045 H
16.03.2026  | 109 L | 388   | s. Bem.
`;
    const fs = extract(text, 'de', '2026-03-17');
    expect(cells(fs, 'hemoglobin')).toEqual(['117@2026-03-02|117 L', '109@2026-03-16|109 L']);
    expect(cells(fs, 'platelets')).toEqual(['402@2026-03-02|402', '388@2026-03-16|388']);
    expect(cells(fs, 'ca125')).toEqual(['2045@2026-03-02|2\'045 H']);
  });

  it('reads an English flowsheet whose reference line is labelled "Range"', () => {
    const text = `Date        | Hgb   | Plt
            | g/dL  | x10^9/L
Range       | 12-16 | 150-400
01/09/2026  | 10.9  | 211
01/23/2026  | 9.8 L | 143 L
`;
    const fs = extract(text, 'en', '2026-01-24');
    expect(cells(fs, 'hemoglobin')).toEqual(['10.9@2026-01-09|10.9', '9.8@2026-01-23|9.8 L']);
    expect(cells(fs, 'platelets')).toEqual(['211@2026-01-09|211', '143@2026-01-23|143 L']);
  });
});

interface Analyte { concept: string; label: Record<Language, string>; unit: string; ref: string; min: number; max: number; decimals: number }

const ANALYTES: Analyte[] = [
  { concept: 'hemoglobin', label: { en: 'Haemoglobin', de: 'Hämoglobin' }, unit: 'g/L', ref: '115-165', min: 60, max: 170, decimals: 0 },
  { concept: 'platelets', label: { en: 'Platelets', de: 'Thrombozyten' }, unit: 'x10^9/L', ref: '150-400', min: 20, max: 1400, decimals: 0 },
  { concept: 'leukocytes', label: { en: 'White cell count', de: 'Leukozyten' }, unit: 'x10^9/L', ref: '4.0-11.0', min: 1, max: 25, decimals: 1 },
  { concept: 'ca125', label: { en: 'CA125', de: 'CA 125' }, unit: 'kU/L', ref: '0-35', min: 5, max: 9000, decimals: 0 },
];

interface Spec { language: Language; transposed: boolean; days: number[]; analytes: number[]; fractions: number[]; missing: boolean[] }

const specArb: fc.Arbitrary<Spec> = fc.record({
  language: fc.constantFrom<Language>('en', 'de'),
  transposed: fc.boolean(),
  days: fc.uniqueArray(fc.integer({ min: 13, max: 28 }), { minLength: 2, maxLength: 4 }).map((d) => [...d].sort((a, b) => a - b)),
  analytes: fc.uniqueArray(fc.integer({ min: 0, max: ANALYTES.length - 1 }), { minLength: 1, maxLength: ANALYTES.length }),
  fractions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 16, maxLength: 16 }),
  missing: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
});

const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(2, n - s.length));
/** "1'286" (Swiss thousands) in German tables, "1,286" in English ones; a decimal point or comma as the language writes it. */
function written(v: number, decimals: number, lang: Language): string {
  const [int, frac] = v.toFixed(decimals).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'en' ? ',' : "'");
  return frac === undefined ? grouped : `${grouped}${lang === 'en' ? '.' : ','}${frac}`;
}

function generate(s: Spec): { text: string; expected: string[] } {
  const date = (d: number): string => (s.language === 'en' ? `${d}/03/2026` : `${d}.03.2026`);
  const iso = (d: number): string => `2026-03-${String(d).padStart(2, '0')}`;
  const expected: string[] = [];
  const value = (ai: number, di: number): string => {
    const a = ANALYTES[ai];
    const k = (ai * 4 + di) % 16;
    if (s.missing[k]) return s.language === 'en' ? '--' : 'n.a.';
    const v = Number((a.min + s.fractions[k] * (a.max - a.min)).toFixed(a.decimals));
    const text = written(v, a.decimals, s.language);
    expected.push(`${a.concept}=${v}@${iso(s.days[di])}|${text}`);
    return text;
  };
  if (s.transposed) {
    const lines = [[s.language === 'en' ? 'Date' : 'Datum', ...s.analytes.map((ai) => ANALYTES[ai].label[s.language])],
      ['', ...s.analytes.map((ai) => ANALYTES[ai].unit)], ['Ref.', ...s.analytes.map((ai) => ANALYTES[ai].ref)],
      ...s.days.map((d, di) => [date(d), ...s.analytes.map((ai) => value(ai, di))])];
    return { text: `${lines.map((l) => l.map((c) => pad(c, 12)).join('| ').trimEnd()).join('\n')}\n`, expected };
  }
  const side = s.language === 'en' ? ['Units', 'Range'] : ['Einheit', 'Referenz'];
  const lines = [pad('', 16) + s.days.map((d) => pad(date(d), 13)).join('').trimEnd(),
    pad('', 16) + [...s.days.map((_, i) => pad(`0${7 + (i % 3)}:${10 + i * 7}`, 13)), pad(side[0], 10), side[1]].join(''),
    ...s.analytes.map((ai) => pad(ANALYTES[ai].label[s.language], 16)
      + [...s.days.map((_, di) => pad(value(ai, di), 13)), pad(ANALYTES[ai].unit, 10), ANALYTES[ai].ref].join(''))];
  return { text: `${lines.join('\n')}\n`, expected };
}

describe('table sub-lines (property)', () => {
  it('finds every filled cell once, with its date and the cell as evidence, past times, units and reference lines', () => {
    fc.assert(fc.property(specArb, (s) => {
      const g = generate(s);
      const fs = extract(g.text, s.language, '2026-04-02').filter((f) => f.kind === 'observation');
      expect(fs.map((f) => `${f.concept}=${f.value}@${f.date ?? '-'}|${f.quote}`).sort()).toEqual([...g.expected].sort());
      for (const f of fs) expect(g.text.slice(f.offset, f.offset + f.length)).toBe(f.quote);
    }), { numRuns: 200 });
  });
});
