/** The extraction Task (DESIGN.md §4): requested → in-progress → completed | failed | cancelled, focus = the document. */
import type { DocumentReference, Reference, Task } from 'fhir/r4';
import { TWINFHIR_CODESYSTEM } from '../../core/canonical-urls';

export const NLP_QUEUE = 'nlp';

export const documentRef = (id: string): string => `DocumentReference/${id}`;

/** The job key of a document's extraction: at most one waiting extraction per document. */
export const extractionJobKey = (documentId: string): string => documentRef(documentId);

export interface ExtractionJobPayload {
  taskId: string;
  documentId: string;
  /** The document version the Task was created for. */
  documentVersion: number;
}

export function isExtractionPayload(p: Record<string, unknown>): p is Record<string, unknown> & ExtractionJobPayload {
  return typeof p.taskId === 'string' && typeof p.documentId === 'string' && typeof p.documentVersion === 'number';
}

/** A Patient reference of the document's subject, or undefined (findings need a patient). */
export function documentPatient(doc: DocumentReference): Reference | undefined {
  const ref = doc.subject?.reference;
  return ref && /^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(ref) ? { reference: ref } : undefined;
}

export function newExtractionTask(doc: DocumentReference & { id: string }, version: number, id: string, now: Date): Task & { id: string } {
  const patient = documentPatient(doc);
  return {
    resourceType: 'Task',
    id,
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: TWINFHIR_CODESYSTEM, code: 'extract', display: 'Extract findings from a clinical note' }] },
    description: 'Extract provisional findings from the clinical note',
    focus: { reference: documentRef(doc.id) },
    ...(patient ? { for: patient } : {}),
    authoredOn: now.toISOString(),
    lastModified: now.toISOString(),
    input: [{
      type: { coding: [{ system: TWINFHIR_CODESYSTEM, code: 'extract' }], text: 'document version' },
      valueReference: { reference: `${documentRef(doc.id)}/_history/${version}` },
    }],
  };
}

type TaskChange =
  | { status: 'in-progress'; attempt: number }
  | { status: 'requested'; reason: string; retryAt: Date }
  | { status: 'completed'; outputs: string[] }
  | { status: 'failed'; reason: string }
  | { status: 'cancelled'; reason: string };

/** The Task after a state change; the text of a failure is for operators and never contains note text. */
export function changeTask(task: Task & { id: string }, change: TaskChange, now: Date): Task & { id: string } {
  const t: Task & { id: string } = { ...task, status: change.status, lastModified: now.toISOString() };
  delete t.meta;
  delete t.statusReason;
  delete t.businessStatus;
  const reason = (text: string): void => { t.statusReason = { text }; };
  switch (change.status) {
    case 'in-progress':
      t.executionPeriod = { ...t.executionPeriod, start: t.executionPeriod?.start ?? now.toISOString() };
      t.businessStatus = { text: `attempt ${change.attempt}` };
      break;
    case 'requested':
      t.businessStatus = { text: `retrying at ${change.retryAt.toISOString()}: ${change.reason}` };
      break;
    case 'completed':
      t.executionPeriod = { ...t.executionPeriod, end: now.toISOString() };
      delete t.output;
      if (change.outputs.length) {
        t.output = change.outputs.map((reference) => ({
          type: { coding: [{ system: TWINFHIR_CODESYSTEM, code: 'extract' }], text: 'resource written' },
          valueReference: { reference },
        }));
      }
      break;
    case 'failed':
    case 'cancelled':
      t.executionPeriod = { ...t.executionPeriod, end: now.toISOString() };
      reason(change.reason);
      break;
  }
  return t;
}
