/**
 * The real floor (issue 13): the engine scored on the repository corpus it was not written against. `held-out/` and `held-out-2/` are only
 * scored — totals, never per-note output — and `tune/` is the split the rules were developed on. Floors = levels reached
 * when they were set (see the closing note); the targets are F1 ≥ 0.93, observation recall ≥ 0.90 and
 * no assertion errors on held-out.
 */
import { DEFAULT_CORPUS_DIR, readCorpusSplit, type CorpusSplit } from '../../server/nlp/eval/corpus';
import { aggregate, scoreNote, type CorpusScore } from '../../server/nlp/eval/score';
import { groundFindings } from '../../server/nlp/grounding';
import { testIf } from '../support/skip';
import { rules, rulesResources } from './helpers';

const corpusDir = process.env.NLP_CORPUS_DIR ?? DEFAULT_CORPUS_DIR();

function score(split: CorpusSplit): CorpusScore | null {
  const notes = readCorpusSplit(split, corpusDir);
  if (!notes.length) return null;
  return aggregate(notes.map((n) => {
    const fs = rules().extractSync({ text: n.text, language: n.language, documentDate: n.date });
    return scoreNote(rulesResources(), n, groundFindings(n.text, fs).kept);
  }));
}

/** Only totals leave this function: a failing floor must not print held-out notes. */
const totals = (s: CorpusScore): Record<string, number> => ({
  notes: s.notes.length,
  overallF1: Number(s.overall.f1.toFixed(3)),
  conditionF1: Number(s.conditions.f1.toFixed(3)),
  observationRecall: Number(s.observations.recall.toFixed(3)),
  observationPrecision: Number(s.observations.precision.toFixed(3)),
  assertionErrors: s.contextErrorTotal,
  dateAccuracy: Number((s.dates.total ? s.dates.correct / s.dates.total : 1).toFixed(3)),
});

const FLOORS: Record<CorpusSplit, { overallF1: number; observationRecall: number; maxAssertionErrors: number }> = {
  'held-out': { overallF1: 0.965, observationRecall: 0.94, maxAssertionErrors: 5 },
  // held-out-2 (written by an annotator who never read the engine), first scored 2026-12-07: F1 0.954, observation
  // recall 0.957, 21 assertion errors; after the general date/trigger work of branch nlp2: F1 0.957, recall 0.960,
  // 20 errors — a regression floor until the engine generalises to it
  'held-out-2': { overallF1: 0.955, observationRecall: 0.96, maxAssertionErrors: 20 },
  tune: { overallF1: 0.99, observationRecall: 0.985, maxAssertionErrors: 0 },
};

describe.each(['held-out', 'held-out-2', 'tune'] as CorpusSplit[])('eval floor on the %s split', (split) => {
  const s = score(split);
  const floor = FLOORS[split];
  const run = testIf(s !== null, `no notes in ${corpusDir}/${split} (the corpus of issue 13 is not in this checkout)`);

  run(`overall F1 ≥ ${floor.overallF1}, observation recall ≥ ${floor.observationRecall}, assertion errors ≤ ${floor.maxAssertionErrors}`, () => {
    const t = totals(s as CorpusScore);
    const ok = t.overallF1 >= floor.overallF1 && t.observationRecall >= floor.observationRecall && t.assertionErrors <= floor.maxAssertionErrors;
    expect({ ok, ...t }).toEqual({ ok: true, ...t });
  });
});
