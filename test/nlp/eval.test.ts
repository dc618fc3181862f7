/** eval:nlp as a regression guard on the dev corpus (when present) and on notes written for these tests; thresholds = levels reached today. */
import { readDevCorpus } from '../../server/nlp/eval/corpus';
import { testIf } from '../support/skip';
import { aggregate, scoreNote, type CorpusScore, type GoldNote } from '../../server/nlp/eval/score';
import { groundFindings } from '../../server/nlp/grounding';
import { rules, rulesResources } from './helpers';
import { OWN_NOTES } from './own-notes';
import { OWN_NOTES_2 } from './own-notes-2';

function run(notes: GoldNote[]): { score: CorpusScore; ungrounded: number } {
  let ungrounded = 0;
  const scores = notes.map((n) => {
    const fs = rules().extractSync({ text: n.text, language: n.language, documentDate: n.date });
    const g = groundFindings(n.text, fs);
    ungrounded += fs.length - g.kept.length + g.corrected;
    return scoreNote(rulesResources(), n, g.kept);
  });
  return { score: aggregate(scores), ungrounded };
}

/** Misses other than dates (date accuracy has its own floor: an annotator may date a value by its paragraph). */
const details = (s: CorpusScore): string[] => s.notes.flatMap((n) => n.details.filter((d) => !d.startsWith('DATE')).map((d) => `${n.id}: ${d}`));
const dateAccuracy = (s: CorpusScore): number => (s.dates.total ? s.dates.correct / s.dates.total : 1);

const dev = readDevCorpus();
const devIt = testIf(dev.length > 0, 'no development corpus in ../shared/nlp/dev beside the repo');

describe('eval', () => {
  devIt('development corpus: F1 1.0 per class, every attribute right, no context errors', () => {
    const { score, ungrounded } = run(dev);
    expect(details(score)).toEqual([]);
    expect(score.conditions.f1).toBe(1);
    expect(score.observations.f1).toBe(1);
    expect(score.overall.f1).toBe(1);
    expect(score.attributeAccuracy).toBe(1);
    expect(score.contextErrorTotal).toBe(0);
    expect(dateAccuracy(score)).toBeGreaterThanOrEqual(0.99);
    expect(ungrounded).toBe(0);
  });

  it('notes not in the development corpus (EN and DE): same levels', () => {
    const { score, ungrounded } = run([...OWN_NOTES, ...OWN_NOTES_2]);
    expect(details(score)).toEqual([]);
    expect(dateAccuracy(score)).toBe(1);
    expect(score.overall.f1).toBe(1);
    expect(score.attributeAccuracy).toBe(1);
    expect(score.contextErrorTotal).toBe(0);
    expect(ungrounded).toBe(0);
  });

  it('implements the Extractor contract (async, named, versioned, findings in text order)', async () => {
    const fs = await rules().extract({ text: 'Ascites. FIGO IIIC ovarian cancer. No DVT.' });
    expect([rules().name, typeof rules().version]).toEqual(['rules', 'string']);
    expect(fs.map((f) => f.offset)).toEqual([...fs.map((f) => f.offset)].sort((x, y) => x - y));
    expect(fs.every((f) => f.engine === 'rules' && f.confidence > 0 && f.confidence <= 1)).toBe(true);
  });

  it('counts a negated mention that became a present Condition as a context error', () => {
    const note: GoldNote = {
      id: 'x', language: 'en', text: 'No ascites.', gold: { conditions: [], observations: [], not_conditions: [{ concept: 'ascites', assertion: 'negated', quote: 'No ascites' }] },
    };
    const wrong = [{ concept: 'ascites', kind: 'condition' as const, codes: [], assertion: 'present' as const, attributes: {}, quote: 'ascites', offset: 3, length: 7, confidence: 1, engine: 't' }];
    const s = scoreNote(rulesResources(), note, wrong);
    expect(s.contextErrors).toHaveLength(1);
    expect(s.conditions.fp).toBe(1);
  });
});
