/** npm run eval:nlp [-- --verbose] [--dev DIR] [--notes FILE]: scores the rules engine on ../shared/nlp/dev and measures its throughput. */
import { performance } from 'node:perf_hooks';
import type { ExtractInput, Finding } from '../server/nlp/finding';
import { groundFindings } from '../server/nlp/grounding';
import { DEFAULT_DEV_DIR, DEFAULT_SYNTHEA_NOTES, readDevCorpus, readDocumentReferenceNotes } from '../server/nlp/eval/corpus';
import { aggregate, scoreNote, type CorpusScore, type Prf } from '../server/nlp/eval/score';
import { compileRulesResources, createRulesExtractor, type RulesExtractor } from '../server/nlp/rules/engine';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const pct = (x: number): string => (100 * x).toFixed(1).padStart(5);
const line = (label: string, p: Prf): string =>
  `  ${label.padEnd(13)} P ${pct(p.precision)} %  R ${pct(p.recall)} %  F1 ${pct(p.f1)} %   (tp ${p.tp}, fp ${p.fp}, fn ${p.fn})`;

function printScore(s: CorpusScore, verbose: boolean): void {
  if (verbose) {
    for (const n of s.notes) if (n.details.length) console.log(`${n.id}:\n    ${n.details.join('\n    ')}`);
  }
  console.log(`\nDevelopment corpus: ${s.notes.length} notes`);
  console.log(line('conditions', s.conditions));
  console.log(line('observations', s.observations));
  console.log(line('overall', s.overall));
  console.log(`  attributes    ${pct(s.attributeAccuracy)} % correct (${s.attributes.correct}/${s.attributes.total}; ${s.attributes.missingCondition} on conditions not found)`);
  console.log(`  possible      ${s.possible.emitted}/${s.possible.gold} uncertain gold mentions emitted as unconfirmed Conditions (reported, not scored)`);
  const e = s.contextErrors;
  console.log(`  negated/family/hypothetical mentions that became present Conditions: ${s.contextErrorTotal} (negated ${e.negated ?? 0}, family ${e.family ?? 0}, hypothetical ${e.hypothetical ?? 0})`);
}

interface Rate { perSec: number; perCpuSec: number; notes: number; meanKb: number }

/** Notes per second on this (single) thread, by wall clock and by CPU time (other load on the machine inflates only the first). */
function throughput(ex: RulesExtractor, inputs: ExtractInput[], minMs: number): Rate {
  for (const i of inputs.slice(0, 50)) ex.extractSync(i); // warm-up (JIT)
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    for (const i of inputs) ex.extractSync(i);
    n += inputs.length;
  } while (performance.now() - t0 < minMs);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const meanKb = inputs.reduce((s, i) => s + Buffer.byteLength(i.text), 0) / inputs.length / 1024;
  return { perSec: (n / ms) * 1000, perCpuSec: n / ((cpu.user + cpu.system) / 1e6), notes: n, meanKb };
}

const rateLine = (label: string, r: Rate, extra = ''): string =>
  `  ${label.padEnd(22)} ${r.perSec.toFixed(0).padStart(6)} notes/s wall, ${r.perCpuSec.toFixed(0).padStart(6)} notes/CPU-s  (mean ${r.meanKb.toFixed(1)} KB/note${extra})`;

function main(): void {
  const verbose = process.argv.includes('--verbose');
  const t0 = performance.now();
  const resources = compileRulesResources();
  const ex = createRulesExtractor(resources);
  console.log(`rules engine ${ex.version}: ${resources.dictionary.entryCount} dictionary entries compiled in ${(performance.now() - t0).toFixed(0)} ms`);

  const dev = readDevCorpus(arg('--dev') ?? DEFAULT_DEV_DIR());
  if (!dev.length) throw new Error('no development notes found (expected ../shared/nlp/dev beside the repository)');
  let ungrounded = 0;
  const scores = dev.map((note) => {
    const raw: Finding[] = ex.extractSync({ text: note.text, language: note.language, documentDate: note.date });
    const g = groundFindings(note.text, raw);
    ungrounded += raw.length - g.kept.length + g.corrected;
    return scoreNote(resources, note, g.kept);
  });
  printScore(aggregate(scores), verbose);
  console.log(`  grounding     ${ungrounded} findings dropped or corrected by the grounding check`);

  console.log('\nThroughput (one core, rules engine only):');
  const devInputs = dev.map((n) => ({ text: n.text, language: n.language, documentDate: n.date }));
  console.log(rateLine('dev notes', throughput(ex, devInputs, 3000)));
  // the 2–4 KB target: development notes joined in pairs
  const pairs = devInputs.map((n, i) => ({ ...n, text: `${n.text}\n\n${devInputs[(i + 5) % devInputs.length].text}` }));
  console.log(rateLine('dev notes, 2–4 KB', throughput(ex, pairs, 3000)));
  const synthea = readDocumentReferenceNotes(arg('--notes') ?? DEFAULT_SYNTHEA_NOTES());
  if (synthea.length) {
    const r = throughput(ex, synthea.map((n) => ({ text: n.text, documentDate: n.date })), 3000);
    console.log(rateLine('Synthea notes', r, `, ${synthea.length} notes`));
  } else {
    console.log('  Synthea notes  not found (../shared/data/synthea-ndjson-notes)');
  }
}

main();
