/** Phrases that name a date stated elsewhere ("on admission" → the admission date of the letter head). */
import type { DateMention } from './dates';

const ADMISSION_LABEL = /\b(?:admission|admitted|aufnahme|aufnahmedatum|stationär vom|stationaer vom|vom)\b[^\n.:]{0,12}[:\s]\s*$/i;
const DISCHARGE_LABEL = /\b(?:discharge|discharged|entlassung|entlassungsdatum|bis)\b[^\n.:]{0,12}[:\s]\s*$/i;

const PHRASES: Array<[RegExp, 'admission' | 'discharge']> = [
  [/\b(?:on|at|upon)\s+admission\b|\bbei\s+(?:stationärer\s+)?Aufnahme\b|\bAufnahmebefund\b|\badmission\s+(?:labs?|bloods|findings|exam)\b/gi, 'admission'],
  [/\b(?:at|on|upon)\s+discharge\b|\bbei\s+Entlassung\b|\bEntlassungsbefund\b|\bdischarge\s+(?:labs?|bloods|findings|exam)\b/gi, 'discharge'],
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

/** Synthetic date mentions at "on admission" / "bei Entlassung" phrases, carrying the letter's anchor date. */
export function findAnchorDates(text: string, dates: DateMention[]): DateMention[] {
  const anchors = anchorsOf(text, dates);
  const out: DateMention[] = [];
  for (const [re, kind] of PHRASES) {
    const iso = anchors[kind];
    if (!iso) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      // a phrase followed by its own date ("bei Aufnahme (09.01.2026)") needs no anchor
      if (dates.some((d) => d.start >= start && d.start <= end + 4)) continue;
      out.push({ start, end, iso });
    }
  }
  return out;
}
