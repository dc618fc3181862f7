/** The labels a masked copy carries: meta.security v3 MASKED on the resource, data-absent-reason `masked` on each hidden element. */
import type { Coding } from 'fhir/r4';

export const MASKED_LABEL: Readonly<Coding> = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'MASKED', display: 'masked' };
export const DATA_ABSENT_REASON = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
