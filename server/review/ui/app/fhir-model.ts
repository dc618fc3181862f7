/** Reads what the page shows out of FHIR resources: review state, nlp-evidence, values and dates. Pure (no DOM). */
import type { Coding, Extension, HumanName, Meta, Observation, Reference } from 'fhir/r4';
import { LOINC, NLP_EVIDENCE_URL, TWINFHIR_CODESYSTEM } from '../../../core/canonical-urls';
import type { DateLabel, Evidence, Finding, FindingResource, ReviewState } from './types';

export const CA125_LOINC = ['10334-1', '83082-8'];

export function reviewState(meta: Meta | undefined): ReviewState {
  const tag = meta?.tag?.find((t) => t.system === TWINFHIR_CODESYSTEM && ['provisional', 'verified', 'refuted'].includes(t.code ?? ''));
  return (tag?.code as ReviewState | undefined) ?? 'unknown';
}

function sub(ext: Extension, url: string): Extension | undefined {
  return ext.extension?.find((e) => e.url === url);
}

export function parseEvidence(exts: Extension[] | undefined): Evidence[] {
  const out: Evidence[] = [];
  for (const ext of exts ?? []) {
    if (ext.url !== NLP_EVIDENCE_URL) continue;
    const quote = sub(ext, 'quote')?.valueString;
    const offset = sub(ext, 'offset')?.valueInteger;
    const length = sub(ext, 'length')?.valueInteger;
    if (quote === undefined || offset === undefined || length === undefined) continue;
    out.push({
      quote, offset, length,
      extractor: sub(ext, 'extractor')?.valueString ?? sub(ext, 'engine')?.valueString,
      confidence: sub(ext, 'confidence')?.valueDecimal,
      assertion: sub(ext, 'assertion')?.valueCode,
      document: sub(ext, 'document')?.valueReference?.reference,
    });
  }
  return out;
}

const isDocRef = (r: Reference | undefined): boolean => Boolean(r?.reference?.startsWith('DocumentReference/'));

/** The source note: the evidence's own document, else Condition.evidence.detail / Observation.derivedFrom. */
function documentOf(r: FindingResource, ev: Evidence[]): string | undefined {
  const own = ev.find((e) => e.document)?.document;
  if (own) return own;
  const refs = r.resourceType === 'Condition' ? (r.evidence ?? []).flatMap((e) => e.detail ?? []) : (r.derivedFrom ?? []);
  return refs.find(isDocRef)?.reference;
}

export function codeDisplay(codes: Coding[], text?: string): string {
  return text ?? codes.find((c) => c.display)?.display ?? codes[0]?.code ?? 'Unnamed finding';
}

export function observationValue(o: Observation): string | undefined {
  const q = o.valueQuantity;
  if (q?.value !== undefined) return `${q.comparator ?? ''}${q.value}${q.unit ?? q.code ? ` ${q.unit ?? q.code}` : ''}`;
  if (o.valueCodeableConcept) return codeDisplay(o.valueCodeableConcept.coding ?? [], o.valueCodeableConcept.text);
  if (o.valueString !== undefined) return o.valueString;
  if (o.valueInteger !== undefined) return String(o.valueInteger);
  return undefined;
}

export function findingDate(r: FindingResource): string | undefined {
  if (r.resourceType === 'Condition') return r.onsetDateTime ?? r.onsetPeriod?.start ?? r.recordedDate;
  return r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued;
}

/** What `findingDate` is: a Condition's onset only when the note stated one; otherwise when it was recorded. */
export function findingDateLabel(r: FindingResource): DateLabel {
  if (r.resourceType !== 'Condition') return 'Date';
  return r.onsetDateTime ?? r.onsetPeriod?.start ? 'Onset' : 'Recorded';
}

/**
 * The NLP assertion: the nlp-evidence `assertion` of the mentions (the strongest, present first), else the
 * note the extraction writes ("NLP assertion: possible — …"), else an inactive clinicalStatus = historical.
 */
function assertionOf(r: FindingResource, evidence: Evidence[]): string {
  const asserted = evidence.map((e) => e.assertion).filter((a): a is string => Boolean(a));
  for (const a of ['present', 'historical', 'possible', 'family']) if (asserted.includes(a)) return a;
  const stated = (r.note ?? []).map((n) => /^NLP assertion: (\w+)/.exec(n.text)?.[1]).find(Boolean);
  if (stated) return stated;
  if (r.resourceType === 'Observation') return 'present';
  const clinical = r.clinicalStatus?.coding?.[0]?.code;
  if (clinical === 'resolved' || clinical === 'inactive' || clinical === 'remission' || r.abatementDateTime) return 'historical';
  return 'present';
}

export function toFinding(r: FindingResource): Finding {
  const evidence = parseEvidence(r.extension);
  const codes = r.code?.coding ?? [];
  const confidences = evidence.map((e) => e.confidence).filter((c): c is number => c !== undefined);
  return {
    ref: `${r.resourceType}/${r.id ?? ''}`,
    resource: r,
    version: r.meta?.versionId ?? '',
    display: codeDisplay(codes, r.code?.text),
    codes,
    value: r.resourceType === 'Observation' ? observationValue(r) : undefined,
    date: findingDate(r),
    dateLabel: findingDateLabel(r),
    assertion: assertionOf(r, evidence),
    confidence: confidences.length ? Math.max(...confidences) : undefined,
    engine: evidence.find((e) => e.extractor)?.extractor,
    evidence,
    document: documentOf(r, evidence),
    state: reviewState(r.meta),
  };
}

export function humanName(names: HumanName[] | undefined): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return 'Unnamed';
  if (n.text) return n.text;
  return [...(n.prefix ?? []), ...(n.given ?? []), n.family].filter(Boolean).join(' ') || 'Unnamed';
}

/** `2026-03-10T…` → `10 Mar 2026` (dates in notes are clinical dates: no time-zone shifting for date-only values). */
export function formatDate(iso: string | undefined): string {
  if (!iso) return '—';
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(iso);
  if (!m) return iso;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const parts = [m[3] ? String(Number(m[3])) : '', m[2] ? months[Number(m[2]) - 1] : '', m[1]];
  return parts.filter(Boolean).join(' ');
}

export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  // Local time for both parts, so a decision late in the evening is not shown on the next day.
  return `${formatDate(`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function isCa125(o: Observation): boolean {
  return (o.code?.coding ?? []).some((c) => c.system === LOINC && CA125_LOINC.includes(c.code ?? ''));
}
