/**
 * Values of the visit: weight named by a change noun ("Kein Gewichtsverlust (88 kg)" vs "weight loss of 5 kg"), the
 * letter's "today" on the clinic date it names, weight under a lab heading, and a bracketed reading with its own date.
 */
import type { Finding } from '../../server/nlp/finding';
import { extract, observationsOf } from './helpers';

const got = (fs: Finding[], concept: string): string[] =>
  observationsOf(fs, concept).sort((a, b) => a.offset - b.offset).map((f) => `${f.value}@${f.date ?? '-'}`);

describe('weight after a change noun', () => {
  it.each([
    ['No weight loss (72.5 kg), appetite good.', 'en', ['72.5@-']],
    ['Some weight gain (now 81 kg).', 'en', ['81@-']],
    ['Weight loss of 4 kg over two months.', 'en', []],
    ['Unintentional weight loss by 3 kg.', 'en', []],
    ['Keine Gewichtszunahme (derzeit 69 kg).', 'de', ['69@-']],
    ['Gewichtsabnahme (aktuell 54,5 kg).', 'de', ['54.5@-']],
    ['Gewichtsverlust von 7 kg seit dem Sommer.', 'de', []],
    ['Gewichtsabnahme um 2 kg.', 'de', []],
    ['Weight loss 3 kg since the last cycle.', 'en', []],
  ] as const)('%s', (text, lang, want) => {
    expect(got(extract(text, lang, '2026-05-04'), 'body_weight')).toEqual(want);
  });

  it('keeps the current weight on the note date when an earlier one follows in the bracket (DE)', () => {
    const fs = extract('Appetitlosigkeit und Gewichtsverlust (aktuell 61 kg, vor 2 Monaten 66 kg).', 'de', '2026-05-04');
    expect(got(fs, 'body_weight')[0]).toBe('61@-');
  });
});

describe('a reduction names an amount only with "of"/"by"', () => {
  it.each([
    ['Platelet reduction by 40 since cycle 2.', 'en', []],
    ['Platelet reduction to 95 on day 8.', 'en', [95]],
  ] as const)('%s', (text, lang, want) => {
    expect(observationsOf(extract(text, lang, '2026-05-04'), 'platelets').map((f) => f.value)).toEqual(want);
  });
});

describe('the clinic date of a letter typed later', () => {
  it('dates "today" by the clinic date (EN)', () => {
    const text = 'Clinic date: 11/05/2026     Typed: 14/05/2026\n\nShe weighs 70.4 kg today. CA125 today was 19 U/mL.\n';
    const fs = extract(text, 'en', '2026-05-14');
    expect(got(fs, 'body_weight')).toEqual(['70.4@2026-05-11']);
    expect(got(fs, 'ca125')).toEqual(['19@2026-05-11']);
  });

  it('takes the visit day from "die sich am … vorstellte" for undated values (DE)', () => {
    const text = 'Magdeburg, 20.04.2026\n\nwir berichten über Frau K., die sich am 16.04.2026 in unserer Sprechstunde vorstellte.\n\nBefund: Gewicht 77 kg, Blutdruck normal.\n';
    expect(got(extract(text, 'de', '2026-04-20'), 'body_weight')).toEqual(['77@2026-04-16']);
  });
});

describe('an emergency note written after midnight', () => {
  it('dates the night\'s values by the triage day and a later update by its own label (EN)', () => {
    const text = 'ED note   Triage 22:50 on 03/02/2026, seen 23:15\n\nWt 61 kg today.\n\nBloods (23:40):\nHb 8.9 g/dL, creatinine 131 umol/L\n\n'
      + 'Update 04:20 04/02 (before transfer): CT negative. Repeat creatinine 109 umol/L at 04:00.\n';
    const fs = extract(text, 'en', '2026-02-04');
    expect(got(fs, 'body_weight')).toEqual(['61@2026-02-03']);
    expect(got(fs, 'hemoglobin')).toEqual(['8.9@2026-02-03']);
    expect(got(fs, 'creatinine')).toEqual(['131@2026-02-03', '109@2026-02-04']);
  });

  it('does the same for "presented on" and a German "Nachtrag" line', () => {
    const text = 'Patientin presented to ED at 23:30 on 10.03.2026.\nLabor: Hb 9,1 g/dl.\n\nNachtrag 11.03.2026: Befund besprochen. Kontrolle Hb 8,7 g/dl.\n';
    const fs = extract(text, 'de', '2026-03-11');
    expect(got(fs, 'hemoglobin')).toEqual(['9.1@2026-03-10', '8.7@2026-03-11']);
  });
});

describe('weight and height under a lab heading', () => {
  it('leaves them to the note date while the labs take the heading date (DE)', () => {
    const text = 'Labor vor Entlassung (02.03.2026):\nHb 11,2 g/dl, Thrombozyten 250 G/l.\nGewicht 63 kg, Größe 165 cm.\n';
    const fs = extract(text, 'de', '2026-03-03');
    expect(got(fs, 'hemoglobin')).toEqual(['11.2@2026-03-02']);
    expect(got(fs, 'body_weight')).toEqual(['63@-']);
  });

  it('does the same under an English bloods heading', () => {
    const text = 'Bloods (27/02/2026):\nHb 118 g/L, platelets 301.\nWeight 58.9 kg.\n';
    const fs = extract(text, 'en', '2026-03-01');
    expect(got(fs, 'hemoglobin')).toEqual(['118@2026-02-27']);
    expect(got(fs, 'body_weight')).toEqual(['58.9@-']);
  });
});

describe('a bracketed earlier reading with its own date and phase', () => {
  it.each([
    ['Weight 59.8 kg (61.5 kg at C1 on 02/02).', 'en', ['59.8@-', '61.5@2026-02-02']],
    ['Gewicht 71 kg (73 kg bei C3 am 09.02.).', 'de', ['71@-', '73@2026-02-09']],
    ['Her weight today is 58.4 kg (61.0 kg at Easter, 20/04/2025).', 'en', ['58.4@2026-03-02', '61@2025-04-20']],
    ['Gewicht heute 80 kg (83 kg zu Weihnachten, 24.12.2025).', 'de', ['80@2026-03-02', '83@2025-12-24']],
  ] as const)('%s', (text, lang, want) => {
    expect(got(extract(text, lang, '2026-03-02'), 'body_weight')).toEqual(want);
  });
});
