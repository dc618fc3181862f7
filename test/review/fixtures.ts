/** Provisional NLP findings as the extraction pipeline writes them (DESIGN.md §4), seeded through the API. */
import type { Bundle, Condition, Device, DocumentReference, FhirResource, Observation, Patient, Practitioner, Provenance } from 'fhir/r4';
import request from 'supertest';
import type { DriverKind } from '../support/databases';
import type { AppOverrides } from '../../server/app';
import { type TestApp, startTestApp } from '../support/test-app';

export const FHIR = 'application/fhir+json';
export const TWIN_CS = 'https://twinfhir.org/fhir/CodeSystem/twinfhir';
export const PROVISIONAL_TAG = `${TWIN_CS}|provisional`;
const SD = 'https://twinfhir.org/fhir/StructureDefinition/';
const AIAST = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'AIAST' };
const VER = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

/** A test app without NLP workers: the seeded note is not extracted behind the test's back, so counts stay exact. */
export function startReviewApp(kind: DriverKind, overrides: AppOverrides = {}): Promise<TestApp> {
  return startTestApp(kind, { NLP_WORKERS: '0' }, overrides);
}

export const NOTE = 'Assessment: high-grade serous carcinoma of the right ovary. CA-125 was 412 U/mL on 2024-03-02.';

function evidence(quote: string, docRef: string) {
  return {
    url: `${SD}nlp-evidence`,
    extension: [
      { url: 'quote', valueString: quote },
      { url: 'offset', valueInteger: NOTE.indexOf(quote) },
      { url: 'length', valueInteger: quote.length },
      { url: 'extractor', valueString: 'rules/0.1.0' },
      { url: 'confidence', valueDecimal: 0.9 },
      { url: 'document', valueReference: { reference: docRef } },
    ],
  };
}

export interface Seed {
  patient: Patient & { id: string };
  doctor: Practitioner & { id: string };
  otherDoctor: Practitioner & { id: string };
  note: DocumentReference & { id: string };
  device: Device & { id: string };
  condition: Condition & { id: string };
  observation: Observation & { id: string };
  extraction: Provenance & { id: string };
}

/** A patient, two clinicians, a note, the extractor Device, one provisional Condition and Observation, and their extraction Provenance. */
export function buildSeed(prefix: string, family = 'Doe'): Seed {
  const pat = `Patient/${prefix}-pat`;
  const doc = `DocumentReference/${prefix}-note`;
  const meta = (profile: string) => ({ profile: [`${SD}${profile}`], tag: [{ system: TWIN_CS, code: 'provisional' }], security: [AIAST] });
  return {
    patient: { resourceType: 'Patient', id: `${prefix}-pat`, name: [{ family, given: ['Jane'] }], gender: 'female' },
    doctor: { resourceType: 'Practitioner', id: `${prefix}-doc`, name: [{ family: 'House', given: ['Gregory'] }] },
    otherDoctor: { resourceType: 'Practitioner', id: `${prefix}-doc2`, name: [{ family: 'Cuddy', given: ['Lisa'] }] },
    note: {
      resourceType: 'DocumentReference', id: `${prefix}-note`, status: 'current', subject: { reference: pat },
      content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(NOTE).toString('base64') } }],
    },
    device: { resourceType: 'Device', id: `${prefix}-nlp`, deviceName: [{ name: 'TwinFHIR rules extractor', type: 'model-name' }], version: [{ value: '0.1.0' }] },
    condition: {
      resourceType: 'Condition', id: `${prefix}-cond`, meta: meta('nlp-condition'),
      extension: [evidence('high-grade serous carcinoma of the right ovary', doc)],
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: VER, code: 'unconfirmed' }] },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '363443007', display: 'Malignant tumor of ovary' }] },
      subject: { reference: pat }, evidence: [{ detail: [{ reference: doc }] }],
    },
    observation: {
      resourceType: 'Observation', id: `${prefix}-obs`, meta: meta('nlp-observation'), status: 'preliminary',
      extension: [evidence('CA-125 was 412 U/mL', doc)],
      code: { coding: [{ system: 'http://loinc.org', code: '10334-1', display: 'Cancer Ag 125 [Units/volume] in Serum or Plasma' }] },
      subject: { reference: pat }, effectiveDateTime: '2024-03-02',
      valueQuantity: { value: 412, unit: 'U/mL', system: 'http://unitsofmeasure.org', code: 'U/mL' },
      derivedFrom: [{ reference: doc }],
    },
    extraction: {
      resourceType: 'Provenance', id: `${prefix}-extract`, recorded: '2024-03-03T08:00:00Z',
      target: [{ reference: `Condition/${prefix}-cond` }, { reference: `Observation/${prefix}-obs` }],
      agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler' }] }, who: { reference: `Device/${prefix}-nlp` } }],
      entity: [{ role: 'source', what: { reference: doc } }],
    },
  };
}

/** Writes the seed with a transaction of PUTs (so ids are ours) and returns it. */
export async function seedFindings(app: TestApp, prefix: string, family?: string): Promise<Seed> {
  const seed = buildSeed(prefix, family);
  const resources = Object.values(seed) as (FhirResource & { id: string })[];
  const bundle: Bundle = {
    resourceType: 'Bundle', type: 'transaction',
    entry: resources.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })),
  };
  const res = await request(app.http).post('/fhir').set('Content-Type', FHIR).send(bundle);
  if (res.status !== 200) throw new Error(`seeding failed: ${res.status} ${JSON.stringify(res.body)}`);
  return seed;
}

type Part = { name: string; valueCode?: string; valueString?: string; valueInteger?: number; valueReference?: { reference: string }; resource?: unknown; part?: Part[] };

/** Parameters for $verify. */
export function verifyParams(decision: string, opts: { reviewer?: string; note?: string; resource?: unknown; version?: number } = {}) {
  const parameter: Part[] = [{ name: 'decision', valueCode: decision }];
  if (opts.reviewer) parameter.push({ name: 'reviewer', valueReference: { reference: opts.reviewer } });
  if (opts.note) parameter.push({ name: 'note', valueString: opts.note });
  if (opts.resource) parameter.push({ name: 'resource', resource: opts.resource });
  if (opts.version !== undefined) parameter.push({ name: 'version', valueInteger: opts.version });
  return { resourceType: 'Parameters', parameter };
}

/** A named part of a Parameters (top level or in `part`). */
export function part(params: { parameter?: Part[]; part?: Part[] }, name: string): Part | undefined {
  return (params.parameter ?? params.part ?? []).find((p) => p.name === name);
}
