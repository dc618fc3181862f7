/** Inputs and outputs of turning one extraction run's findings into provisional FHIR resources. */
import type { Condition, Device, DocumentReference, FamilyMemberHistory, Observation, Provenance, Reference } from 'fhir/r4';
import type { ConceptCoder } from '../coding';
import type { ExtractionDiagnostics, Finding } from '../finding';

/** Who extracted and when: recorded on the Device, the Provenance and every resource's recorded/issued time. */
export interface ExtractionRun {
  engine: string;
  version: string;
  model?: string;
  promptVersion?: string;
  /** FHIR instant of the run (e.g. 2026-03-01T10:00:00Z). */
  recorded: string;
}

export interface FindingResourcesInput {
  findings: Finding[];
  document: DocumentReference & { id: string };
  /** The document's subject (a Patient reference the caller guarantees exists). */
  patient: Reference;
  run: ExtractionRun;
  coder: ConceptCoder;
  newId: () => string;
  /** ISO date of the note: an Observation's effective date when the note states none for it. */
  documentDate?: string;
  /** Where findings that cannot become a resource (no code, no value, family observation) are counted. */
  diagnostics?: ExtractionDiagnostics;
}

export type FindingResource = Condition | Observation | FamilyMemberHistory;

export interface FindingResources {
  /** Conditions, then Observations, then FamilyMemberHistory, each in note order. */
  resources: FindingResource[];
  provenance: Provenance;
  device: Device;
}

/** What every resource builder needs besides its findings. */
export interface BuildContext {
  patient: Reference;
  /** Plain `DocumentReference/{id}`: the evidence, derivedFrom and extension target. */
  document: Reference;
  run: ExtractionRun;
  coder: ConceptCoder;
  /** When the note was written: an Observation's effective time when the note gives none for it. */
  noteDate?: string;
}
