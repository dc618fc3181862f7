/** The `hybrid` extractor: rules and llm over the same note; findings both engines agree on gain confidence. */
import type { ExtractInput, Extractor, Finding, FindingAttributes } from './finding';

const MAX_CONFIDENCE = 0.99;
/** Two numbers are the same measurement within 0.5 % (rounding in the note vs unit conversion). */
const VALUE_TOLERANCE = 0.005;
const ATTRIBUTES = ['histology', 'laterality', 'figo', 'relationship', 'gene', 'grade'] as const;

function sameValue(a: Finding, b: Finding): boolean {
  const x = a.normalized?.value ?? a.value;
  const y = b.normalized?.value ?? b.value;
  if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) <= VALUE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y), 1e-9);
  return x === y;
}

const overlaps = (a: Finding, b: Finding): boolean => a.offset < b.offset + b.length && b.offset < a.offset + a.length;

/**
 * The same statement: concept, kind, assertion, relative and value, and no conflicting dates for measurements — except
 * that a rules table cell the llm also quoted is one measurement whatever date the llm gave it: the cell's column date wins.
 */
function sameFact(r: Finding, l: Finding): boolean {
  if (r.concept !== l.concept || r.kind !== l.kind || r.assertion !== l.assertion || !sameValue(r, l)) return false;
  if (r.attributes.relationship?.key !== l.attributes.relationship?.key) return false;
  if (r.table && overlaps(r, l)) return true;
  return !(r.kind === 'observation' && r.date && l.date && r.date !== l.date);
}

/** Independent evidence: the chance both engines are wrong is the product of their error rates. */
const combined = (a: number, b: number): number => Math.min(MAX_CONFIDENCE, Number((1 - (1 - a) * (1 - b)).toFixed(4)));

/** The rules finding (its quote, codes, normalisation), with what only the llm stated added. */
function merge(r: Finding, l: Finding, confidence: number): Finding {
  const attributes: FindingAttributes = { ...r.attributes };
  for (const key of ATTRIBUTES) if (!attributes[key] && l.attributes[key]) attributes[key] = l.attributes[key];
  // the laterality-specific ICD-10-CM code came with the llm's laterality
  const codes = !r.attributes.laterality && l.attributes.laterality ? l.codes : r.codes;
  const date = r.date ?? l.date;
  return { ...r, attributes, codes, ...(date ? { date } : {}), confidence, engine: 'hybrid' };
}

/**
 * Pairs each rules finding with an llm finding of the same fact: with an overlapping span the confidence is raised;
 * elsewhere in the note it is the same fact reported twice (one finding, the higher confidence). Unpaired findings
 * stay as their engine reported them.
 */
export function combineFindings(rules: readonly Finding[], llm: readonly Finding[]): Finding[] {
  const used = new Set<number>();
  const out: Finding[] = [];
  const pick = (r: Finding, spanMustOverlap: boolean): number =>
    llm.findIndex((l, i) => !used.has(i) && sameFact(r, l) && (!spanMustOverlap || overlaps(r, l)));
  const pending: Finding[] = [];
  for (const r of rules) {
    const i = pick(r, true);
    if (i < 0) {
      pending.push(r);
      continue;
    }
    used.add(i);
    out.push(merge(r, llm[i], combined(r.confidence, llm[i].confidence)));
  }
  for (const r of pending) {
    const i = pick(r, false);
    if (i >= 0) used.add(i);
    out.push(i < 0 ? r : merge(r, llm[i], Math.max(r.confidence, llm[i].confidence)));
  }
  llm.forEach((l, i) => {
    if (!used.has(i)) out.push(l);
  });
  return out.sort((a, b) => a.offset - b.offset || a.concept.localeCompare(b.concept));
}

export class HybridExtractor implements Extractor {
  readonly name = 'hybrid';
  readonly version: string;
  readonly model?: string;
  readonly promptVersion?: string;

  constructor(private readonly rules: Extractor, private readonly llm: Extractor) {
    this.version = `${rules.name}-${rules.version}+${llm.name}-${llm.version}`;
    if (llm.model) this.model = llm.model;
    if (llm.promptVersion) this.promptVersion = llm.promptVersion;
  }

  /** Both engines on the same input; a failing engine fails the run (the job queue retries), never silently halves it. */
  async extract(input: ExtractInput): Promise<Finding[]> {
    const [r, l] = await Promise.all([this.rules.extract(input), this.llm.extract(input)]);
    return combineFindings(r, l);
  }
}

export function createHybridExtractor(rules: Extractor, llm: Extractor): HybridExtractor {
  return new HybridExtractor(rules, llm);
}
