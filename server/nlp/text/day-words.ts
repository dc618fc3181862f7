/** Day words relative to the document date: "yesterday", "gestern", "vorgestern", "on Monday", "am Dienstag", "last Friday". */

export interface DayWordMention {
  start: number;
  end: number;
  iso: string;
  daysBefore?: number;
}

const DAY_MS = 86400000;

const WEEKDAYS: Record<string, number> = {
  sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6,
  sonntag: 0, montag: 1, dienstag: 2, mittwoch: 3, donnerstag: 4, freitag: 5, samstag: 6, sonnabend: 6,
};

/** Offsets in days before the document date; "today" is the document's own day. */
const DAY_OFFSETS: Record<string, number> = {
  yesterday: 1, gestern: 1, vorgestern: 2, 'the day before yesterday': 2, today: 0, heute: 0, 'this morning': 0, 'heute morgen': 0, 'heute früh': 0,
  'this afternoon': 0, 'this evening': 0, 'last night': 1, 'am vortag': 1, 'vom vortag': 1,
};

const DAY_WORD = /\b(the day before yesterday|yesterday|this (?:morning|afternoon|evening)|last night|today|vorgestern|gestern|heute(?: morgen| früh)?|(?:am|vom) Vortag)\b/gi;
/**
 * A weekday needs a cue ("on", "am", "last", "letzten") so that "Monday clinic" or a weekday header is never read as a date;
 * a weekday before a written date ("Mon 12.01.") leaves the date to the written one.
 */
const WEEKDAY = /\b(on|last|from|since|am|vom|seit|letzten|vergangenen|vorigen)\s+(sunday|monday|tuesday|wednesday|thursday|friday|saturday|sonntag|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend)\b(?![,\s]*\d{1,2}(?:[./-]\d|\.?\s+[A-Za-z]{3}))/gi;

const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);

/**
 * The most recent such weekday before the document date. "On Monday" in a note written on a Monday is ambiguous (today or
 * a week ago) and gives no date; "last Monday" then means a week ago.
 */
function weekdayBefore(doc: number, weekday: number, last: boolean): number | null {
  const docDay = new Date(doc).getUTCDay();
  const back = (docDay - weekday + 7) % 7;
  if (back === 0) return last ? doc - 7 * DAY_MS : null;
  return doc - back * DAY_MS;
}

/** Day words and cued weekdays, dated from the document date (none without one). */
export function dayWordDates(text: string, documentDate: string | undefined): DayWordMention[] {
  if (!documentDate || !/^\d{4}-\d{2}-\d{2}$/.test(documentDate)) return [];
  const doc = Date.parse(documentDate);
  if (Number.isNaN(doc)) return [];
  const out: DayWordMention[] = [];
  for (const m of text.matchAll(DAY_WORD)) {
    const back = DAY_OFFSETS[m[1].toLowerCase()];
    if (back !== undefined) out.push({ start: m.index, end: m.index + m[0].length, iso: iso(doc - back * DAY_MS), daysBefore: back });
  }
  for (const m of text.matchAll(WEEKDAY)) {
    const last = !/^(on|am|vom|from|since|seit)$/i.test(m[1]);
    const t = weekdayBefore(doc, WEEKDAYS[m[2].toLowerCase()], last);
    if (t !== null) out.push({ start: m.index + m[0].length - m[2].length, end: m.index + m[0].length, iso: iso(t) });
  }
  return out;
}
