/** The offline `rules` extractor: dictionary + ConText + value/date/stage/variant rules over one note. */
import { ConceptCoder } from '../coding';
import type { Assertion, ExtractInput, Extractor, Finding } from '../finding';
import { loadNlpMappings, type NlpMappings } from '../mappings';
import { analyze, detectLanguage, type NoteAnalysis } from './analysis';
import { AttributeBinder, tokenAt } from './attributes';
import { buildConditionFindings, type AssessedMention } from './condition-findings';
import { findConditionMentions, onsetDate } from './conditions';
import { ContextRules } from './context';
import { DateBinder } from './date-binding';
import { compileDictionary, type Dictionary } from './dictionary';
import { applyLabelDenials } from './label-denial';
import { applyCheckboxes } from './checkbox';
import { VariantFinder } from './genomics';
import { LabExtractor } from './labs';
import { TableLabReader } from './table-labs';
import { buildObservationFindings, type ObservationParts } from './observation-findings';
import { compileScope, UtteranceScope, withinScope, type ScopeLexicon } from './scope';
import { findEcog, findFigoStages } from './staging';
import { UncertainScope, UNCERTAIN_OFF } from './uncertain-scope';
import { createUnitConverter, type UnitConverter } from './units';

export const RULES_ENGINE_VERSION = '1.2.0';

/** Everything the engine compiles once at start from mappings/. */
export interface RulesResources {
  mappings: NlpMappings;
  dictionary: Dictionary;
  units: UnitConverter;
  coder: ConceptCoder;
  scope: ScopeLexicon;
}

export function compileRulesResources(mappings: NlpMappings = loadNlpMappings()): RulesResources {
  return {
    mappings, dictionary: compileDictionary(mappings), units: createUnitConverter(mappings.units), coder: new ConceptCoder(mappings),
    scope: compileScope(mappings.scope),
  };
}

const PATIENT_FACT: ReadonlySet<Assertion> = new Set<Assertion>(['present', 'historical']);

export class RulesExtractor implements Extractor {
  readonly name = 'rules';
  readonly version = RULES_ENGINE_VERSION;

  /** Weight, height, BMI: measured at the visit (mappings/ group "vital-signs"). */
  private readonly bodyMeasures: ReadonlySet<string>;

  constructor(private readonly res: RulesResources) {
    this.bodyMeasures = new Set(res.mappings.coding.observationGroups['vital-signs']?.concepts ?? []);
  }

  async extract(input: ExtractInput): Promise<Finding[]> {
    return this.extractSync(input);
  }

  /** Synchronous core (the rules engine does no I/O): for benchmarks and batch runs. */
  extractSync(input: ExtractInput): Finding[] {
    const text = input.text ?? '';
    if (!text.trim()) return [];
    const language = input.language ?? detectLanguage(text);
    const a = analyze(text, this.res.dictionary, language, input.documentDate);
    const found = findConditionMentions(a, this.res.mappings.coding, this.res.dictionary.nameHeads, this.res.dictionary.criteriaHeads);
    // triggers inside a dictionary term ("non-insulin-dependent diabetes") are part of the term, not context
    const ctx = new ContextRules(a, this.res.dictionary, found.filter((m) => m.source !== 'grammar').map((m) => [m.startTok, m.endTok]));
    // the utterance scope is the default for conditions only: a value measured in a plan line is still a measurement
    const scope = new UtteranceScope(a, this.res.scope);
    const assessed = found.map((m) => {
      const head = m.headTok ?? m.startTok;
      const context = withinScope(ctx.assess(head, m.endTok, { spanStart: m.startTok }), scope.kindAt(head, m.endTok));
      // "tubo-ovarian HGSC" leaves tube or ovary open: no fact about either
      return { mention: m, context: m.undetermined && PATIENT_FACT.has(context.assertion) ? { assertion: 'possible' as const } : context };
    })
      .filter((x) => !x.mention.deniedOnly || x.context.assertion === 'negated');
    const mentions = assessed.map((x) => x.mention);
    applyLabelDenials(a, this.res.dictionary, assessed);
    // the last word on a would-be fact: an assertion cue of unclear scope in its unit makes it possible (a checkbox
    // answer after it still decides)
    const uncertain = new UncertainScope(a, ctx, this.res.dictionary, this.res.mappings.scope.uncertain ?? UNCERTAIN_OFF);
    for (const x of assessed) {
      const cue = uncertain.cueFor(x.mention, x.context.assertion, mentions);
      if (cue) x.context = { assertion: 'possible', uncertain: cue };
    }
    applyCheckboxes(a, assessed);
    const cancerSentences = new Set(mentions.filter((m) => this.res.mappings.coding.attributeConcepts.figo.includes(m.concept))
      .map((m) => a.tokenSentence[m.startTok]));
    const stages = findFigoStages(a, this.res.coder.knownFigoStages(), cancerSentences);
    const patient = (s: number, e: number): boolean => PATIENT_FACT.has(ctx.assess(s, e, { ignoreNegation: true }).assertion);
    const attrs = new AttributeBinder(a, this.res.mappings.coding, { mentions, stages, isPatientContext: patient }).run();
    const conditions: AssessedMention[] = assessed.map((x) => {
      const date = onsetDate(a, x.mention);
      return { ...x, attributes: attrs.get(x.mention) ?? {}, ...(date ? { date } : {}) };
    });
    const parts = this.observationParts(a, ctx, stages);
    const binder = new DateBinder(a, [
      ...parts.labs.map(({ lab }) => ({ start: lab.valueStart, end: lab.valueEnd, concept: lab.concept, analyteStart: lab.quoteStart, ...(lab.table ? { table: true } : {}) })),
      ...parts.ecog.map(({ ecog }) => ({ start: ecog.valueStart, end: ecog.valueEnd })),
    ], this.bodyMeasures);
    const findings = [
      ...buildConditionFindings(a, this.res.coder, conditions),
      ...buildObservationFindings(a, this.res.coder, binder, parts),
    ];
    return findings.sort((x, y) => x.offset - y.offset || x.concept.localeCompare(y.concept));
  }

  private observationParts(a: NoteAnalysis, ctx: ContextRules, stages: ReturnType<typeof findFigoStages>): ObservationParts {
    const assess = (start: number, end: number): Assertion => {
      const s = tokenAt(a, start);
      return ctx.assess(s, Math.max(s, tokenAt(a, end) - 1), { ignoreNegation: true }).assertion;
    };
    const tables = new TableLabReader(a, this.res.units).run();
    // a table cell is a measurement on its column's date: no sentence context applies to it
    const labs = [
      ...tables.values.map((lab) => ({ lab, assertion: 'present' as const })),
      ...new LabExtractor(a, this.res.units, tables.owned).run().map((lab) => ({ lab, assertion: ctx.assess(lab.analyteTok, lab.analyteTok, { ignoreNegation: true, measurement: true }).assertion })),
    ];
    return {
      labs: labs.filter((l) => PATIENT_FACT.has(l.assertion)),
      stages: stages.map((stage) => ({ stage, assertion: assess(stage.start, stage.end) })).filter((s) => PATIENT_FACT.has(s.assertion)),
      // an ECOG row of a table is read per column by the table reader, not as one "ECOG 1" in prose
      ecog: [...findEcog(a.text).filter((e) => !tables.owned.some(([s, x]) => e.start >= s && e.start < x)).map((ecog) => ({ ecog, assertion: assess(ecog.start, ecog.end) })).filter((e) => PATIENT_FACT.has(e.assertion)),
        ...tables.ecog.map((ecog) => ({ ecog, assertion: 'present' as const }))],
      variants: new VariantFinder(a, ctx).run(),
    };
  }
}

/** The rules extractor over the repository's mappings/ (compiled once; reuse the instance). */
export function createRulesExtractor(resources: RulesResources = compileRulesResources()): RulesExtractor {
  return new RulesExtractor(resources);
}
