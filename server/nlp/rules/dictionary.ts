/** Compiles the mappings/ lexicons and context rules into one folded-character trie of typed entries. */
import type { Language } from '../finding';
import {
  termOf, type ContextLanguage, type ContextType, type ScopeLanguage, type LexiconFile, type NlpMappings, type SiteTerms, type TermConstraints, type TermSpec,
} from '../mappings';
import { foldString, squash } from '../text/normalize';
import { compileTrie, slotOf, type CompiledTrie, type TrieNode as GenericTrieNode } from './trie';

export type Layer = 'condition' | 'analyte' | 'trigger' | 'histology' | 'laterality' | 'part' | 'gene' | 'result';

export type TriggerKind = ContextType | 'pseudo' | 'terminate';

export type PartRole =
  | 'siteAdj' | 'siteNoun' | 'tumor' | 'tumorAdj' | 'metsNoun' | 'metsSite'
  | 'modifier' | 'metsModifier' | 'prep' | 'coord' | 'primaryCue' | 'lesion';

export interface Entry extends TermConstraints {
  layer: Layer;
  /** Concept id, trigger kind, part role, histology/laterality key, gene or result kind ('' = exclusion). */
  key: string;
  /** Trigger direction or grammar site. */
  sub?: string;
  /** Language of the term; 'any' for the verified examples of nlp-concepts.json. */
  lang: Language | 'any';
  surface: string;
  caseSensitive: boolean;
  relation?: string;
  /** A German compound head ("ileus" in "Dünndarmileus"). */
  head?: boolean;
}

type TrieNode = GenericTrieNode<Entry>;

export interface Dictionary {
  trie: CompiledTrie<Entry>;
  /** German compound heads (Dünndarm|ileus): folded head → entries. */
  heads: Array<{ head: string; entry: Entry }>;
  context: NlpMappings['context'];
  /** Folded section header labels by context type, per language. */
  sections: Record<Language, { family: Set<string>; hypothetical: Set<string>; question: Set<string>; plan: Set<string>; other: Set<string>; consent: Set<string> }>;
  /** Abbreviations (squashed) that do not end a sentence, per language. */
  abbreviations: Record<Language, Set<string>>;
  /** Squashed words that end a context scope when they open a comma-separated item. */
  commaTerminators: Record<Language, Set<string>>;
  /** Negation words that are determiners: followed by a word, they negate that word, never the finding before them. */
  negationDeterminers: Record<Language, Set<string>>;
  /** Squashed verbs of finding or arising whose clause a closing 'nicht' denies as a whole. */
  existentialVerbs: Record<Language, Set<string>>;
  /** Squashed pronouns that refer back to the person just named. */
  backReferences: Record<Language, Set<string>>;
  /** Squashed heads of test/study/programme names, both languages (a German compound ends with one). */
  nameHeads: string[];
  /** Squashed name heads of diagnostic criteria (a subset of nameHeads), both languages. */
  criteriaHeads: string[];
  entryCount: number;
}

type EntryBase = Omit<Entry, 'surface' | 'caseSensitive'>;

/**
 * Every entry with the same fields in the same order (absent ones undefined): built by spreading optional fields, the
 * entries had dozens of object shapes, and every rule that reads `e.key` or `e.layer` per match paid for a
 * megamorphic property load.
 */
const ENTRY_SHAPE: Record<keyof Entry, undefined> = {
  layer: undefined, key: undefined, sub: undefined, lang: undefined, surface: undefined, caseSensitive: undefined, relation: undefined, head: undefined,
  cues: undefined, blockers: undefined, requireUnit: undefined, adjacentOnly: undefined, histology: undefined, window: undefined,
  stopAtComma: undefined, listScope: undefined, sentenceScope: undefined, undetermined: undefined,
};
const entryOf = (e: Entry): Entry => ({ ...ENTRY_SHAPE, ...e });

/** German adjective endings a lexicon form may carry; the matcher adds every ending back to the stem. */
const ADJ_ENDING = /^(\p{Ll}[\p{L}-]{3,}?)(?:es|en|er|em|e)$/u;

/**
 * A German term with its lower-case words (adjectives; German nouns are capitalised) cut to their stem:
 * "primäres seröses Karzinom" → "primär serös Karzinom". Words of four letters or fewer are left alone.
 */
export function adjectiveStems(term: string): string {
  return term.split(/(\s+)/).map((w) => {
    const m = ADJ_ENDING.exec(w);
    return m && !/[A-ZÄÖÜ]/.test(w) ? m[1] : w;
  }).join('');
}

/** Squashed lengths at which the words of a term end, the last word excepted ("febrile Neutropenie" → [7]). */
function wordEnds(term: string): Set<number> {
  const out = new Set<number>();
  let len = 0;
  for (const w of term.split(/[^\p{L}\p{N}]+/u)) {
    if (!w) continue;
    if (len) out.add(len);
    len += squash(w).length;
  }
  return out;
}

function insert(root: TrieNode, key: string, entry: Entry, ends: Set<number>): void {
  let node = root;
  for (let i = 0; i < key.length; i++) {
    const slot = slotOf(key.charCodeAt(i));
    const next = (node.next ??= new Array<TrieNode | undefined>(36).fill(undefined));
    // every node gets all fields up front: one object shape keeps the trie walk monomorphic
    node = next[slot] ??= { next: undefined, entries: undefined, wordEnd: false };
    if (ends.has(i + 1)) node.wordEnd = true;
  }
  (node.entries ??= []).push(entry);
}

class Builder {
  readonly root: TrieNode = { next: undefined, entries: undefined, wordEnd: false };
  count = 0;

  add(spec: TermSpec, base: EntryBase): void {
    const t = termOf(spec);
    const key = squash(t.term);
    if (!key) return;
    const entry = entryOf({
      ...base, surface: t.term, caseSensitive: t.caseSensitive ?? false,
      ...(t.cues ? { cues: t.cues.map(foldString) } : {}),
      ...(t.blockers ? { blockers: t.blockers.map(foldString) } : {}),
      ...(t.requireUnit ? { requireUnit: true } : {}),
      ...(t.adjacentOnly ? { adjacentOnly: true } : {}),
      ...(t.histology ? { histology: t.histology } : {}),
      ...(t.window !== undefined ? { window: t.window } : {}),
      ...(t.stopAtComma ? { stopAtComma: true } : {}),
      ...(t.listScope ? { listScope: true } : {}),
      ...(t.sentenceScope ? { sentenceScope: true } : {}),
      ...(t.undetermined ? { undetermined: true } : {}),
    });
    insert(this.root, key, entry, wordEnds(t.term));
    this.count++;
    const stemmed = base.lang === 'de' && base.layer !== 'trigger' ? adjectiveStems(t.term) : t.term;
    const stem = squash(stemmed);
    // the stem of an inflected adjective takes every case ending ("seröses" → serös|e|en|er|es|em)
    if (stem !== key) { insert(this.root, stem, entry, wordEnds(stemmed)); this.count++; }
  }

  addAll(specs: TermSpec[] | undefined, base: EntryBase): void {
    for (const s of specs ?? []) this.add(s, base);
  }

  addKeyed(groups: Record<string, TermSpec[]> | undefined, layer: Layer, lang: Language | 'any'): void {
    for (const [key, specs] of Object.entries(groups ?? {})) this.addAll(specs, { layer, key, lang });
  }

  addSites(groups: SiteTerms, role: PartRole, lang: Language): void {
    for (const [site, specs] of Object.entries(groups)) this.addAll(specs, { layer: 'part', key: role, sub: site, lang });
  }
}

function addLexicon(b: Builder, lex: LexiconFile): void {
  const lang = lex.language;
  b.addKeyed(lex.conditions, 'condition', lang);
  b.addAll(lex.exclusions, { layer: 'condition', key: '', lang });
  b.addKeyed(lex.observations, 'analyte', lang);
  b.addAll(lex.otherAnalytes, { layer: 'analyte', key: '', lang });
  b.addKeyed(lex.histology, 'histology', lang);
  b.addKeyed(lex.laterality, 'laterality', lang);
  b.addKeyed(lex.genes, 'gene', lang);
  b.addKeyed(lex.geneResults, 'result', lang);
  const g = lex.grammar;
  b.addSites(g.siteAdjective, 'siteAdj', lang);
  b.addSites(g.siteNoun, 'siteNoun', lang);
  b.addSites(g.metastasisSite, 'metsSite', lang);
  const roles: Array<[TermSpec[], PartRole]> = [
    [g.tumorNoun, 'tumor'], [g.tumorNounAdjacentOnly, 'tumorAdj'], [g.metastasisNoun, 'metsNoun'],
    [g.modifier, 'modifier'], [g.metastaticModifier, 'metsModifier'], [g.preposition, 'prep'],
    [g.coordination, 'coord'], [g.primarySiteCue, 'primaryCue'], [g.lesionNoun ?? [], 'lesion'],
  ];
  for (const [specs, role] of roles) b.addAll(specs, { layer: 'part', key: role, lang });
}

function addContext(b: Builder, ctx: ContextLanguage, lang: Language): void {
  const kinds: Array<Exclude<ContextType, 'family'>> = ['negated', 'possible', 'hypothetical', 'historical'];
  for (const kind of kinds) {
    b.addAll(ctx[kind].forward, { layer: 'trigger', key: kind, sub: 'forward', lang });
    b.addAll(ctx[kind].backward, { layer: 'trigger', key: kind, sub: 'backward', lang });
  }
  for (const [term, relation] of Object.entries(ctx.family.forward)) {
    b.add(term, { layer: 'trigger', key: 'family', sub: 'forward', lang, relation });
    if (ctx.family.labelBackward) b.add(term, { layer: 'trigger', key: 'family', sub: 'backward', lang, relation, window: 1, stopAtComma: true });
    for (const prefix of ctx.family.backwardPrefixes ?? []) {
      // "bei der Mutter Ovarialkarzinom" and "Ovarialkarzinom bei der Mutter"
      b.add(`${prefix} ${term}`, { layer: 'trigger', key: 'family', sub: 'backward', lang, relation });
      b.add(`${prefix} ${term}`, { layer: 'trigger', key: 'family', sub: 'forward', lang, relation });
    }
  }
  b.addAll(ctx.pseudo, { layer: 'trigger', key: 'pseudo', lang });
  b.addAll(ctx.terminators, { layer: 'trigger', key: 'terminate', lang });
  b.addAll(ctx.familyTerminators, { layer: 'trigger', key: 'terminate', sub: 'family', lang });
  b.addAll(ctx.timeTerminators, { layer: 'trigger', key: 'terminate', sub: 'time', lang });
}

/**
 * The verified examples of nlp-concepts.json are terms too (conditions and histology only: observation examples
 * carry values) — unless a lexicon already lists the term, whose guards (case, cues) then govern ("PE", "LAE").
 */
function addConceptExamples(b: Builder, m: NlpMappings): void {
  const listed = new Set<string>();
  for (const lex of m.lexicons) {
    for (const specs of [...Object.values(lex.conditions), ...Object.values(lex.histology)]) for (const s of specs) listed.add(squash(termOf(s).term));
  }
  const fresh = (examples: string[] | undefined): string[] => (examples ?? []).filter((e) => !listed.has(squash(e)));
  for (const [id, def] of Object.entries(m.concepts.conditions)) b.addAll(fresh(def.examples), { layer: 'condition', key: id, lang: 'any' });
  for (const [id, v] of Object.entries(m.concepts.attributes.histology.values)) b.addAll(fresh(v.examples), { layer: 'histology', key: id, lang: 'any' });
}

function headsOf(m: NlpMappings): Dictionary['heads'] {
  const heads: Dictionary['heads'] = [];
  for (const lex of m.lexicons) {
    for (const [concept, list] of Object.entries(lex.compoundHeads ?? {})) {
      for (const h of list) {
        heads.push({ head: squash(h), entry: entryOf({ layer: 'condition', key: concept, lang: lex.language, surface: h, caseSensitive: false, head: true }) });
      }
    }
  }
  return heads;
}

/** Section headings by kind; plan headings come from mappings/nlp-scope.json (the utterance scope's data). */
function sectionsOf(ctx: ContextLanguage, scope: ScopeLanguage): Dictionary['sections']['en'] {
  const set = (l: string[] | undefined): Set<string> => new Set((l ?? []).map(squash));
  return { family: set(ctx.sections.family), hypothetical: set(ctx.sections.hypothetical), question: set(ctx.sections.question), plan: set(scope.sections.plan), other: set(ctx.sections.other), consent: set(ctx.sections.consent) };
}

/** Builds the matcher once at start; everything else in the engine reads from it. */
export function compileDictionary(m: NlpMappings): Dictionary {
  const b = new Builder();
  for (const lex of m.lexicons) addLexicon(b, lex);
  addContext(b, m.context.en, 'en');
  addContext(b, m.context.de, 'de');
  addConceptExamples(b, m);
  return {
    trie: compileTrie(b.root),
    heads: headsOf(m),
    context: m.context,
    sections: { en: sectionsOf(m.context.en, m.scope.en), de: sectionsOf(m.context.de, m.scope.de) },
    abbreviations: { en: new Set(m.context.en.abbreviations.map(squash)), de: new Set(m.context.de.abbreviations.map(squash)) },
    commaTerminators: { en: new Set((m.context.en.commaTerminators ?? []).map(squash)), de: new Set((m.context.de.commaTerminators ?? []).map(squash)) },
    negationDeterminers: { en: new Set((m.context.en.negationDeterminers ?? []).map(squash)), de: new Set((m.context.de.negationDeterminers ?? []).map(squash)) },
    existentialVerbs: { en: new Set((m.context.en.existentialVerbs ?? []).map(squash)), de: new Set((m.context.de.existentialVerbs ?? []).map(squash)) },
    backReferences: { en: new Set((m.context.en.backReferences ?? []).map(squash)), de: new Set((m.context.de.backReferences ?? []).map(squash)) },
    nameHeads: [...new Set([...(m.context.en.nameHeads ?? []), ...(m.context.de.nameHeads ?? [])].map(squash))].filter(Boolean),
    criteriaHeads: [...new Set([...(m.context.en.criteriaHeads ?? []), ...(m.context.de.criteriaHeads ?? [])].map(squash))].filter(Boolean),
    entryCount: b.count,
  };
}
