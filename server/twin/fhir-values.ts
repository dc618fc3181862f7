/** Reading display values out of clinical resources: concepts, values, clinical dates, references. */
import type { CodeableConcept, Observation, ObservationComponent, Quantity, Reference, Resource } from 'fhir/r4';
import { dateRange } from '../search/date-range';

type Json = Record<string, unknown>;

export function conceptText(cc: CodeableConcept | undefined): string {
  if (!cc) return '';
  if (cc.text) return cc.text;
  const c = cc.coding?.find((x) => x.display) ?? cc.coding?.[0];
  return c?.display ?? c?.code ?? '';
}

export function quantityText(q: Quantity): string {
  const unit = q.unit ?? q.code ?? '';
  return `${q.comparator ?? ''}${q.value ?? ''}${unit ? ` ${unit}` : ''}`;
}

/** The value[x] of an Observation or component as display text. */
export function valueText(v: Observation | ObservationComponent): string {
  if (v.valueQuantity) return quantityText(v.valueQuantity);
  if (v.valueCodeableConcept) return conceptText(v.valueCodeableConcept);
  if (v.valueString !== undefined) return v.valueString;
  if (v.valueInteger !== undefined) return String(v.valueInteger);
  if (v.valueBoolean !== undefined) return v.valueBoolean ? 'yes' : 'no';
  if (v.valueDateTime !== undefined) return v.valueDateTime;
  if (v.valueRange) return `${v.valueRange.low ? quantityText(v.valueRange.low) : ''}–${v.valueRange.high ? quantityText(v.valueRange.high) : ''}`;
  if (v.valueRatio?.numerator && v.valueRatio.denominator) return `${quantityText(v.valueRatio.numerator)} / ${quantityText(v.valueRatio.denominator)}`;
  if (v.valuePeriod) return `${v.valuePeriod.start ?? ''}–${v.valuePeriod.end ?? ''}`;
  if (v.valueTime !== undefined) return v.valueTime;
  return '';
}

/** An Observation's value, or its components' values (e.g. blood pressure). */
export function observationValue(o: Observation): string {
  const own = valueText(o);
  if (own) return own;
  return (o.component ?? [])
    .map((c) => `${conceptText(c.code)}: ${valueText(c)}`)
    .filter((s) => !s.endsWith(': '))
    .join('; ');
}

const periodStart = (p: unknown): string | undefined => (isJson(p) && typeof p.start === 'string' ? p.start : undefined);
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Elements that carry when care happened, per the common FHIR naming; first present wins. */
const DATE_ELEMENTS = [
  'effectiveDateTime', 'effectiveInstant', 'effectivePeriod', 'onsetDateTime', 'onsetPeriod', 'performedDateTime', 'performedPeriod',
  'occurrenceDateTime', 'occurrencePeriod', 'authoredOn', 'recordedDate', 'issued', 'period', 'date', 'created', 'billablePeriod',
  'dateAsserted',
] as const;

/** When the care a resource records happened (start of a period), as written; undefined if it has none. */
export function clinicalDate(r: Resource): string | undefined {
  const o = r as unknown as Json;
  for (const key of DATE_ELEMENTS) {
    const v = o[key];
    if (typeof v === 'string') return v;
    const start = periodStart(v);
    if (start) return start;
  }
  return undefined;
}

/** The end of the care period when one is recorded (for start/end filters). */
export function clinicalDateEnd(r: Resource): string | undefined {
  const o = r as unknown as Json;
  for (const key of DATE_ELEMENTS) {
    const v = o[key];
    if (typeof v === 'string') return v;
    if (isJson(v)) return typeof v.end === 'string' ? v.end : periodStart(v);
  }
  return undefined;
}

/** The date part (YYYY-MM-DD or less precise) for tables. */
export const dateOnly = (d: string | undefined): string => (d ? d.slice(0, 10) : '');

/** 'Type/id' of a literal reference (relative or absolute URL); undefined for contained, urn: or logical references. */
export function referenceKey(ref: Reference | undefined): string | undefined {
  const s = ref?.reference;
  if (!s || s.startsWith('#') || s.startsWith('urn:')) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(s);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** The patient a clinical resource is about (subject or patient), as 'Type/id'. */
export function subjectKey(r: Resource): string | undefined {
  const o = r as unknown as { subject?: Reference; patient?: Reference };
  return referenceKey(o.subject ?? o.patient);
}

/** A sortable UTC instant for a FHIR date ('' when absent or invalid, sorting first). */
export function instantKey(d: string | undefined): string {
  return (d ? dateRange(d)?.low : undefined) ?? '';
}

/** Sorted by clinical date (in UTC), then id, so the same data always gives the same twin; keys computed once. */
export function sortByDate<T extends Resource>(items: readonly T[]): T[] {
  const keyed = items.map((r) => ({ r, k: instantKey(clinicalDate(r)), id: r.id ?? '' }));
  keyed.sort((a, b) => (a.k !== b.k ? (a.k < b.k ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((x) => x.r);
}
