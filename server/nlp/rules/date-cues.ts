/** Cue words around dates (birth, plan, report, sampling, earlier-value brackets) and the report-header date of an undated table. */
import type { DateMention } from '../text/dates';

/** A date of birth ("geb. 11.11.1957", "DOB 02/09/1961") dates the patient, never a measurement. */
export const BIRTH_LEAD = /(?:\bgeb\.?(?:[\s-]*dat(?:um|\.)?)?|\bgeboren(?:\s+am)?|\bGeburtsdatum|\bDOB|\bD\.O\.B\.?|\b(?:date of )?birth(?:\s*date)?|\bborn(?:\s+on)?)\s*[:.]?\s*$/i;

/** A date announced as a plan ("next CA-125 due 04/03", "nächste Kontrolle am 02.04.") dates no measurement in the note. */
export const PLAN_LEAD = /\b(?:next|due|planned|scheduled|appointment|appt|booked|repeat(?:\s+\w+)?\s+(?:on|in)|nächste[nrms]?|geplant|vorgesehen|Termin|Wiedervorstellung)\b[^\n.;\d]{0,24}$/i;

/** A report, print or receipt date: the value's date only when no sampling date stands above it. */
export const REPORTED = /(?:reported|report|resulted|result date|printed|received|verified|authori[sz]ed|validated|befund(?:datum|et)?|eingang|eingegangen|ausdruck|gedruckt|freigabe|validiert)\b[^\d\n|;]{0,20}$/i;

/** A date labelled as the sampling date on a header line that also carries a report or receipt date. */
export const COLLECTED = /(?:collected|collection|drawn|sampled|sample|specimen|taken|entnahme|entnommen|abnahme|abgenommen|probe|probenahme)\b[^\d\n|;]{0,20}$/i;

/** "(was 9.9 on 8/21)", "(baseline 0.9 on 3/2)", "(Vorwert … vom 02.04.)": a bracket about an earlier value. */
export const EARLIER_BRACKET = /^\(\s*(?:was|were|prev(?:ious(?:ly)?)?|prior|baseline|pre-?op|last|down from|up from|from|compared (?:with|to)|vs\.?|vorher|zuvor|vorwert|vorbefund|zuletzt|damals|at diagnosis|bei (?:ED|Erstdiagnose))\b/i;

/** "(both 07.04.)", "(beides vom 07.04.)", "(jeweils 12.03.)": a bracket dating every value before it in the sentence. */
export const DISTRIBUTIVE_BRACKET = /^\(\s*(?:both|all|each|all drawn|beide[s]?|alle|jeweils)\b/i;

/**
 * The day the patient was seen, as a letter dated later names it: a header field ("Visit: 11/09/2026",
 * "Nachsorgekonsultation vom 18.05.2026", "Triage 23:10 on 14/05/2026") or the letter's formula ("wir sahen Ihre Patientin am 17.06.2026"); the date of
 * findings the note does not date otherwise. A sentence of the note ("Seen on 2 March in clinic.") is not such a field.
 */
export const ENCOUNTER_LEAD = /(?:\btriage(?:d)?(?:\s+(?:at\s+)?\d{1,2}:\d{2})?\s+on|\b(?:presented|attended|arrived)(?:\s+(?:to\s+)?(?:ED|A&E|the emergency department))?(?:\s+at\s+\d{1,2}:\d{2})?\s+on|\bvisit(?:\s+date)?|\bdate of (?:visit|consultation|clinic)|\bclinic date|\bwe saw (?:your patient|her|him)(?: again)?(?: in (?:the )?clinic)? on|\bsahen (?:wir )?(?:Ihre |die |den )?(?:Patientin |Patienten )?am|(?<![\p{L}])Vorstellung (?:am|vom)|\b(?:Nachsorge|Sprechstunden)?[Kk]onsultation (?:am|vom))\s*[:.]?\s*$/iu;

/**
 * Every ENCOUNTER_LEAD ends with one of these words before its colon: the short test runs first (the lead is asked for
 * every date of the note and the whole pattern is slow to fail).
 */
const ENCOUNTER_END = /(?:visit|date|consultation|clinic|on|am|vom)\s*[:.]?\s*$/iu;

/** Whether the text before a date names it as the day the patient was seen. */
export const isEncounterLead = (lead: string): boolean => ENCOUNTER_END.test(lead) && ENCOUNTER_LEAD.test(lead);
const TRAIL_WORD = /vorstell|vorgestellt|seen|attended/i;

/** "…, die sich am 01.09.2026 zur Nachsorge vorstellte": the visit named by the verb after its date. */
export const ENCOUNTER_TRAIL = /^[^\n.;:]{0,40}?\b(?:vorstellte|vorgestellt|vorstellig|seen in (?:the )?clinic|attended (?:the )?clinic)\b/i;

/** "Eingang: 17.06.2026", "Abnahme 02.02.2026", "Collected 12/01": a date written as a labelled field of a report header. */
export function fieldLabel(text: string, lineStart: number, d: DateMention): 'collected' | 'reported' | null {
  const lead = text.slice(Math.max(lineStart, d.start - 32), d.start);
  return COLLECTED.test(lead) ? 'collected' : REPORTED.test(lead) ? 'reported' : null;
}

interface Span { start: number; end: number; table?: boolean }

/**
 * The date of an undated lab table (one result column): the sampling date labelled in the report header above it,
 * else its receipt or report date. The header may stand across blank lines; a line with a prose value ends the search.
 */
export function reportHeaderDate(text: string, dates: DateMention[], values: Span[], pos: number): string | undefined {
  let reported: string | undefined;
  let end = text.lastIndexOf('\n', pos - 1);
  for (let guard = 0; end > 0 && guard < 40; guard++) {
    const ls = text.lastIndexOf('\n', end - 1) + 1;
    if (values.some((x) => !x.table && x.start >= ls && x.end <= end)) break;
    for (const d of dates.filter((x) => x.start >= ls && x.end <= end).reverse()) {
      const label = fieldLabel(text, ls, d);
      if (label === 'collected') return d.iso;
      if (label === 'reported') reported ??= d.iso;
    }
    end = ls - 1;
  }
  return reported;
}

/**
 * The dates a value may be bound to and the visit day: never a date after the note that reports it, a date of birth or a
 * plan. "Clinic date: 22/06 … Typed: 24/06": the letter's "today" and "yesterday" are re-based on the visit day.
 */
export function bindableDates(text: string, all: DateMention[], documentDate: string | undefined): { dates: DateMention[]; encounter?: string } {
  const doc = documentDate && /^\d{4}-\d{2}-\d{2}/.test(documentDate) ? documentDate.slice(0, 10) : undefined;
  const dates = all.filter((d) => {
    const lead = text.slice(Math.max(0, d.start - 32), d.start);
    return !BIRTH_LEAD.test(lead) && !PLAN_LEAD.test(lead) && !(doc && d.iso > doc.slice(0, d.iso.length));
  });
  // a cheap word test first: the cue patterns are long alternations tried at every position of the slice
  const trail = (d: DateMention): boolean => {
    const t = text.slice(d.end, d.end + 60);
    return TRAIL_WORD.test(t) && ENCOUNTER_TRAIL.test(t);
  };
  const encounter = dates.find((d) => d.iso.length === 10 && (isEncounterLead(text.slice(Math.max(0, d.start - 40), d.start)) || trail(d)))?.iso;
  if (!encounter) return { dates };
  const rebased = (back: number): string => new Date(Date.parse(encounter) - back * 86400000).toISOString().slice(0, 10);
  return { dates: dates.map((d) => (d.daysBefore === undefined ? d : { ...d, iso: rebased(d.daysBefore) })), encounter };
}
