/** Phrases that name a date stated elsewhere ("on admission" → the admission date of the letter head). */
import type { DateMention } from './dates';

const ADMISSION_LABEL = /\b(?:admission|admitted|aufnahme|aufnahmedatum|eintritt|eintrittsdatum|stationär vom|stationaer vom|vom)\b[^\n.:]{0,12}[:\s]\s*$/i;
const DISCHARGE_LABEL = /\b(?:discharge|discharged|entlassung|entlassungsdatum|austritt|austrittsdatum|bis)\b[^\n.:]{0,12}[:\s]\s*$/i;

const PHRASES: Array<[RegExp, 'admission' | 'discharge']> = [
  [/\b(?:on|at|upon)\s+admission\b|\bbei\s+(?:stationärer\s+)?(?:Aufnahme|Eintritt)\b|\bAufnahmebefund\b|\badmission\s+(?:labs?|bloods|findings|exam)\b/gi, 'admission'],
  [/\b(?:at|on|upon)\s+discharge\b|\bbei\s+(?:Entlassung|Austritt)\b|\bEntlassungsbefund\b|\bdischarge\s+(?:labs?|bloods|findings|exam)\b/gi, 'discharge'],
];

/** The date right after an "Admission:" / "vom" label, and after "Discharge:" / "bis". */
function anchorsOf(text: string, dates: DateMention[]): Partial<Record<'admission' | 'discharge', string>> {
  const found: Partial<Record<'admission' | 'discharge', string>> = {};
  for (const d of dates) {
    if (d.iso.length !== 10) continue;
    const before = text.slice(Math.max(0, d.start - 30), d.start);
    if (!found.admission && ADMISSION_LABEL.test(before)) found.admission = d.iso;
    else if (!found.discharge && DISCHARGE_LABEL.test(before)) found.discharge = d.iso;
  }
  return found;
}

/** "the same day", "am selben Tag": the day of the last date stated before it. */
const SAME_DAY = /\b(?:(?:on\s+)?the\s+same\s+day|that\s+same\s+day|am\s+(?:selben|gleichen|selbigen|demselben)\s+Tag|gleichentags)\b/gi;

const SAME_DAY_WORD = /same|selb|gleichen/i;

/** Whether `pos` sits inside a bracket on its line ("(at diagnosis, 12/10/2021, …)" is an aside, not the running date). */
function inBracket(text: string, pos: number): boolean {
  for (let i = pos - 1; i >= 0 && text[i] !== '\n'; i--) {
    if (text[i] === ')') return false;
    if (text[i] === '(') return true;
  }
  return false;
}

/** Day-precision dates of the running text before each "same day" phrase (never an aside in brackets, at most 400 characters back). */
function sameDayDates(text: string, dates: DateMention[]): DateMention[] {
  const out: DateMention[] = [];
  // every phrase holds "same", "selb" or "gleichen": a note without them (most) skips the long pattern
  if (!SAME_DAY_WORD.test(text)) return out;
  for (const m of text.matchAll(SAME_DAY)) {
    const prior = dates.filter((d) => d.end <= m.index && m.index - d.end <= 400 && d.iso.length === 10 && !inBracket(text, d.start)).pop();
    if (prior) out.push({ start: m.index, end: m.index + m[0].length, iso: prior.iso, anchor: true });
  }
  return out;
}

/** Synthetic date mentions at "on admission" / "bei Entlassung" / "the same day" phrases, carrying the date they refer to. */
export function findAnchorDates(text: string, dates: DateMention[]): DateMention[] {
  const anchors = anchorsOf(text, dates);
  const out: DateMention[] = sameDayDates(text, dates);
  for (const [re, kind] of PHRASES) {
    const iso = anchors[kind];
    if (!iso) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      // a phrase followed by its own date ("bei Aufnahme (09.01.2026)") needs no anchor
      if (dates.some((d) => d.start >= start && d.start <= end + 4)) continue;
      out.push({ start, end, iso, anchor: true });
    }
  }
  return out;
}
