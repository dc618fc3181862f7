/** The table reader: lab tables in EN and DE (aligned, |, tab, transposed, HTML) → dated, coded Observations with exact cell spans. */
import fc from 'fast-check';
import { htmlToText } from '../../server/nlp/attachment/html-text';
import type { Finding } from '../../server/nlp/finding';
import { parseHeaderDate, parseLabelledHeaderDate } from '../../server/nlp/text/table-dates';
import { findGrids } from '../../server/nlp/text/table-grid';
import { findTables } from '../../server/nlp/text/table-layout';
import { extract, observationsOf } from './helpers';

/** concept → "value@date" of every observation, in text order. */
function cells(fs: Finding[], concept: string): string[] {
  return observationsOf(fs, concept).sort((a, b) => a.offset - b.offset).map((f) => `${f.normalized?.value ?? f.value}@${f.date ?? '-'}`);
}

const DE_CUMULATIVE = `Kumulativer Befund                        Druckdatum: 28.01.2026

Parameter          Einheit     Referenz       12.01.26   19.01.26   26.01.
Hämatologie
Leukozyten         G/l         3,9 - 10,5     5,2        2,8 L      --
Hämoglobin         g/dl        12,0 - 15,6    10,8 L     10,1L      9,4 ↓
Thrombozyten       G/l         150 - 370      212        98 L       n.a.
Tumormarker
CA 125             U/ml        < 35           1.250 *    s. Komm.   486 H
`;

describe('table reader: plain-text lab tables', () => {
  it('reads a German cumulative report: one value per cell, dated by its column, never the reference range', () => {
    const fs = extract(DE_CUMULATIVE, 'de', '2026-01-28');
    expect(cells(fs, 'leukocytes')).toEqual(['5.2@2026-01-12', '2.8@2026-01-19']);
    expect(cells(fs, 'hemoglobin')).toEqual(['10.8@2026-01-12', '10.1@2026-01-19', '9.4@2026-01-26']);
    expect(cells(fs, 'platelets')).toEqual(['212@2026-01-12', '98@2026-01-19']);
    // "1.250" is 1250 in a table written with decimal commas; "< 35" is the reference column
    expect(cells(fs, 'ca125')).toEqual(['1250@2026-01-12', '486@2026-01-26']);
  });

  it('quotes each cell verbatim at its exact offset (the cell is the evidence span)', () => {
    const fs = extract(DE_CUMULATIVE, 'de', '2026-01-28');
    for (const f of fs.filter((x) => x.kind === 'observation')) {
      expect(DE_CUMULATIVE.slice(f.offset, f.offset + f.length)).toBe(f.quote);
      expect(f.table).toBe(true);
    }
    const hb = observationsOf(fs, 'hemoglobin').find((f) => f.value === 10.1)!;
    expect(hb.quote).toBe('10,1L');
    expect(observationsOf(fs, 'ca125').map((f) => f.quote)).toEqual(['1.250 *', '486 H']);
  });

  it('reads an English pipe table with a wrapped reference column and month-name headers', () => {
    const text = `Analyte (units) | 12 Jan 2026 | 19 Jan 2026 | Ref range
Haemoglobin (g/dL) | 11.6 | 11.0 L | 11.5-
  15.5
White cell count (x10^9/L) | 5.8 | 3.7 L | 4.0-
  11.0
CA125 (U/mL) | 388 H | -- | 0-35
`;
    const fs = extract(text, 'en', '2026-01-27');
    expect(cells(fs, 'hemoglobin')).toEqual(['11.6@2026-01-12', '11@2026-01-19']);
    expect(cells(fs, 'leukocytes')).toEqual(['5.8@2026-01-12', '3.7@2026-01-19']);
    expect(cells(fs, 'ca125')).toEqual(['388@2026-01-12']);
  });

  it('reads a transposed table (one row per date) with a units line under the analytes', () => {
    const text = `Collected     Hb     WCC      Plt      CA125
              g/L    x10^9/L  x10^9/L  U/mL
03/03/26      118    5.6      244      210H
17/03/26      115    see cmt  226      96H
`;
    const fs = extract(text, 'en', '2026-03-17');
    expect(cells(fs, 'hemoglobin')).toEqual(['11.8@2026-03-03', '11.5@2026-03-17']);
    expect(cells(fs, 'leukocytes')).toEqual(['5.6@2026-03-03']);
    expect(cells(fs, 'ca125')).toEqual(['210@2026-03-03', '96@2026-03-17']);
  });

  it('reads labelled column dates ("C1 (03.11.)", "Today"), labels glued to their value and wrapped labels', () => {
    const text = `                     C1 (03.11.)  C2 (24.11.)  Normbereich
Thrombozyten (Tsd/µl)255          231          150-400
Neutrophile Granulozyten
(absolut)            4,1          2,9          1,5-7,0

Bloods          02/02/26     Today
Creat (mg/dL)   0.81         0.84
`;
    const fs = extract(text, 'de', '2026-02-23');
    expect(cells(fs, 'platelets')).toEqual(['255@2025-11-03', '231@2025-11-24']);
    expect(cells(fs, 'neutrophils_abs')).toEqual(['4.1@2025-11-03', '2.9@2025-11-24']);
    expect(cells(fs, 'creatinine')).toEqual(['0.81@2026-02-02', '0.84@2026-02-23']);
  });

  it('reads an HTML <table> note through the HTML text mapping (empty cells keep their column)', () => {
    const html = `<html><body><p>Labor</p>
<table>
  <tr><th>Parameter</th><th>12.01.2026</th><th>19.01.2026</th><th>Referenz</th></tr>
  <tr>
    <td>Hb (g/dl)</td>
    <td>11,2</td>
    <td></td>
    <td>12-16</td>
  </tr>
  <tr><td>Leukozyten (/nl)</td><td>6,8</td><td>2,1 L</td><td>4-10</td></tr>
</table></body></html>`;
    const mapped = htmlToText(html);
    const fs = extract(mapped.text, 'de', '2026-01-20');
    expect(cells(fs, 'hemoglobin')).toEqual(['11.2@2026-01-12']);
    expect(cells(fs, 'leukocytes')).toEqual(['6.8@2026-01-12', '2.1@2026-01-19']);
  });

  it('leaves prose and tables without a header to the prose reader', () => {
    const fs = extract('Labs 4/6/2026: WBC 8.8, Hgb 10.6, Plt 512. CA-125 3,412 U/mL (3/20/2026: 2,980 U/mL).', 'en', '2026-04-08');
    expect(cells(fs, 'ca125')).toEqual(['3412@2026-04-06', '2980@2026-03-20']);
    expect(findTables('Hb 10.2  g/dl\nno table here', { language: 'en' })).toEqual([]);
  });
});

describe('table header dates', () => {
  const opts = { documentDate: '2026-01-28', dayFirst: true };
  it.each([
    ['12.01.2026', '2026-01-12'], ['12.01.26', '2026-01-12'], ['12.01.', '2026-01-12'], ['2026-01-12', '2026-01-12'],
    ['Jan 12', '2026-01-12'], ['12. Jan', '2026-01-12'], ['Di 06.01.', '2026-01-06'], ['12.01.2026 07:30', '2026-01-12'],
    ['15.12.', '2025-12-15'], ['01-Dec-25', '2025-12-01'],
    ['Jan-12', '2026-01-12'], ['Dec 22', '2025-12-22'], ['12/01/2026 0730', '2026-01-12'], ['2026/01/12', '2026-01-12'], ['12-Jan-2026 8h15', '2026-01-12'],
    ['Jan 2026', null], ['12 Jan 2026', '2026-01-12'],
  ] as Array<[string, string | null]>)('%s → %s', (cell, iso) => {
    expect(parseHeaderDate(cell, opts)).toBe(iso);
  });

  it('reads US order when the note says so, a labelled date, and never a sentence or a value', () => {
    expect(parseHeaderDate('01/12/2026', { ...opts, dayFirst: false })).toBe('2026-01-12');
    expect(parseLabelledHeaderDate('C3 (15.12.)', opts)).toBe('2025-12-15');
    expect(parseLabelledHeaderDate('heute', opts)).toBe('2026-01-28');
    expect(parseHeaderDate('10,4', opts)).toBeNull();
    expect(parseLabelledHeaderDate('Hb fiel am 12.01.2026 deutlich ab', opts)).toBeNull();
  });

  it('reads an English table whose slash headers the note leaves open nearer before the document date', () => {
    const t = findTables('Test   12/01   05/01\nHb g/dL   9.6   10.1\n', { language: 'en', documentDate: '2026-01-14' });
    expect(t[0]?.columns.map((c) => c.date).filter(Boolean)).toEqual(['2026-01-12', '2026-01-05']);
  });

  it('reads an English table with ambiguous slash headers in the order of the note (British hints)', () => {
    const text = 'Haemoglobin and tumour markers, anaemia workup (creatinine in umol/L)\n\nTest      03/02/2026  04/02/2026\nHb g/L    101         98\n';
    const t = findTables(text, { language: 'en', documentDate: '2026-02-05' });
    expect(t[0]?.columns.map((c) => c.date).filter(Boolean)).toEqual(['2026-02-03', '2026-02-04']);
  });
});

describe('table reader: properties', () => {
  const tableish = fc.array(fc.oneof(
    fc.constantFrom('Hb', 'CA 125', 'Leukozyten', '12.01.26', '|', '\t', '  ', '   ', ';', '\n', '10,4 L', '1.250', '--', 'n.a.', '(g/dl)', 'U/ml', '<35', '12-16', '↑'),
    fc.string({ maxLength: 8 }),
  ), { maxLength: 80 }).map((parts) => parts.join(''));

  it('never throws, and every cell is a verbatim, trimmed substring of the text', () => {
    fc.assert(fc.property(tableish, (text) => {
      for (const g of findGrids(text)) {
        for (const line of g.lines) {
          for (const c of line.cells) {
            expect(text.slice(c.start, c.end)).toBe(c.text);
            expect(c.text).toBe(c.text.trim());
          }
        }
      }
      for (const t of findTables(text, { language: 'de', documentDate: '2026-01-28' })) {
        for (const r of t.rows) for (const c of r.cells) expect(c.column).toBeLessThan(t.columns.length);
      }
    }), { numRuns: 300 });
  });

  it('every table finding quotes the note exactly, and findings never outnumber the characters', () => {
    fc.assert(fc.property(tableish, (text) => {
      const fs = extract(text, 'de', '2026-01-28');
      for (const f of fs) expect(text.slice(f.offset, f.offset + f.length)).toBe(f.quote);
      expect(fs.length).toBeLessThanOrEqual(text.length);
    }), { numRuns: 200 });
  });

  it('a large table is read in one pass (10 000 rows)', () => {
    const text = `Parameter   12.01.26   19.01.26\n${'Hb (g/dl)   10,2       9,8\n'.repeat(10_000)}`;
    const grids = findGrids(text);
    expect(grids).toHaveLength(1);
    expect(grids[0].lines).toHaveLength(10_001);
  });
});
