/**
 * Form checkboxes answer the item on their line: "Ascites  [ ] yes  [x] no", "Aszites: ☐ nein ☒ ja". The ticked box
 * decides, whatever the words of the unticked one would say: a ticked "no" denies the item, a ticked "yes" leaves it
 * standing even though an unticked "no" stands on the line. Only the boxes after the mention and before the next
 * finding on its line answer it.
 */
import type { NoteAnalysis } from './analysis';
import type { Assessed } from './label-denial';

const BOX = String.raw`(?:\[\s*[xX✓✔]\s*\]|☒|☑|\(\s*[xX]\s*\))`;
const YES = String.raw`(?:yes|ja|present|vorhanden|positiv|positive)`;
const NO = String.raw`(?:no|nein|none|keine?|absent|negativ|negative|neg)`;
/** Any box, ticked or not: whether the form writes boxes before or after their words. */
const ANY_BOX = /\[\s*[xX✓✔]?\s*\]|[☐☒☑]|\(\s*[xX]?\s*\)/u;
const WORD = new RegExp(String.raw`\b(?:${YES}|${NO})\b`, 'iu');
/** A ticked box before its answer word ("[x] no") or after it ("no [x]"). */
const BEFORE = { no: new RegExp(String.raw`${BOX}\s*${NO}\b`, 'iu'), yes: new RegExp(String.raw`${BOX}\s*${YES}\b`, 'iu') };
const AFTER = { no: new RegExp(String.raw`\b${NO}\s*${BOX}`, 'iu'), yes: new RegExp(String.raw`\b${YES}\s*${BOX}`, 'iu') };

/** Which answer the ticked box gives, if the line has exactly one ticked answer. */
function ticked(text: string): 'yes' | 'no' | undefined {
  const box = text.search(ANY_BOX);
  if (box < 0) return undefined;
  const word = text.search(WORD);
  // "[ ] no  [x] yes": boxes come first, each before its word; "yes [ ] no [x]": each after
  const forms = word >= 0 && word < box ? AFTER : BEFORE;
  const no = forms.no.test(text);
  const yes = forms.yes.test(text);
  return no === yes ? undefined : no ? 'no' : 'yes';
}

/** The text after the mention up to the line end or the next mention on the line. */
function answerText(a: NoteAnalysis, x: Assessed, next: number | undefined): string {
  const from = a.tokens[x.mention.endTok].end;
  const lineEnd = a.text.indexOf('\n', from);
  const to = Math.min(lineEnd < 0 ? a.text.length : lineEnd, next ?? Infinity);
  return a.text.slice(from, to);
}

/** Rewrites, in place, the assertion of mentions answered by a ticked box on their line. */
export function applyCheckboxes(a: NoteAnalysis, assessed: Assessed[]): void {
  if (!/[[☒☑(]/.test(a.text)) return;
  const starts = assessed.map((x) => a.tokens[x.mention.startTok].start).sort((p, q) => p - q);
  for (const x of assessed) {
    const end = a.tokens[x.mention.endTok].end;
    const text = answerText(a, x, starts.find((s) => s >= end));
    const answer = ticked(text);
    if (answer === 'no' && (x.context.assertion === 'present' || x.context.assertion === 'historical' || x.context.uncertain)) x.context = { assertion: 'negated' };
    else if (answer === 'yes' && (x.context.assertion === 'negated' || x.context.uncertain)) x.context = { assertion: 'present' };
  }
}
