/** Shared set-up for the twin suites: an app with the twin service wired in, a Synthea patient, hand-made NLP findings. */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { fromRoot } from '../../server/core/paths';
import type { TwinService } from '../../server/twin/service';
import type { DriverKind } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

export const FHIR = 'application/fhir+json';
export const TWIN_CS = 'https://twinfhir.org/fhir/CodeSystem/twinfhir';
export const TWIN_TYPE = `${TWIN_CS}|digital-twin`;
const SD = 'https://twinfhir.org/fhir/StructureDefinition/';
const AIAST = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'AIAST' };
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

export const SYNTHEA_DIR = fromRoot('..', 'shared', 'data', 'synthea-r4-bundles', 'bundles');
/** 73 entries: Patient, Organization, Practitioner, Conditions, Observations, MedicationRequest, Procedures, Immunizations. */
export const LIZ = 'Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json';
export const LUIGI = 'Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-184f6a900ee3.json';

export type Json = Record<string, any>; // test fixtures and response bodies

export interface TwinApp {
  app: TestApp;
  twin: TwinService;
  api: () => request.Agent;
  close(): Promise<void>;
}

export interface TwinAppOptions {
  /** Register the outbox hook (and run the refresher). */
  hook?: boolean;
  debounceMs?: number;
  workers?: number;
}

/** The app with the twin service added the way app.ts wires it (hook, operations, refresher). */
export async function startTwinApp(kind: DriverKind, opts: TwinAppOptions = {}): Promise<TwinApp> {
  // hook: false → no refresher: changes are still queued, the twin is built only by $twin
  const app = await startTestApp(kind, {
    TWIN_WORKERS: opts.hook === false ? '0' : String(opts.workers ?? 2), TWIN_DEBOUNCE_MS: String(opts.debounceMs ?? 30), TWIN_POLL_MS: '200',
  });
  return {
    app, twin: app.twin,
    api: () => request.agent(app.http),
    close: () => app.dispose(),
  };
}

export interface Loaded {
  patientId: string;
  /** 'Type/id' of every created resource, in bundle order. */
  keys: string[];
}

/** Loads one Synthea transaction Bundle through the API. */
export async function loadSynthea(t: TwinApp, file: string): Promise<Loaded> {
  const res = await t.api().post('/fhir').set('Content-Type', FHIR).set('Prefer', 'return=minimal').send(readFileSync(`${SYNTHEA_DIR}/${file}`, 'utf8'));
  if (res.status !== 200) throw new Error(`load ${file}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  const keys = (res.body.entry as Json[]).map((e) => new URL(e.response.location as string).pathname.split('/').slice(2, 4).join('/'));
  const patient = keys.find((k) => k.startsWith('Patient/')) as string;
  return { patientId: patient.split('/')[1], keys };
}

export async function create(t: TwinApp, resource: Json): Promise<string> {
  const res = await t.api().post(`/fhir/${resource.resourceType as string}`).set('Content-Type', FHIR).send(resource);
  if (res.status !== 201) throw new Error(`create ${resource.resourceType as string}: ${res.status} ${JSON.stringify(res.body).slice(0, 800)}`);
  return res.body.id as string;
}

export function note(patientId: string, text = 'CA-125 was 845 U/mL. High-grade serous ovarian carcinoma, FIGO IIIC.'): Json {
  return {
    resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${patientId}` }, date: '2026-03-14T09:00:00Z',
    type: { coding: [{ system: LOINC, code: '11488-4', display: 'Consult note' }], text: 'Oncology consult note' },
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(text).toString('base64') } }],
  };
}

function evidence(docId: string, quote: string): Json {
  return {
    url: `${SD}nlp-evidence`,
    extension: [
      { url: 'quote', valueString: quote }, { url: 'offset', valueInteger: 0 }, { url: 'length', valueInteger: quote.length },
      { url: 'extractor', valueString: 'rules/1.0.0' }, { url: 'confidence', valueDecimal: 0.9 },
      { url: 'document', valueReference: { reference: `DocumentReference/${docId}` } },
    ],
  };
}

export function provisionalCondition(patientId: string, docId: string): Json {
  return {
    resourceType: 'Condition',
    meta: { profile: [`${SD}nlp-condition`], tag: [{ system: TWIN_CS, code: 'provisional' }], security: [AIAST] },
    extension: [evidence(docId, 'High-grade serous ovarian carcinoma')],
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'unconfirmed' }] },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '363443007', display: 'Malignant tumor of ovary' }], text: 'Ovarian cancer' },
    subject: { reference: `Patient/${patientId}` },
    evidence: [{ detail: [{ reference: `DocumentReference/${docId}` }] }],
  };
}

/** Decides a stored finding through $verify, as a clinician does: the only way review state changes. */
export async function decide(t: TwinApp, type: string, id: string, state: 'verified' | 'refuted'): Promise<void> {
  const reviewer = await create(t, { resourceType: 'Practitioner', name: [{ family: 'Reviewer', given: ['Rita'] }] });
  const res = await t.api().post(`/fhir/${type}/${id}/$verify`).set('Content-Type', FHIR).send({
    resourceType: 'Parameters',
    parameter: [
      { name: 'decision', valueCode: state === 'verified' ? 'confirm' : 'refute' },
      { name: 'reviewer', valueReference: { reference: `Practitioner/${reviewer}` } },
    ],
  });
  if (res.status !== 200) throw new Error(`$verify ${type}/${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export function provisionalCa125(patientId: string, docId: string, value = 845, date = '2026-03-10'): Json {
  return {
    resourceType: 'Observation',
    meta: { profile: [`${SD}nlp-observation`], tag: [{ system: TWIN_CS, code: 'provisional' }], security: [AIAST] },
    extension: [evidence(docId, `CA-125 was ${value} U/mL`)],
    status: 'preliminary',
    code: { coding: [{ system: LOINC, code: '10334-1', display: 'Cancer Ag 125 [Units/volume] in Serum or Plasma' }], text: 'CA-125' },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: date,
    valueQuantity: { value, unit: 'U/mL', system: UCUM, code: 'U/mL' },
    derivedFrom: [{ reference: `DocumentReference/${docId}` }],
  };
}

/** A CA-125 result recorded by the lab (not an NLP finding). */
export function labCa125(patientId: string, value: number, date: string): Json {
  return {
    resourceType: 'Observation', status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: LOINC, code: '10334-1', display: 'Cancer Ag 125 [Units/volume] in Serum or Plasma' }], text: 'CA-125' },
    subject: { reference: `Patient/${patientId}` }, effectiveDateTime: date,
    valueQuantity: { value, unit: 'U/mL', system: UCUM, code: 'U/mL' },
  };
}

export function figoStage(patientId: string, docId: string): Json {
  return {
    resourceType: 'Observation', status: 'final',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '385361009', display: 'FIGO staging system of gynecological malignancy' }] },
    method: { coding: [{ system: 'http://snomed.info/sct', code: '254386003', display: 'FIGO staging system' }], text: 'FIGO' },
    subject: { reference: `Patient/${patientId}` }, effectiveDateTime: '2026-03-14',
    valueCodeableConcept: { coding: [{ system: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl', code: 'C96258', display: 'FIGO Stage IIIC' }], text: 'FIGO IIIC' },
    derivedFrom: [{ reference: `DocumentReference/${docId}` }],
  };
}

export function brca1(patientId: string): Json {
  return {
    resourceType: 'Observation', status: 'final',
    code: { coding: [{ system: LOINC, code: '69548-6', display: 'Genetic variant assessment' }] },
    subject: { reference: `Patient/${patientId}` }, effectiveDateTime: '2026-02-01',
    valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA9633-4', display: 'Present' }] },
    component: [{ code: { coding: [{ system: LOINC, code: '48018-6', display: 'Gene studied [ID]' }] }, valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org', code: 'HGNC:1100', display: 'BRCA1' }] } }],
  };
}

export function ecog(patientId: string, score: number, date: string): Json {
  return {
    resourceType: 'Observation', status: 'final',
    code: { coding: [{ system: LOINC, code: '89247-1', display: 'ECOG Performance Status score' }] },
    subject: { reference: `Patient/${patientId}` }, effectiveDateTime: date, valueInteger: score,
  };
}

/** Polls `fn` until it returns a value other than undefined (or fails after `ms`). */
export async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 15_000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The section with this TwinFHIR or LOINC code. */
export function section(twin: Json, code: string): Json {
  const s = (twin.section as Json[]).find((x) => (x.code.coding as Json[]).some((c) => c.code === code));
  if (!s) throw new Error(`no section ${code}`);
  return s;
}

export const entryKeys = (s: Json): string[] => ((s.entry ?? []) as Json[]).map((e) => e.reference as string);
