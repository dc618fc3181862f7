/** Typed view of the NLP data files in mappings/ (codes, lexicons, context rules, units), loaded once at start. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fromRoot } from '../core/paths';
import type { Language } from './finding';

/** A dictionary term: a plain string, or an object with matching constraints. */
export type TermSpec = string | ({ term: string; caseSensitive?: boolean } & TermConstraints);

/** Matching constraints a term may carry; compiled entries keep them as they are. */
export interface TermConstraints {
  /** One of these (folded substrings) must occur in the sentence. */
  cues?: string[];
  /** None of these (folded substrings) may occur in the sentence. */
  blockers?: string[];
  requireUnit?: boolean;
  adjacentOnly?: boolean;
  histology?: string;
  window?: number;
  /** A context trigger whose scope ends at the next comma ("Z.n. TVT 2019, Adipositas"). */
  stopAtComma?: boolean;
  /** A trigger that opens a list ("side effects incl. …", "Aufklärung über …"): its scope runs to the end of the sentence, past commas, colons and dashes. */
  listScope?: boolean;
  /**
   * A trigger that frames its whole sentence, before and after it ("über Wirkungen und Nebenwirkungen aufgeklärt, insbesondere
   * über …", "side effects were discussed: …"): only "but"/"aber" and ";" close it.
   */
  sentenceScope?: boolean;
  /**
   * The term leaves a choice open ("tubo-ovarian": tube or ovary, "tuboovariell"): a condition named with it is
   * possible at most, never stated as present.
   */
  undetermined?: boolean;
}

export type SiteTerms = Record<string, TermSpec[]>;

export interface GrammarTerms {
  siteAdjective: SiteTerms;
  siteNoun: SiteTerms;
  tumorNoun: TermSpec[];
  tumorNounAdjacentOnly: TermSpec[];
  metastasisNoun: TermSpec[];
  metastasisSite: SiteTerms;
  modifier: TermSpec[];
  metastaticModifier: TermSpec[];
  preposition: TermSpec[];
  coordination: TermSpec[];
  primarySiteCue: TermSpec[];
  /** Lesion words that a following "metastases" may describe ("hepatic lesions consistent with metastases"). */
  lesionNoun?: TermSpec[];
}

export interface LexiconFile {
  language: Language;
  conditions: Record<string, TermSpec[]>;
  exclusions?: TermSpec[];
  compoundHeads?: Record<string, string[]>;
  observations: Record<string, TermSpec[]>;
  otherAnalytes?: TermSpec[];
  histology: Record<string, TermSpec[]>;
  laterality: Record<string, TermSpec[]>;
  grammar: GrammarTerms;
  genes: Record<string, TermSpec[]>;
  geneResults: Record<'positive' | 'negative' | 'pending', TermSpec[]>;
}

export type ContextType = 'negated' | 'possible' | 'hypothetical' | 'historical' | 'family';

export interface DirectionalTerms {
  forward: TermSpec[];
  backward: TermSpec[];
}

export interface ContextLanguage {
  negated: DirectionalTerms;
  possible: DirectionalTerms;
  hypothetical: DirectionalTerms;
  historical: DirectionalTerms;
  /** Relatives (term → RoleCode) as forward triggers; after "in her …"/"bei der …" also backward ("breast cancer in her mother"). */
  family: {
    forward: Record<string, string>;
    backwardPrefixes?: string[];
    /** Relatives also look back one word across a colon or dash ("breast cancer: sister (41)", "Ovarialkarzinom - Mutter"), never across a comma. */
    labelBackward?: boolean;
  };
  pseudo: TermSpec[];
  terminators: TermSpec[];
  /** Words that end only a family scope: the note turns back to the patient ("… and the patient herself has …"). */
  familyTerminators?: TermSpec[];
  /**
   * Words that turn from the past or another person to now ("aktuell", "currently", "now"): they end a historical or family
   * scope only — "Eine Darmobstruktion ist aktuell nicht zu erkennen" stays negated.
   */
  timeTerminators?: TermSpec[];
  /**
   * Subject pronouns (pronoun → 'f', 'm' or 'any'): a sentence whose first person is one continues the relative who was
   * the first person of the sentence before: after "My mother was seen in 2019." "She had breast cancer." is the mother's.
   */
  anaphora?: Record<string, 'f' | 'm' | 'any'>;
  /** Reporting verbs: the person who tells ("The patient reports that her mother …") is not who the sentence is about. */
  reportingVerbs?: string[];
  /**
   * Roles of a person who gives the history ("caller", "Anruferin"): once a label line names the role as a relative
   * ("Anruferin: Tochter von …"), a later sentence whose subject is that role is about the relative.
   */
  informants?: string[];
  /** Words that make a denied mention one episode ("no new PE", "keine erneute Lungenembolie"), not a denial of the problem. */
  episodeQualifiers?: string[];
  /** Words that, right after a comma, start a new positive item and end a scope ("no X, small Y"). */
  commaTerminators?: string[];
  /** Negation words that are determiners ("no", "keine"): followed by a word, they negate that word, not the finding before. */
  negationDeterminers?: string[];
  /**
   * Verbs of finding or arising ("ergaben sich", "fanden sich"): a 'nicht' that closes their clause denies the clause's
   * subject however far back it stands ("Hinweise auf eine Depression ergaben sich im Gespräch nicht").
   */
  existentialVerbs?: string[];
  /** Pronouns that point back to the person just named ("dieser", "she"): after a dash they keep a relative's scope open. */
  backReferences?: string[];
  /** Words that join coordinated findings ("X and Y were excluded", "X sowie ein Y sind ausgeschlossen"), articles included. */
  coordinators?: string[];
  /** Intensifiers after a pronoun ("she herself", "sie selbst"): after a relative's reporting verb they mean the teller. */
  intensifiers?: string[];
  /** "…ausgeschlossen, ebenso eine Lungenembolie", "PE was excluded, as was DVT": a word that carries a denial over to the next finding. */
  denialContinuations?: string[];
  /**
   * Heads of names that a disease word may sit in ("HBOC panel", "ovarian cancer trial", "Anämie-Diagnostik",
   * "Brustkrebs-Früherkennungsprogramm"): a condition term followed by one is part of a test, study or programme name.
   */
  nameHeads?: string[];
  /**
   * Name heads of diagnostic criteria ("KDIGO AKI criteria", "AKI-Kriterien"): criteria named only to say they are not met
   * ("does not meet KDIGO AKI criteria") deny the disease; met or merely named they say nothing about the patient.
   */
  criteriaHeads?: string[];
  /**
   * Section headers: a family or hypothetical (counselling, consent) header gives its block that context; a question
   * header ("Fragestellung:", "Clinical question:") makes a mention asked with "?" hypothetical; an `other` header
   * ("Diagnosen:", "Assessment:") ends a family or counselling block, where any other label ("Vater: …") stays inside it.
   */
  sections: { family: string[]; hypothetical: string[]; question?: string[]; other?: string[]; consent?: string[] };
  abbreviations: string[];
}

export interface ContextFile {
  /** Scope windows in tokens; `clause` lets a post-trigger that closes its clause reach back to the clause start. */
  windows: Record<ContextType, { forward: number; backward: number; clause?: number }>;
  /** Grammatical gender of relatives (HL7 RoleCode → 'f', 'm' or 'p' for a plural), for pronouns that refer back to one. */
  relativeGender?: Record<string, 'f' | 'm' | 'p'>;
  en: ContextLanguage;
  de: ContextLanguage;
}

/** Utterance scope cues of one language (mappings/nlp-scope.json; read by rules/scope.ts). */
export interface ScopeLanguage {
  /** Headings of plan/recommendation/follow-up/screening blocks. */
  sections: { plan: string[] };
  /** First words of a sentence that make all of it conditional or advice, or (when it ends with '?') a question. */
  openers: { conditional: string[]; advice: string[]; question: string[] };
  /** Words that cover the rest of their sentence: future/plan and work-up questions. */
  inline: { plan: string[]; question: string[]; modal: string[] };
  /** Plan words that close their clause and cover it back to its start (German verb-final "… ist geplant"). */
  clauseFinal: string[];
  counselVerbs: string[];
  /** Prepositions that name the topic of counselling ("information about", "über … aufgeklärt"). */
  counselTopics: string[];
  scopeNouns: string[];
  /** Heads of German compounds that are scope nouns ("Lebenszeitrisiko", "Ausschlusskriterien"). */
  nounSuffixes?: string[];
  /** Scope nouns right after a mention make it a risk ("febrile neutropenia risk"). */
  nounsAfter: string[];
  listMarkers: string[];
  /** A scope noun followed by one of these is no scope noun ("risk factors"). */
  nounBlockers: string[];
  /** Words that end a scope within its sentence ("but", "known", "aber", "bekannt"). */
  terminators: string[];
  /**
   * A treatment and the preposition that names what it treats ("carboplatin for", "paracentesis for", "Chemotherapie
   * bei"): the finding after them is the reason for a plan, so the patient has it.
   */
  treatments?: string[];
  reasonPrepositions?: string[];
}

/** Cue classes of the uncertain-scope check (rules/uncertain-scope.ts): context trigger kinds and a question mark. */
export type UncertainCueClass = 'negated' | 'possible' | 'hypothetical' | 'family' | 'question';

/**
 * The uncertain-scope check: a mention the rules would state as a fact becomes possible when, within `maxGap` tokens
 * in its unit for the cue's class (`units`: the clause or the sentence), a context trigger of that class points at it
 * (a pre-trigger before it, a post-trigger after it; `anyDirection` classes on either side) and the rules did not give
 * it to a concept between the two (`boundElsewhere`), or, with a 'question' unit, a '?' stands there.
 */
export interface UncertainScopeConfig {
  /** Assertions the check may turn into 'possible' ('present', 'historical'). */
  assertions: Array<'present' | 'historical'>;
  /** The cue classes in use and the unit each one is looked for in. */
  units: Partial<Record<UncertainCueClass, 'clause' | 'sentence'>>;
  /** Cue classes that count on either side of the mention (a relative named anywhere in the unit). */
  anyDirection: Array<Exclude<UncertainCueClass, 'question'>>;
  /** A sentence runs on over a wrapped line: one of at least `wrapMinChars` characters without an end mark. */
  wraps: boolean;
  wrapMinChars: number;
  /** Most tokens between a cue and the mention. */
  maxGap: number;
  /** Tokens a cue may stand beyond its own scope window (nlp-context.json windows, or the trigger's) and still count. */
  slack: number;
  boundElsewhere: boolean;
}

export interface ScopeFile {
  en: ScopeLanguage;
  de: ScopeLanguage;
  /** Absent: the uncertain-scope check is off. */
  uncertain?: UncertainScopeConfig;
}

export interface ConceptDef {
  display: string;
  snomed?: string[];
  icd10cm?: string[];
  loinc?: string[];
  snomed_code?: string[];
  gene?: string;
  unit?: string;
  examples?: string[];
}

export interface ConceptsFile {
  systems: Record<string, string>;
  conditions: Record<string, ConceptDef>;
  observations: Record<string, ConceptDef>;
  attributes: {
    histology: { system: string; values: Record<string, { code: string; examples?: string[] }> };
    laterality: { system: string; values: Record<string, { code: string }> };
    figo_values: { system: string; values: Record<string, string> };
  };
}

export interface UnitRule {
  unit: string;
  range: [number, number];
  molecularWeight?: number;
  assumeUnit: boolean;
  assumeAlternates?: string[];
}

export interface UnitsFile {
  caseSensitive: Record<string, string>;
  folded: Record<string, string>;
  observations: Record<string, UnitRule>;
}

export interface CodingFile {
  siteConcepts: { primary: Record<string, string>; metastasis: Record<string, string> };
  lateralityIcd10: Record<string, Record<string, string>>;
  attributeConcepts: { histology: string[]; figo: string[]; laterality: string[]; adjacentLaterality: string[] };
  histologyCodingVersion: string;
  variantAnswers: Record<'present' | 'absent', { system: string; code: string; display: string }>;
  relationshipSystem: string;
  relationships: Record<string, string>;
  /** Observation concepts by group (one ValueSet each, published by catalogue-resources.ts). */
  observationGroups: Record<string, { display: string; concepts: string[] }>;
}

export interface NlpMappings {
  concepts: ConceptsFile;
  lexicons: LexiconFile[];
  context: ContextFile;
  scope: ScopeFile;
  units: UnitsFile;
  coding: CodingFile;
}

function readJson(dir: string, name: string): unknown {
  return JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as unknown;
}

function requireKeys(value: unknown, file: string, keys: string[]): void {
  if (typeof value !== 'object' || value === null) throw new Error(`mappings/${file}: not a JSON object`);
  for (const k of keys) {
    if (!(k in value)) throw new Error(`mappings/${file}: missing "${k}"`);
  }
}

/** Reads and shape-checks the NLP data files; `dir` defaults to the repository's mappings/. */
export function loadNlpMappings(dir: string = fromRoot('mappings')): NlpMappings {
  const files = {
    concepts: ['nlp-concepts.json', ['systems', 'conditions', 'observations', 'attributes']],
    en: ['nlp-lexicon-en.json', ['language', 'conditions', 'observations', 'histology', 'laterality', 'grammar', 'genes', 'geneResults']],
    de: ['nlp-lexicon-de.json', ['language', 'conditions', 'observations', 'histology', 'laterality', 'grammar', 'genes', 'geneResults']],
    context: ['nlp-context.json', ['windows', 'en', 'de']],
    scope: ['nlp-scope.json', ['en', 'de']],
    units: ['nlp-units.json', ['caseSensitive', 'folded', 'observations']],
    coding: ['nlp-coding.json', ['siteConcepts', 'lateralityIcd10', 'attributeConcepts', 'variantAnswers', 'relationships', 'observationGroups']],
  } as const;
  const loaded: Record<string, unknown> = {};
  for (const [key, [file, keys]] of Object.entries(files)) {
    const value = readJson(dir, file);
    requireKeys(value, file, [...keys]);
    loaded[key] = value;
  }
  return {
    concepts: loaded.concepts as ConceptsFile,
    lexicons: [loaded.en as LexiconFile, loaded.de as LexiconFile],
    context: loaded.context as ContextFile,
    scope: loaded.scope as ScopeFile,
    units: loaded.units as UnitsFile,
    coding: loaded.coding as CodingFile,
  };
}

/** The term text and options of a TermSpec. */
export function termOf(spec: TermSpec): Exclude<TermSpec, string> {
  return typeof spec === 'string' ? { term: spec } : spec;
}
