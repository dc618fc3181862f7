/** Day-first or month-first for ambiguous slash dates (03/04/2026) from regional hints in the note: spelling, units, services. */

/** British/European conventions: spelling ("haemoglobin", "tumour"), SI units, NHS services. */
const UK_HINTS = /\b(?:haemoglobin|anaemi\w*|tumour\w*|oesophag\w*|oedema|haemorrhag\w*|centre|counselled|programme|favour\w*|NHS|GP|A&E|MDT|umol\/L|µmol\/L|mmol\/L|x ?10\^?9\/L|DD\/MM\/YY(?:YY)?)(?![\p{L}])/giu;
/** US conventions: spelling, conventional units, US services. */
const US_HINTS = /\b(?:hemoglobin|anemi\w*|tumor\w*|esophag\w*|edema|hemorrhag\w*|center|counseled|favor\w*|mg\/dL|K\/uL|ER|ED visit|Medicare|Medicaid|MM\/DD\/YY(?:YY)?)(?![\p{L}])/giu;

/** An explicit order label ("DD/MM/YYYY", "MM/DD/YY") decides alone; otherwise the hint counts must differ by two. */
export function regionalDayFirst(text: string): boolean | undefined {
  if (/\bMM\/DD\/YY/i.test(text)) return false;
  if (/\bDD\/MM\/YY/i.test(text)) return true;
  const uk = text.match(UK_HINTS)?.length ?? 0;
  const us = text.match(US_HINTS)?.length ?? 0;
  if (uk >= us + 2) return true;
  if (us >= uk + 2) return false;
  return undefined;
}

const DAY_MS = 86400000;

/** A day and month without year as the latest such date no more than a month after the document date. */
function latestBefore(m: number, d: number, doc: number): number | null {
  const y = new Date(doc).getUTCFullYear();
  for (const year of [y + 1, y, y - 1]) {
    const t = Date.UTC(year, m - 1, d);
    if (new Date(t).getUTCDate() === d && t <= doc + 31 * DAY_MS) return t;
  }
  return null;
}

/**
 * For slash dates the note leaves open ("12/01" with both parts ≤ 12): the reading whose dates lie nearer before the
 * document date (results in a note are recent), undefined when both readings are as near.
 */
export function nearerDayFirst(pairs: Array<[number, number]>, documentDate: string): boolean | undefined {
  const doc = Date.parse(documentDate.slice(0, 10));
  if (Number.isNaN(doc)) return undefined;
  const cost = (m: number, d: number): number => {
    if (m < 1 || m > 12 || d < 1) return Infinity;
    const t = latestBefore(m, d, doc);
    return t === null ? Infinity : Math.abs(doc - t) / DAY_MS + (t > doc + DAY_MS ? 400 : 0);
  };
  let dmy = 0;
  let mdy = 0;
  for (const [a, b] of pairs) {
    dmy += cost(b, a);
    mdy += cost(a, b);
  }
  if (dmy === mdy || (dmy === Infinity && mdy === Infinity)) return undefined;
  return dmy < mdy;
}
