/** Sentence and section splitting of clinical notes (lines, bullets, wrapped phrases, "Family hx:" blocks). */
import type { Language } from '../finding';
import { squash } from './normalize';

/** 'plan': a plan, recommendation, follow-up or screening block — no statement of the patient's present state (rules/scope.ts). */
export type SectionKind = 'family' | 'hypothetical' | 'question' | 'plan' | 'none';

export interface Sentence {
  /** Offsets into the original text, trimmed. */
  start: number;
  end: number;
  /** Context set by the section (header) the sentence belongs to. */
  section: SectionKind;
}

export interface SegmentOptions {
  language: Language;
  /** Squashed abbreviations whose trailing period does not end a sentence. */
  abbreviations: ReadonlySet<string>;
  familyHeaders: ReadonlySet<string>;
  hypotheticalHeaders: ReadonlySet<string>;
  /** "Fragestellung:", "Clinical question:": what is asked there with "?" is not a finding. */
  questionHeaders?: ReadonlySet<string>;
  /** "Plan:", "Procedere:", "Empfehlung:": what is planned or recommended. */
  planHeaders?: ReadonlySet<string>;
  /** Headers of other sections ("Diagnosen:", "Assessment:"): they end a family or counselling block. */
  otherHeaders?: ReadonlySet<string>;
  /** Consent words that head a counselling label with one qualifier ("Aufklärung OP:", "Consent surgery:"). */
  consentHeaders?: ReadonlySet<string>;
}

interface Line { start: number; end: number; text: string; blank: boolean; bullet: boolean }

const BULLET = /^\s*(?:[-•*·▪–]\s+|\d{1,2}[.)]\s+|[A-Za-z][.)]\s+(?=\S))/;
const HEADER = /^\s*(?:[-•*·▪–]\s+)?(?:\d{1,2}[.)]\s+|[A-Z][.)]\s+)?([\p{L}][\p{L}\p{N} ,./&'+-]{0,40}?)\s*(?:\([^)\n]{0,40}\))?\s*:(?!\d)/u;
const CAPS_HEADER = /^\s*([A-ZÄÖÜ][A-ZÄÖÜ &/-]{3,40})\s*$/;
const MD_HEADER = /^\s*#{1,6}\s*([\p{L}][^\n#:]{0,40}?)\s*:?\s*$/u;
/** "Family History" alone on its line, no colon: a header only when the whole line is a known section label. */
const PLAIN_LABEL = /^\s*([\p{L}][\p{L} ./&'-]{1,40}?)\s*$/u;

/** A label ending on a preposition that introduces a topic ("… über:", "… regarding:"). */
const TOPIC_END = /\s(?:über|zu|bzgl\.?|bezüglich|hinsichtlich|zum|zur|about|regarding|re|on|of)$/iu;

/** HEADER needs a colon within its first ~100 characters: most prose lines are ruled out without the regex. */
function mayBeLabel(text: string): boolean {
  const colon = text.indexOf(':');
  return colon > 0 && colon < 100;
}

const isHeaderLine = (text: string): boolean => mayBeLabel(text) && HEADER.test(text);

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const t = text.slice(start, end);
    lines.push({ start, end, text: t, blank: t.trim() === '', bullet: BULLET.test(t) });
    if (nl < 0) return lines;
    start = nl + 1;
  }
}

/** Words a phrase cannot end on (prepositions, articles, conjunctions), EN and DE. */
const OPEN_END = /(?:^|\s)(?:über|mit|und|oder|sowie|von|bei|zu|zur|zum|auf|für|gegen|nach|der|die|das|des|dem|den|ein|eine|einer|eines|einem|einen|insbesondere|wie|bzw\.|bzgl\.|inkl\.|of|the|and|or|with|for|to|a|an|including|such as|like|about|regarding|vs\.?|versus|incl\.)$/iu;
/**
 * OPEN_END after the first characters of a longer line: its words are 12 characters at most, so on a line longer than
 * 20 only a word after a space can match, inside the last 13 characters. The regex cannot start at the end, and tried
 * from every position of every line it was a hot spot.
 */
const OPEN_END_TAIL = /\s(?:über|mit|und|oder|sowie|von|bei|zu|zur|zum|auf|für|gegen|nach|der|die|das|des|dem|den|ein|eine|einer|eines|einem|einen|insbesondere|wie|bzw\.|bzgl\.|inkl\.|of|the|and|or|with|for|to|a|an|including|such as|like|about|regarding|vs\.?|versus|incl\.)$/iu;
const opensEnd = (line: string): boolean => (line.length > 20 ? OPEN_END_TAIL.test(line.slice(-20)) : OPEN_END.test(line));

/** A German negation determiner closing a line after a word or list comma ("…; keine\nLebermetastasen"): its noun is on the next line (after a label colon it is an answer: "Allergien: keine"). */
const DETERMINER_END = /(?:[;,]|\p{L})\s+(?:kein|keine|keinen|keiner|keinem|keinerlei)$/iu;
/** DETERMINER_END's words are 9 characters at most: a line whose last 9 hold none of them is ruled out without scanning it. */
const DETERMINER_WORD_END = /kein(?:|e|en|er|em|erlei)$/iu;
const determinerEnd = (line: string): boolean => DETERMINER_WORD_END.test(line.slice(-9)) && DETERMINER_END.test(line);

/**
 * German capitalises nouns, adjectives not: a line ending on an article, preposition or 'kein' and then a lower-case
 * word ("nach vollständiger", "einer tiefen", "keine ausgedehnte") stops inside a noun phrase whose noun is on the next line.
 */
const DE_ADJECTIVE_END = /(?:^|\s)(?:über|mit|von|bei|zu|zur|zum|auf|für|gegen|nach|aus|ohne|unter|vor|der|die|das|des|dem|den|ein|eine|einer|eines|einem|einen|kein|keine|keiner|keines|keinem|keinen|V\.\s?a\.)\s+\p{Ll}+(?:e|er|en|em|es)$/u;

/** More '(' than ')' on the line: the parenthesis is still open and its phrase runs on ("(also die andere\nTochter …)"). */
function openParenthesis(line: string): boolean {
  if (!line.includes('(')) return false;
  let depth = 0;
  for (const c of line) {
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
  }
  return depth > 0;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
/** A line at least this long (trimmed) may have been wrapped at the page width; headings are shorter. */
const WRAPPED_LINE = 40;

/** A line break inside a phrase: hyphenated word, or no closing punctuation and a lower-case continuation. */
function continues(prev: Line, cur: Line, language: Language): boolean {
  if (prev.blank || cur.blank || cur.bullet) return false;
  const p = prev.text.trimEnd();
  const c = cur.text.trimStart();
  if (/\p{L}-$/u.test(p) && /^\p{Ll}/u.test(c)) return true;
  if (isHeaderLine(cur.text)) return false;
  // German nouns start upper-case: a line that stops on a comma or a function word runs on ("… insbesondere über\nKnochenmark…")
  if (/[\p{L})],$/u.test(p) || opensEnd(p) || determinerEnd(p) || openParenthesis(p)) return true;
  // the cheap test on the next line first: most lines are ruled out before the adjective pattern runs
  if (language === 'de' && /^\p{Lu}\p{Ll}/u.test(c) && DE_ADJECTIVE_END.test(p.slice(-48))) return true;
  // a list that breaks after a spaced dash runs on ("unter Carboplatin -\nKnochenmarkdepression, Neutropenie"); a lab row ending "10,2 -" does not
  if (/\p{L}\s[-–—]$/u.test(p) && /^\p{L}/u.test(c)) return true;
  // a parenthesis wrapped onto the next line belongs to the phrase before it ("sofort in die Notaufnahme\n(Neutropenie möglich).")
  // a hanging indent under a long line that stops on a word is the same item wrapped at the page width ("Ausschlusskriterien
  // der Studie: aktive\n  Lungenembolie / TVT …"); a short line is a heading ("Family history\n  Mother - …") and a line
  // that ends on a value ("Hb 10.2\n   (ref …)") a row of its own
  if (p.trim().length >= WRAPPED_LINE && /\p{L}$/u.test(p) && indentOf(cur.text) > indentOf(prev.text)) return true;
  // so does a quantity that ends the phrase ("requiring paracentesis in last\n   4 wks: no", "within\n3 months")
  return !/[.:;!?)]$/.test(p) && /^(?:\p{Ll}|\(|\d{1,3} \p{Ll}{2,}\b)/u.test(c);
}

function endsSentence(text: string, dot: number, opts: SegmentOptions): boolean {
  const after = text.slice(dot + 1, dot + 3);
  if (!/^\s+[\p{Lu}\p{N}("'„]/u.test(after) && !/^\s*$/.test(after)) return false;
  let i = dot - 1;
  while (i >= 0 && !/\s/.test(text[i])) i--;
  const word = text.slice(i + 1, dot);
  const key = squash(word);
  if (key.length === 1 && /\p{L}/u.test(word)) return false; // initials: "M. Okafor", "J."
  if (/^\.{2,}$/.test(word)) return false; // a dot leader ("Uncontrolled hypertension ...... NO") joins a label to its answer
  if (opts.abbreviations.has(key)) return false;
  // German ordinals ("4. Zyklus", "2. Rezidiv") are not sentence ends
  if (opts.language === 'de' && /^\d{1,2}$/.test(word)) return false;
  return true;
}

function splitInline(text: string, start: number, end: number, opts: SegmentOptions, out: Array<[number, number]>): void {
  let s = start;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if ((c === '.' || c === '!' || c === '?') && endsSentence(text, i, opts)) {
      out.push([s, i + 1]);
      s = i + 1;
    }
  }
  out.push([s, end]);
}

function trimmed(text: string, [s, e]: [number, number]): [number, number] | null {
  while (s < e && /\s/.test(text[s])) s++;
  while (e > s && /\s/.test(text[e - 1])) e--;
  return e > s ? [s, e] : null;
}

interface RawSentence { start: number; end: number; lineStart: boolean; bullet: boolean; afterBlank: boolean; headerAlone: boolean; indent: number }

function rawSentences(text: string, opts: SegmentOptions): RawSentence[] {
  const lines = splitLines(text);
  const out: RawSentence[] = [];
  let afterBlank = true;
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i];
    if (first.blank) { afterBlank = true; continue; }
    let last = i;
    while (last + 1 < lines.length && continues(lines[last], lines[last + 1], opts.language)) last++;
    const spans: Array<[number, number]> = [];
    splitInline(text, first.start, lines[last].end, opts, spans);
    const headerAlone = last === i && (/:\s*$/.test(first.text) || CAPS_HEADER.test(first.text) || MD_HEADER.test(first.text) || knownPlainLabel(first.text, opts));
    const indent = first.text.length - first.text.trimStart().length;
    spans.forEach((sp, k) => {
      const t = trimmed(text, sp);
      if (t) out.push({ start: t[0], end: t[1], lineStart: k === 0, bullet: first.bullet && k === 0, afterBlank: afterBlank && k === 0, headerAlone, indent });
    });
    afterBlank = false;
    i = last;
  }
  return out;
}

/** 'other' is a known header of a section without context; 'none' any other label ("Vater:", "Hb:"). */
type HeaderKind = SectionKind | 'other';

/** Squashed labels: notes repeat the same few ("Hb", "Diagnosen", "Plan"), so each is squashed once (bounded). */
const SQUASHED = new Map<string, string>();
function squashLabel(label: string): string {
  let key = SQUASHED.get(label);
  if (key === undefined) {
    key = squash(label);
    if (SQUASHED.size < 8192) SQUASHED.set(label, key);
  }
  return key;
}

function headerKind(sentence: string, opts: SegmentOptions): HeaderKind | null {
  const m = (mayBeLabel(sentence) ? HEADER.exec(sentence) : null) ?? CAPS_HEADER.exec(sentence) ?? MD_HEADER.exec(sentence);
  if (!m) return knownPlainLabel(sentence, opts) ? kindOfKey(squashLabel(sentence), opts) : null;
  const whole = kindOfKey(squashLabel(m[1]), opts);
  if (whole) return whole;
  // "Family history, as drawn today:" opens a family block: a known header of two to four words may start a longer label
  const words = m[1].split(/[\s,;/]+/, 5).filter(Boolean).map(squashLabel);
  for (let n = Math.min(4, words.length - 1); n >= 2; n--) {
    const kind = kindOfKey(words.slice(0, n).join(''), opts);
    if (kind) return kind;
  }
  // "Aufklärung erneut über:", "Counselling again regarding:": a counselling word whose label ends on a topic preposition
  // announces the list of what was explained; one word alone is not enough elsewhere ("Nebenwirkungen unter Zyklus 3:" are real)
  if (words.length > 1 && TOPIC_END.test(m[1]) && kindOfKey(words[0], opts) === 'hypothetical') return 'hypothetical';
  // "Aufklärung OP:", "Consent chemo:": a consent word and the one thing consented to (no number: "Consent 2019:" is a date)
  if (words.length === 2 && opts.consentHeaders?.has(words[0]) && !/\d/.test(m[1])) return 'hypothetical';
  return 'none';
}

function kindOfKey(key: string, opts: SegmentOptions): HeaderKind | null {
  if (opts.familyHeaders.has(key)) return 'family';
  if (opts.hypotheticalHeaders.has(key)) return 'hypothetical';
  if (opts.questionHeaders?.has(key)) return 'question';
  if (opts.planHeaders?.has(key)) return 'plan';
  if (opts.otherHeaders?.has(key)) return 'other';
  return null;
}

function knownPlainLabel(line: string, opts: SegmentOptions): boolean {
  // every line is asked: the cheap test rules out prose, values and labelled lines before the regex runs
  if (line.length > 48 || /[\d:;,()]/.test(line)) return false;
  const m = PLAIN_LABEL.exec(line);
  return m !== null && kindOfKey(squashLabel(m[1]), opts) !== null;
}

const sectionOf = (k: HeaderKind): SectionKind => (k === 'other' ? 'none' : k);

/** A family or counselling label inline on its line ("FHx: mother - …"): lines indented under it continue it. */
interface Hanging { section: SectionKind; indent: number }

const opensHanging = (section: SectionKind): boolean => section === 'family' || section === 'hypothetical' || section === 'plan';

/** Sentences of the note with the section context each one inherits from its header. */
export function segment(text: string, opts: SegmentOptions): Sentence[] {
  const result: Sentence[] = [];
  let block: SectionKind = 'none';
  let line: SectionKind = 'none';
  let label: Hanging | null = null;
  let hanging: Hanging | null = null;
  for (const r of rawSentences(text, opts)) {
    if (r.afterBlank) block = 'none';
    const kind = headerKind(text.slice(r.start, r.end), opts);
    if (r.lineStart) {
      line = 'none';
      // "FHx: mother - died at 70.\n     Cause: breast cancer.": a hanging indent continues the label, labelled lines
      // included; a blank line, a line at or left of the label's indent, or a header alone on its line ends it
      hanging = label && !r.afterBlank && r.indent > label.indent && !r.headerAlone ? label : null;
      label = hanging;
    }
    if (hanging) {
      result.push({ start: r.start, end: r.end, section: hanging.section });
      continue;
    }
    // "Indication: 70F, hx ovarian cancer. Concern for SBO.": a request's question covers the rest of its line
    let section: SectionKind = line === 'question' ? line : block;
    if (kind !== null && r.bullet) {
      section = block === 'none' ? sectionOf(kind) : block; // "- Mother: ..." stays inside its block
    } else if (kind !== null && r.lineStart && r.headerAlone) {
      section = sectionOf(kind); // a header alone on its line opens a block
      block = section;
    } else if (kind === 'none' && block !== 'none') {
      section = block; // "Vater: Kolonkarzinom" under "Familienanamnese:" is a line of that block
    } else if (kind !== null) {
      // an inline header ("FHx: none.", "Diagnosen: …") covers its sentence only and ends any block
      section = sectionOf(kind);
      block = 'none';
      if (section === 'question') line = section;
      if (r.lineStart && opensHanging(section)) label = { section, indent: r.indent };
    }
    result.push({ start: r.start, end: r.end, section });
  }
  return result;
}

/** Index of the sentence containing `offset` (binary search), or -1. */
export function sentenceIndexAt(sentences: Sentence[], offset: number): number {
  let lo = 0;
  let hi = sentences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sentences[mid];
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}
