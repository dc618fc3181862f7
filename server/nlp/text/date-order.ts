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
