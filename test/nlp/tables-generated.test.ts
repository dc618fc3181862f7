/**
 * Generated lab tables (property): known analytes × dated columns × EN/DE/Swiss number formats, aligned, `|`, `;` or tab,
 * with or without a line of times under the dates, quoted fields, flags, not-done cells and a reference column → exactly one
 * Observation per filled cell, with its value, its column's date and the cell as its evidence span.
 */
import fc from 'fast-check';
import type { Language } from '../../server/nlp/finding';
import { extract } from './helpers';

interface Analyte { concept: string; en: string; de: string; min: number; max: number; decimals: number; ref: string }

/** Values kept inside each concept's plausible range in the unit written with the label. */
const ANALYTES: Analyte[] = [
  { concept: 'hemoglobin', en: 'Hb (g/dL)', de: 'Hämoglobin [g/dl]', min: 6, max: 16, decimals: 1, ref: '12.0-16.0' },
  { concept: 'platelets', en: 'Platelets (x10^9/L)', de: 'Thrombozyten [G/l]', min: 20, max: 1400, decimals: 0, ref: '150-400' },
  { concept: 'leukocytes', en: 'WBC (x10^9/L)', de: 'Leukozyten [G/l]', min: 1, max: 25, decimals: 1, ref: '4.0-10.0' },
  { concept: 'creatinine', en: 'Creatinine (mg/dL)', de: 'Kreatinin [mg/dl]', min: 0.4, max: 4, decimals: 2, ref: '0.5-0.9' },
  { concept: 'ca125', en: 'CA-125 (U/mL)', de: 'CA 125 [U/ml]', min: 5, max: 9000, decimals: 0, ref: '<35' },
];

type Style = 'en' | 'de' | 'ch';
type Layout = 'spaces' | 'pipe' | 'semicolon' | 'tab';

/** A number as the style writes it: "1,284.5" / "1.284,5" / "1'284,5". */
function written(v: number, decimals: number, style: Style): string {
  const [int, frac] = v.toFixed(decimals).split('.');
  const sep = style === 'en' ? ',' : style === 'de' ? '.' : "'";
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return frac === undefined ? grouped : `${grouped}${style === 'en' ? '.' : ','}${frac}`;
}

const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(2, n - s.length));

function dateHeader(d: number, style: Style): string {
  const day = String(d).padStart(2, '0');
  return style === 'en' ? `${day}/03/2026` : `${day}.03.2026`;
}

interface Generated { text: string; language: Language; expected: string[] }

function render(layout: Layout, rows: string[][], times: string[] | null, quoted: boolean): string {
  if (layout === 'spaces') {
    const lines = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, i === 0 ? 22 : 13))).join(''));
    if (times) lines.splice(1, 0, pad('', 22) + times.map((t) => pad(t, 13)).join('').trimEnd());
    return `${lines.join('\n')}\n`;
  }
  const sep = layout === 'pipe' ? ' | ' : layout === 'semicolon' ? ';' : '\t';
  // a CSV or tab export may quote every field
  const field = (c: string): string => (quoted && layout !== 'pipe' ? `"${c}"` : c);
  return `${rows.map((r) => r.map(field).join(sep)).join('\n')}\n`;
}

interface CellSpec { kind: 'value' | 'missing'; fraction: number; flag: string; missing: string }
interface TableSpec { layout: Layout; style: Style; days: number[]; analytes: number[]; cells: CellSpec[]; withTimes: boolean; withReference: boolean; quoted: boolean }

const cellArb: fc.Arbitrary<CellSpec> = fc.record({
  kind: fc.constantFrom<CellSpec['kind']>('value', 'value', 'value', 'value', 'missing'),
  fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  flag: fc.constantFrom('', '', ' H', ' L', '*', ' ↑', '+'),
  missing: fc.constantFrom('--', 'n.a.', 'not done', 'folgt', 'entfällt', ''),
});

const tableArb: fc.Arbitrary<TableSpec> = fc.record({
  layout: fc.constantFrom<Layout>('spaces', 'pipe', 'semicolon', 'tab'),
  style: fc.constantFrom<Style>('en', 'de', 'ch'),
  days: fc.uniqueArray(fc.integer({ min: 13, max: 28 }), { minLength: 1, maxLength: 4 }).map((d) => [...d].sort((a, b) => a - b)),
  analytes: fc.uniqueArray(fc.integer({ min: 0, max: ANALYTES.length - 1 }), { minLength: 1, maxLength: ANALYTES.length }),
  cells: fc.array(cellArb, { minLength: 20, maxLength: 20 }),
  withTimes: fc.boolean(),
  withReference: fc.boolean(),
  quoted: fc.boolean(),
});

function generate(t: TableSpec): Generated {
  // one ";" on a line is prose punctuation ("Hb 9; Plt 100"): a ";" export has three columns at least
  const withReference = t.withReference || (t.layout === 'semicolon' && t.days.length < 2);
  const language: Language = t.style === 'en' ? 'en' : 'de';
  const times = t.layout === 'spaces' && t.withTimes ? t.days.map((_, i) => `0${7 + (i % 3)}:${10 + i * 7}`) : null;
  // an aligned table without a label cell over its labels relies on the label column being found from the rows
  // (a header of one lone indented date is no table line: that layout keeps its corner label)
  const corner = times && t.days.length > 1 ? '' : language === 'en' ? 'Test' : 'Parameter';
  const header = [corner, ...t.days.map((d) => dateHeader(d, t.style)), ...(withReference ? [language === 'en' ? 'Ref range' : 'Referenz'] : [])];
  const rows: string[][] = [header];
  const expected: string[] = [];
  t.analytes.forEach((ai, r) => {
    const a = ANALYTES[ai];
    const row = [a[language]];
    t.days.forEach((d, c) => {
      const cell = t.cells[(r * 4 + c) % t.cells.length];
      const v = Number((a.min + cell.fraction * (a.max - a.min)).toFixed(a.decimals));
      const text = cell.kind === 'missing' ? cell.missing : `${written(v, a.decimals, t.style)}${cell.flag}`;
      row.push(text === '' && t.layout === 'spaces' ? '--' : text);
      if (cell.kind === 'value') expected.push(`${a.concept}=${v}@2026-03-${String(d).padStart(2, '0')}|${text}`);
    });
    if (withReference) row.push(language === 'en' ? a.ref : a.ref.replace(/\./g, ','));
    rows.push(row);
  });
  return { text: render(t.layout, rows, times, t.quoted), language, expected };
}

describe('table reader: generated lab tables (property)', () => {
  it('gives exactly one Observation per filled cell, with its value, its column date and the cell as evidence', () => {
    fc.assert(fc.property(tableArb, (t) => {
      const g = generate(t);
      const fs = extract(g.text, g.language, '2026-04-02').filter((f) => f.kind === 'observation');
      const got = fs.map((f) => `${f.concept}=${f.value}@${f.date ?? '-'}|${f.quote}`).sort();
      expect(got).toEqual([...g.expected].sort());
      for (const f of fs) expect(g.text.slice(f.offset, f.offset + f.length)).toBe(f.quote);
    }), { numRuns: 300 });
  });
});
