/** Same-length masking of the patient's identifying data before note text leaves the server (offsets stay valid). */
import type { Address, ContactPoint, HumanName, Patient } from 'fhir/r4';
import { findDateSpans, identifierPatternSpans, phoneLikeSpans, type DateSpan, type TextSpan } from './masking-patterns';

/** Replaces every non-blank character of a masked span; whitespace and line breaks stay, so offsets do not move. */
export const MASK_CHAR = '█';

export interface MaskResult {
  /** The masked text: same length as the input, identical outside the masked spans. */
  text: string;
  /** Number of (merged) spans masked. */
  masked: number;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const FOLD: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue' };
const MIN_NAME = 2;
/** Phone numbers compare by their last digits: "+49 30 1234567" and "030 1234567" are the same line. */
const PHONE_DIGITS = 7;

/** A literal phrase as a case-insensitive pattern: any whitespace run matches any whitespace run, whole words only. */
function phrasePattern(phrase: string): string {
  return phrase.trim().split(/\s+/).map(escape).join('\\s+');
}

function literalSpans(text: string, phrases: Iterable<string>, minLength: number): TextSpan[] {
  const alternatives = [...new Set([...phrases].map((p) => p.trim()).filter((p) => p.length >= minLength))]
    .sort((a, b) => b.length - a.length).map(phrasePattern);
  if (!alternatives.length) return [];
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return [...text.matchAll(re)].map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
}

/** Whole names, their parts ("Müller-Lüdenscheidt" → both halves) and umlaut-folded spellings. */
function nameTerms(names: HumanName[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const parts = [...(n.given ?? []), ...(n.family ? [n.family] : [])];
    out.push(...parts, ...parts.flatMap((p) => p.split(/[\s-]+/)));
    if (n.text) out.push(n.text, ...n.text.split(/[\s,]+/));
    if (parts.length > 1) out.push(parts.join(' '));
  }
  return [...out, ...out.map((t) => t.replace(/[äöüßÄÖÜ]/g, (c) => FOLD[c] ?? c))];
}

function addressTerms(addresses: Address[]): string[] {
  return addresses.flatMap((a) => [...(a.line ?? []), a.city, a.postalCode, a.district].filter((v): v is string => !!v));
}

function telecomSpans(text: string, telecom: ContactPoint[]): TextSpan[] {
  const emails = telecom.filter((t) => t.system === 'email' && t.value).map((t) => t.value as string);
  const phones = telecom.filter((t) => t.system !== 'email' && t.value).map((t) => (t.value as string).replace(/\D/g, ''))
    .filter((d) => d.length >= PHONE_DIGITS).map((d) => d.slice(-PHONE_DIGITS));
  const spans = literalSpans(text, emails, 3);
  if (phones.length) spans.push(...phoneLikeSpans(text).filter((s) => s.digits.length >= PHONE_DIGITS && phones.includes(s.digits.slice(-PHONE_DIGITS))));
  return spans;
}

function birthDateSpans(dates: DateSpan[], birthDate: string | undefined): TextSpan[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate ?? '');
  if (!m) return [];
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return dates.filter((d) => d.readings.some((r) => r.year === year && r.month === month && r.day === day));
}

/** Spans of the text that identify this patient according to the Patient resource. */
function patientSpans(text: string, patient: Patient, dates: DateSpan[]): TextSpan[] {
  const contacts = patient.contact ?? [];
  const names = [...(patient.name ?? []), ...contacts.flatMap((c) => (c.name ? [c.name] : []))];
  const identifiers = (patient.identifier ?? []).map((i) => i.value).filter((v): v is string => !!v);
  const addresses = [...(patient.address ?? []), ...contacts.flatMap((c) => (c.address ? [c.address] : []))];
  const telecom = [...(patient.telecom ?? []), ...contacts.flatMap((c) => c.telecom ?? [])];
  return [
    ...literalSpans(text, nameTerms(names), MIN_NAME),
    ...literalSpans(text, identifiers, 3),
    ...literalSpans(text, addressTerms(addresses), 3),
    ...telecomSpans(text, telecom),
    ...birthDateSpans(dates, patient.birthDate),
  ];
}

function merge(spans: TextSpan[]): TextSpan[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const out: TextSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/**
 * Masks names, identifiers, birth date, addresses and phone numbers of `patient`, plus identifier-shaped text
 * (phones, e-mails, record numbers, dates after "DOB"/"geb."/"born"). The result has the input's length.
 */
export function maskIdentifiers(text: string, patient?: Patient): MaskResult {
  const dates = findDateSpans(text);
  const spans = merge([...identifierPatternSpans(text, dates), ...(patient ? patientSpans(text, patient, dates) : [])]);
  if (!spans.length) return { text, masked: 0 };
  let out = '';
  let at = 0;
  for (const s of spans) {
    // per UTF-16 unit (no 'u' flag): a surrogate pair becomes two mask characters, so the length never changes
    out += text.slice(at, s.start) + text.slice(s.start, s.end).replace(/\S/g, MASK_CHAR);
    at = s.end;
  }
  return { text: out + text.slice(at), masked: spans.length };
}

/** True for URLs whose host is this machine (127.0.0.0/8, ::1, localhost): no masking needed there. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // IPv4-mapped IPv6 as URL normalises it: [::ffff:127.0.0.1] → ::ffff:7f00:1
  if (/^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)) return true;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return !!v4 && Number(v4[1]) === 127 && v4.slice(2).every((p) => Number(p) <= 255);
}
