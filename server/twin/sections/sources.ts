/** Where a finding came from: the DocumentReference it was extracted from and the quoted evidence. */
import type { Condition, DocumentReference, Extension, Observation, Reference, Resource } from 'fhir/r4';
import { NLP_EVIDENCE_URL } from '../../core/canonical-urls';
import { conceptText, dateOnly, referenceKey } from '../fhir-values';


const evidenceExtensions = (r: Resource): Extension[] =>
  ((r as { extension?: Extension[] }).extension ?? []).filter((e) => e.url === NLP_EVIDENCE_URL);

/** 'DocumentReference/id' keys a finding cites (evidence.detail, derivedFrom, the nlp-evidence document). */
export function sourceDocumentKeys(r: Resource): string[] {
  const refs: (Reference | undefined)[] = [];
  if (r.resourceType === 'Condition') for (const e of (r as Condition).evidence ?? []) refs.push(...(e.detail ?? []));
  if (r.resourceType === 'Observation') refs.push(...((r as Observation).derivedFrom ?? []));
  for (const ext of evidenceExtensions(r)) refs.push(ext.extension?.find((x) => x.url === 'document')?.valueReference);
  const keys = refs.map(referenceKey).filter((k): k is string => k?.startsWith('DocumentReference/') === true);
  return [...new Set(keys)];
}

/** The quoted span of the note that grounds an NLP finding. */
export function evidenceQuote(r: Resource): string {
  for (const ext of evidenceExtensions(r)) {
    const quote = ext.extension?.find((x) => x.url === 'quote')?.valueString;
    if (quote) return quote;
  }
  return '';
}

export function documentLabel(doc: DocumentReference): string {
  const what = conceptText(doc.type) || doc.description || 'Document';
  const when = dateOnly(doc.date ?? doc.context?.period?.start);
  return when ? `${what} (${when})` : what;
}

/** A human label of the source(s) of a resource: its documents, or "recorded" for data entered directly. */
export function sourceText(r: Resource, docs: ReadonlyMap<string, DocumentReference>): string {
  const keys = sourceDocumentKeys(r);
  if (keys.length === 0) return `Recorded (${r.resourceType}/${r.id ?? ''})`;
  return keys.map((k) => {
    const doc = docs.get(k);
    return doc ? documentLabel(doc) : k;
  }).join('; ');
}
