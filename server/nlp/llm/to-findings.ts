/** Validated model output of one chunk → Findings: grounded quotes, codes only from mappings/, normalised values. */
import type { Finding, FindingAttributes, Language } from '../finding';
import { groundFindings } from '../grounding';
import type { RulesResources } from '../rules/engine';
import type { TextChunk } from './chunking';
import type { ConceptResolver, ResolvedConcept } from './concept-resolver';
import type { ModelFinding } from './schema';
import { normalizeFigo, observationValue } from './values';

/** Fixed, not the model's own estimate: it is not calibrated, and the hybrid engine raises it where the rules agree. */
export const LLM_CONFIDENCE = { stated: 0.7, recoded: 0.6, possible: 0.6 } as const;

export interface ToFindingsContext {
  resources: RulesResources;
  resolver: ConceptResolver;
  language: Language;
  /** Counts what is dropped, by kebab-case reason. */
  report(reason: string, count?: number): void;
}

type Span = Pick<Finding, 'quote' | 'offset' | 'length'>;

/** The v3 RoleCode of a relative as the model named it ("MTH", "mother", "Mutter"), else the generic family member. */
function roleCode(written: string | null | undefined, res: RulesResources): string {
  const w = written?.trim() ?? '';
  const { coding, context } = res.mappings;
  if (Object.hasOwn(coding.relationships, w)) return w;
  const lower = w.toLowerCase();
  return context.en.family.forward[lower] ?? context.de.family.forward[lower]
    ?? Object.entries(coding.relationships).find(([, name]) => name === lower)?.[0] ?? 'FAMMEMB';
}

function conditionAttributes(concept: string, item: ModelFinding, ctx: ToFindingsContext): FindingAttributes {
  const { coder, mappings } = ctx.resources;
  const applies = mappings.coding.attributeConcepts;
  const attributes: FindingAttributes = {};
  const unknown = (): void => ctx.report('unknown-attribute');
  if (item.histology) {
    const h = applies.histology.includes(concept) ? coder.histology(item.histology) : undefined;
    if (h) attributes.histology = h;
    else unknown();
  }
  if (item.laterality) {
    const lateral = applies.laterality.includes(concept) || applies.adjacentLaterality.includes(concept);
    const l = lateral ? coder.laterality(item.laterality.toLowerCase()) : undefined;
    if (l) attributes.laterality = l;
    else unknown();
  }
  if (item.figo) {
    const stage = applies.figo.includes(concept) ? normalizeFigo(item.figo, coder.knownFigoStages()) : null;
    const f = stage ? coder.figo(stage) : undefined;
    if (f) attributes.figo = f;
    else unknown();
  }
  return attributes;
}

function observationFinding(r: ResolvedConcept, item: ModelFinding, base: Omit<Finding, 'kind' | 'codes' | 'attributes' | 'confidence'>, ctx: ToFindingsContext): Finding | null {
  // measurements of relatives, ruled-out or planned values are not the patient's observations
  if (item.assertion !== 'present' && item.assertion !== 'historical') {
    ctx.report('non-patient-observation');
    return null;
  }
  const { coder, units } = ctx.resources;
  const v = observationValue(r.concept, item, units, coder, ctx.language);
  if ('reason' in v) {
    ctx.report(v.reason);
    return null;
  }
  const confidence = r.via === 'id' ? LLM_CONFIDENCE.stated : LLM_CONFIDENCE.recoded;
  return { ...base, kind: 'observation', codes: coder.observationCodes(r.concept), ...v.fields, confidence };
}

function toFinding(item: ModelFinding, span: Span, ctx: ToFindingsContext): Finding | null {
  const r = ctx.resolver.resolve(item, ctx.language);
  if (!r) {
    ctx.report('unknown-concept');
    return null;
  }
  if (r.unknownCodes) ctx.report('unknown-code', r.unknownCodes);
  const { coder } = ctx.resources;
  const base = { concept: r.concept, assertion: item.assertion, ...(item.date ? { date: item.date } : {}), ...span, engine: 'llm' };
  if (coder.isObservation(r.concept)) return observationFinding(r, item, base, ctx);
  const confidence = r.via === 'id' ? LLM_CONFIDENCE.stated : LLM_CONFIDENCE.recoded;
  if (item.assertion === 'family') {
    const relationship = coder.relationship(roleCode(item.relationship, ctx.resources));
    return { ...base, kind: 'family', codes: coder.conditionCodes(r.concept), attributes: { relationship }, confidence };
  }
  const attributes = conditionAttributes(r.concept, item, ctx);
  return {
    ...base, kind: 'condition', codes: coder.conditionCodes(r.concept, attributes.laterality?.key), attributes,
    confidence: item.assertion === 'possible' ? Math.min(confidence, LLM_CONFIDENCE.possible) : confidence,
  };
}

/**
 * A table cell's quote ("10,4 L") occurs all over a lab report: it is looked for after its row label on the label's
 * line (each occurrence claimed once), for every line that carries the label.
 */
function cellInRow(text: string, row: string, quote: string, claimed: ReadonlySet<number>): number {
  for (let r = text.indexOf(row); r >= 0; r = text.indexOf(row, r + 1)) {
    const nl = text.indexOf('\n', r + row.length);
    const lineEnd = nl < 0 ? text.length : nl;
    for (let at = text.indexOf(quote, r + row.length); at >= 0 && at + quote.length <= lineEnd; at = text.indexOf(quote, at + 1)) {
      // a whole cell, not the "0,4" inside "10,4"
      const before = text[at - 1] ?? ' ';
      const after = text[at + quote.length] ?? ' ';
      if (!claimed.has(at) && !/[\d.,]/.test(before) && !/[\d.,]/.test(after)) return at;
    }
  }
  return -1;
}

/** Findings of one chunk with offsets into the full note; quotes not found in the chunk are dropped and counted. */
export function toFindings(items: readonly ModelFinding[], chunk: TextChunk, ctx: ToFindingsContext): Finding[] {
  // the same quote stated twice ("ascites" negated, later present) claims successive occurrences
  const next = new Map<string, number>();
  const claimed = new Set<number>();
  const located = items.map((item) => {
    const inRow = item.row ? cellInRow(chunk.text, item.row, item.quote, claimed) : -1;
    if (inRow >= 0) {
      claimed.add(inRow);
      return { item, quote: item.quote, offset: inRow, length: item.quote.length };
    }
    let at = chunk.text.indexOf(item.quote, next.get(item.quote) ?? 0);
    if (at < 0) at = Math.max(0, chunk.text.indexOf(item.quote));
    next.set(item.quote, at + 1);
    return { item, quote: item.quote, offset: at, length: item.quote.length };
  });
  const grounded = groundFindings(chunk.text, located);
  for (const [reason, n] of Object.entries(grounded.dropped)) if (n) ctx.report(reason, n);
  const out: Finding[] = [];
  for (const g of grounded.kept) {
    const f = toFinding(g.item, { quote: g.quote, offset: chunk.offset + g.offset, length: g.length }, ctx);
    if (f) out.push(f);
  }
  return out;
}
