/**
 * The real floor (issue 13): the engine scored on the repository corpus it was not written against. `held-out/` and `held-out-2/` … `held-out-5/` are only
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
  // held-out: F1 0.967 / recall 0.942 / 5 errors until the table work of 2026-12-07 (0.976 / 0.967 / 5)
  // after the tune-C/D/E assertion, table and date work of 2026-12-07 (afternoon): 0.984 / 0.984 / 4
  // after the tune-H work (2026-12-07 evening): 0.984 / 0.984 / 4 (unchanged)
  // after the uncertain-scope check (night): 0.984 / 0.984 / 4 (unchanged)
  'held-out': { overallF1: 0.98, observationRecall: 0.98, maxAssertionErrors: 4 },
  // held-out-2 (written by an annotator who never read the engine), first scored 2026-12-07: F1 0.954, observation
  // recall 0.957, 21 assertion errors; 2026-12-07 after the trigger-lexicon, table and date work: 0.972 / 0.991 / 18 —
  // a regression floor until the engine generalises to it
  // after the tune-C/D/E work: 0.975 / 1.000 / 14
  // after the tune-F work: 0.977 / 1.000 / 14
  // after the scope-default work (utterance scope, mappings/nlp-scope.json; tuned on tune only): 0.978 / 1.000 / 9
  // after the tune-H work: 0.979 / 1.000 / 9
  // after the uncertain-scope check (night): 0.979 / 1.000 / 8
  'held-out-2': { overallF1: 0.975, observationRecall: 0.995, maxAssertionErrors: 8 },
  // held-out-3 (a third independent annotator, German/Austrian/Swiss and UK/US styles), first scored 2026-12-07 on the
  // engine of that morning: F1 0.901, recall 0.821, 10 errors (3 of them 'possible' mentions); after that day's
  // general work 0.931 / 0.889 / 9 — below the targets (recall 0.90, 0 errors): a regression floor only
  // after the tune-C/D/E work: 0.939 / 0.899 / 6
  // after the tune-F table/value/date work: 0.973 / 0.984 / 6
  // after the tune-H work: 0.974 / 0.990 / 6; after the tune-I work: 0.974 / 0.990 / 5
  // after the uncertain-scope check (night): 0.974 / 0.990 / 3
  'held-out-3': { overallF1: 0.97, observationRecall: 0.98, maxAssertionErrors: 3 },
  // held-out-4 (a fourth independent annotator, UK/Irish/US and German/Austrian/Swiss), first scored 2026-12-07 on the
  // engine as it stood before the tune-C/tune-D work: F1 0.966, observation recall 0.964, 7 assertion errors
  // after the tune-C/D/E work: 0.969 / 0.964 / 6
  // after the tune-F work: 0.972 / 0.968 / 6
  // after the tune-H work: 0.972 / 0.968 / 6
  // after the uncertain-scope check (night): 0.972 / 0.968 / 3
  'held-out-4': { overallF1: 0.97, observationRecall: 0.965, maxAssertionErrors: 3 },
  // held-out-5 (a fifth independent annotator, Scottish/English/Australian and German/Austrian), first scored 2026-12-07
  // after the tune-C/tune-D assertion and table work, before tune-E: F1 0.959, observation recall 0.978, 8 assertion errors
  // after the tune-F work: 0.965 / 0.982 / 8
  // after the scope-default work: 0.965 / 0.982 / 8; after the tune-H work: 0.968 / 0.987 / 7
  // after the uncertain-scope check (night): 0.968 / 0.987 / 6
  'held-out-5': { overallF1: 0.965, observationRecall: 0.985, maxAssertionErrors: 6 },
  // held-out-6 (a sixth independent annotator, Irish/US/Canadian and German/Swiss/Austrian), first scored 2026-12-07 on
  // the engine as it stood before the tune-F work: F1 0.945, observation recall 0.921, 14 assertion errors (9 hypothetical)
  // after the tune-F work: 0.944 / 0.921 / 14 (unchanged); after the scope-default work: 0.945 / 0.921 / 8
  // after the tune-H work: 0.944 / 0.921 / 7
  // after the uncertain-scope check (night): 0.944 / 0.921 / 3
  'held-out-6': { overallF1: 0.94, observationRecall: 0.915, maxAssertionErrors: 3 },
  // held-out-7 (a seventh independent annotator, NZ/Welsh/South African/US and German/Austrian/Swiss), first scored
  // 2026-12-07 on the engine after the tune-F work: F1 0.946, observation recall 0.953, 14 assertion errors (7 hypothetical)
  // after the scope-default work: 0.953 / 0.953 / 6 (hypothetical 7 -> 2)
  // after the tune-H work: 0.955 / 0.953 / 5
  // after the uncertain-scope check (night): 0.955 / 0.953 / 2
  'held-out-7': { overallF1: 0.95, observationRecall: 0.95, maxAssertionErrors: 2 },
  // held-out-8 (an eighth independent annotator), first scored 2026-12-07 (afternoon) on the engine as it stood before
  // the scope-default work: F1 0.984, observation recall 0.986, 6 assertion errors (negated 2, hypothetical 2, family 1, possible 1)
  // after the scope-default work (the clean measure of it: written before, never looked at): 0.983 / 0.986 / 5
  // after the tune-H work: 0.983 / 0.986 / 5 (unchanged)
  // after the uncertain-scope check (night): 0.983 / 0.986 / 2
  'held-out-8': { overallF1: 0.98, observationRecall: 0.985, maxAssertionErrors: 2 },
  // held-out-9 (a ninth independent annotator), first scored 2026-12-07 (evening) on the engine as it stood before the
  // tune-H work: F1 0.969, observation recall 0.967, 6 assertion errors (negated 3, family 2, hypothetical 1)
  // after the tune-H work (the clean measure of it: written before, never looked at): 0.970 / 0.967 / 3 (negated 2, family 1)
  // after the uncertain-scope check (night): 0.970 / 0.967 / 2
  'held-out-9': { overallF1: 0.965, observationRecall: 0.965, maxAssertionErrors: 2 },
  // held-out-10 (a tenth independent annotator, UK/US/NZ and German/Austrian/Swiss), first scored 2026-12-07 (night) on
  // the engine as it stood after the tune-I work, before any work of that stop: F1 0.963, observation recall 0.972,
  // 18 assertion errors (negated 9, hypothetical 6, family 2, possible 1; 14 of them in the German notes)
  // after the uncertain-scope check (night): 0.963 / 0.972 / 17 (negated 9, hypothetical 6, family 2) — the clean measure of it, and it barely moved
  'held-out-10': { overallF1: 0.96, observationRecall: 0.97, maxAssertionErrors: 17 },
  // tune grew from 57 to 87 notes with the 30 tune-B notes of an independent writer (0.965 / 0.953 / 15 errors when
  // they arrived); after the general work they prompted: 0.986 / 0.990 / 0. 2026-12-07 it grew to 127 notes with the
  // 40 tune-C/tune-D notes (0.972 / 0.970 / 18 assertion errors when they arrived); after the general assertion work
  // they prompted (hanging family labels, asides, informants, trial criteria, determiner negation, label denials):
  // 0.977 / 0.970 / 0 — the observation recall is the new notes' table level, left to the table work. 2026-12-07 it
  // grew to 142 notes with tune-E (7 assertion errors when they arrived); after the general rules they prompted
  // ('not favoured', cause-of-death 'mother of X', verb-final 'nicht', back-references after a dash, 'sein könnte'):
  // 0.989 / 0.989 / 0. 2026-12-07 (evening) it grew to 172 notes with tune-F, 30 notes of another independent writer:
  // 0.976 / 0.967 / 12 assertion errors when they arrived. After the general clause rules they prompted (coordinated
  // subjects of a post-negation, a suspicion answered by a subjectless clause, a teller's 'she herself', label fillers,
  // German adjective line wraps, denied criteria): 0.978 / 0.967 / 0 (condition precision 0.975 -> 0.990). With the
  // general table, value/date, BRCA-polarity and tumour-grammar work they prompted (nlp-tune-obs) on top: 0.994 / 0.998 / 0
  // 2026-12-07 (afternoon) it grew to 202 notes with tune-G, 30 notes of another independent writer weighted toward
  // mentions that are not present findings: 29 assertion errors when they arrived, 13 after the scope-default work
  // (first score, before any tuning on them), 2 after the general rules they prompted. All 202: 0.990 / 0.993 / 2 (the
  // 172 before: 0.994 / 0.997 / 0, unchanged)
  // 2026-12-07 (evening) it grew to 232 notes with tune-H, 30 notes of another independent writer weighted to the
  // residual error kinds: 19 assertion errors in all 232 when they arrived (17 in the new notes, 12 hypothetical), 1
  // after the general rules they prompted (checklist answers, threshold rules, plan reasons, graded toxicities,
  // checkboxes, 'Surveillance:' headings, wrapped labels). All 232: 0.989 / 0.993 / 1. Then 262 notes with tune-I (family,
  // negation, hypothetical, possible): 16 assertion errors when they arrived (15 in the new notes), 6 after the general
  // rules they prompted ('pts with', 'less likely', completely regressed = absent, consent headings, BRCA '+' as 'and').
  // All 262: 0.987 / 0.991 / 6 — the six are listed in the stop note
  // after the uncertain-scope check (night): 0.987 / 0.991 / 3 (tubo-ovarian undetermined, bare 'likely', German 'vs.' as well)
  tune: { overallF1: 0.985, observationRecall: 0.99, maxAssertionErrors: 3 },
};

describe.each(['held-out', 'held-out-2', 'held-out-3', 'held-out-4', 'held-out-5', 'held-out-6', 'held-out-7', 'held-out-8', 'held-out-9', 'held-out-10', 'tune'] as CorpusSplit[])('eval floor on the %s split', (split) => {
  const s = score(split);
  const floor = FLOORS[split];
  const run = testIf(s !== null, `no notes in ${corpusDir}/${split} (the corpus of issue 13 is not in this checkout)`);

  run(`overall F1 ≥ ${floor.overallF1}, observation recall ≥ ${floor.observationRecall}, assertion errors ≤ ${floor.maxAssertionErrors}`, () => {
    const t = totals(s as CorpusScore);
    const ok = t.overallF1 >= floor.overallF1 && t.observationRecall >= floor.observationRecall && t.assertionErrors <= floor.maxAssertionErrors;
    expect({ ok, ...t }).toEqual({ ok: true, ...t });
  });
});
