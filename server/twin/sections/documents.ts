/** The clinical documents of the patient, with how many findings each one grounds. */
import type { DocumentReference, Resource } from 'fhir/r4';
import { clinicalDate, conceptText, dateOnly } from '../fhir-values';
import { table } from '../narrative';
import type { SectionContent } from './section';
import { sourceDocumentKeys } from './sources';

/** `docs` sorted by date; `findings` are the twin's findings (to count what each document grounds). */
export function documentsSection(docs: readonly DocumentReference[], findings: readonly Resource[]): SectionContent {
  const counts = new Map<string, number>();
  for (const f of findings) for (const k of sourceDocumentKeys(f)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const rows = docs.map((d) => [
    dateOnly(clinicalDate(d) ?? d.context?.period?.start), conceptText(d.type) || 'Document', d.description ?? '',
    String(counts.get(`DocumentReference/${d.id ?? ''}`) ?? 0),
  ]);
  return {
    key: 'documents',
    entries: [...docs],
    narrative: [table({ headers: ['Date', 'Type', 'Description', 'Findings'], rows })],
    emptyText: 'No clinical documents are recorded.',
    byDate: true,
  };
}
