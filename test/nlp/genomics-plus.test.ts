/**
 * A "+" after a BRCA gene: glued or alone at the end of its item it is a positive result ("BRCA1+", "BRCA1 +,"),
 * spaced before a word on its line it means "and" ("blood taken for BRCA1/2 + panel", "BRCA1/2 + tumour HRD").
 */
import fc from 'fast-check';
import { extract, valuesOf } from './helpers';

const brca1 = (text: string): unknown[] => valuesOf(extract(text, 'en'), 'brca1_variant');

describe('a "+" after a BRCA gene', () => {
  it('spaced before a word it joins two tests: no result', () => {
    expect(brca1('Plan: blood taken for BRCA1/2 + panel.')).toEqual([]);
    expect(brca1('Send BRCA1/2 + tumour HRD.')).toEqual([]);
  });

  it('glued, bracketed or closing its item it is a positive result', () => {
    expect(brca1('Tumour: BRCA1+ on somatic testing.')).toEqual(['present']);
    expect(brca1('BRCA1 (+) germline.')).toEqual(['present']);
    expect(brca1('BRCA1 +, HRD positive.')).toEqual(['present']);
    expect(brca1('Germline BRCA1 +\nCA125 34 U/mL')).toEqual(['present']);
  });

  it('any test word after a spaced "+" gives no result', () => {
    const words = fc.constantFrom('panel', 'tumour HRD', 'HRD', 'PALB2', 'somatic testing');
    fc.assert(fc.property(words, fc.constantFrom(' ', '  '), (w, gap) => {
      expect(brca1(`Sent: BRCA1${gap}+ ${w}.`)).toEqual([]);
    }), { numRuns: 24 });
  });
});
