/** Performance status written as a bare "PS 1" opening a clause, and what is not one ("PD-L1 80% PS2+"). */
import { extract, valuesOf } from './helpers';

describe('bare "PS" performance status', () => {
  it.each([
    ['Obs: BP 128/70, HR 76. PS 2.', 'en', [2]],
    ['Examination unremarkable; PS 0, weight stable.', 'en', [0]],
    ['Befund: Abdomen weich.\nPS: 1\n', 'de', [1]],
    ['WHO PS 1. Plan as above.', 'en', [1]],
    ['PD-L1 CPS 80% PS2+ in tumour cells.', 'en', []],
    ['Staining: 80% PS2+.', 'en', []],
    ['Plan: PS 1-2 expected after surgery.', 'en', []],
  ] as const)('%s', (text, lang, want) => {
    expect(valuesOf(extract(text, lang), 'ecog')).toEqual(want);
  });
});
