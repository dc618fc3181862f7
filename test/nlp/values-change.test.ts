/**
 * Changes are not levels: the undated start of a "from … to …" change and a signed difference give no value; a
 * remark naming the sample date ("der Probe vom …, nachbestimmt am …: 188 kU/l") gives the value on the sample's day.
 */
import type { Finding } from '../../server/nlp/finding';
import { extract, observationsOf } from './helpers';

const got = (fs: Finding[], concept: string): string[] =>
  observationsOf(fs, concept).sort((a, b) => a.offset - b.offset).map((f) => `${f.value}@${f.date ?? '-'}`);

describe('changes are not levels', () => {
  it.each([
    ['Indikation: CA 19-9-Anstieg (von 31 auf 77 U/ml am 02.02.2026).', 'de', 'ca19_9', ['77@2026-02-02']],
    ['Reason: CEA rise (from 3.0 to 11.2 ng/mL on 14/01/2026).', 'en', 'cea', ['11.2@2026-01-14']],
    ['Kreatinin-Anstieg (+41 µmol/l seit Zyklus 3).', 'de', 'creatinine', []],
    ['Creatinine increase (+0.4 mg/dL over 2 weeks).', 'en', 'creatinine', []],
  ] as const)('%s', (text, lang, concept, want) => {
    expect(got(extract(text, lang, '2026-03-01'), concept)).toEqual(want);
  });

  it('keeps a dated start of a change', () => {
    expect(got(extract('CA-125 fell to 38 U/mL on 12/02/2026 (from 96 U/mL on 08/01/2026).', 'en', '2026-03-01'), 'ca125'))
      .toEqual(['38@2026-02-12', '96@2026-01-08']);
  });
});

describe('a remark that names the sample date and a later measuring date', () => {
  it.each([
    ['Bemerkung: HE4 der Probe vom 03.02. nachgemessen am 05.02.: 140 pmol/l.', 'de', 'he4', ['140@2026-02-03']],
    ['Comment: CA125 on the sample of 03/02 re-run on 05/02: 310 kU/L.', 'en', 'ca125', ['310@2026-02-03']],
  ] as const)('%s', (text, lang, concept, want) => {
    expect(got(extract(text, lang, '2026-02-06'), concept)).toEqual(want);
  });
});
