/** Printing for eval:nlp: one block per corpus split, totals and per language (held-out: totals only, never per note). */
import { aggregate, type CorpusScore, type NoteScore, type Prf } from '../../server/nlp/eval/score';

const pct = (x: number): string => (100 * x).toFixed(1).padStart(5);
const line = (label: string, p: Prf): string =>
  `  ${label.padEnd(13)} P ${pct(p.precision)} %  R ${pct(p.recall)} %  F1 ${pct(p.f1)} %   (tp ${p.tp}, fp ${p.fp}, fn ${p.fn})`;

export interface SplitScore {
  name: string;
  /** Per-note details may be printed (never for held-out). */
  inspectable: boolean;
  scores: NoteScore[];
  languages: Map<string, NoteScore[]>;
  notesPerSecond?: number;
}

function printTotals(label: string, s: CorpusScore): void {
  console.log(`  -- ${label}: ${s.notes.length} notes`);
  console.log(line('conditions', s.conditions));
  console.log(line('observations', s.observations));
  console.log(line('overall', s.overall));
  console.log(`  attributes    ${pct(s.attributeAccuracy)} % correct (${s.attributes.correct}/${s.attributes.total}; ${s.attributes.missingCondition} on conditions not found)`);
  const dates = s.dates.total ? s.dates.correct / s.dates.total : 1;
  console.log(`  dates         ${pct(dates)} % of matched observations on the gold date (${s.dates.correct}/${s.dates.total})`);
  console.log(`  possible      ${s.possible.emitted}/${s.possible.gold} uncertain gold mentions emitted as unconfirmed Conditions (reported, not scored)`);
  const e = s.contextErrors;
  // A gold not_condition may also be 'possible' (a suspicion the note rules out or confirms elsewhere): list every kind seen.
  const other = Object.entries(e).filter(([k, n]) => !['negated', 'family', 'hypothetical'].includes(k) && n > 0).map(([k, n]) => `, ${k} ${n}`).join('');
  console.log(`  assertion errors (not_condition mention → present Condition): ${s.contextErrorTotal} (negated ${e.negated ?? 0}, family ${e.family ?? 0}, hypothetical ${e.hypothetical ?? 0}${other})`);
}

/** One split: totals, then each language; per-note misses only with --verbose and only where the split may be inspected. */
export function printSplit(split: SplitScore, verbose: boolean): CorpusScore {
  const all = aggregate(split.scores);
  console.log(`\n== ${split.name}: ${split.scores.length} notes, scored through the pipeline ($extract, PGlite)${split.notesPerSecond ? `; rules engine ${split.notesPerSecond.toFixed(0)} notes/s on one core` : ''}`);
  if (verbose && split.inspectable) {
    for (const n of all.notes) if (n.details.length) console.log(`${n.id}:\n    ${n.details.join('\n    ')}`);
  }
  printTotals('all languages', all);
  for (const [lang, scores] of [...split.languages].sort()) printTotals(`language ${lang}`, aggregate(scores));
  return all;
}
