/**
 * A review scenario seeded through the FHIR API (one transaction, validated against our profiles):
 * two patients with notes, provisional findings with exact nlp-evidence offsets, lab CA-125 history,
 * the extraction Device/Provenance, and two practitioners.
 */
import type { Bundle, Condition, Device, DocumentReference, FhirResource, Observation, Patient, Practitioner, Provenance } from 'fhir/r4';

const SD = 'https://twinfhir.org/fhir/StructureDefinition/';
const TWIN_CS = 'https://twinfhir.org/fhir/CodeSystem/twinfhir';
const AIAST = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'AIAST' };
const SNOMED = 'http://snomed.info/sct';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

export const NOTE = [
  'Gynecologic Oncology — Follow-up visit',
  'Date: 2026-03-14',
  '',
  'History: 62-year-old woman with high-grade serous carcinoma of the right ovary, FIGO IIIC, diagnosed 2025-09.',
  'Status post interval debulking surgery and six cycles of carboplatin/paclitaxel (completed 2025-12).',
  '',
  'Labs: CA-125 was 845 U/mL on 2026-03-10, previously 412 U/mL on 2026-01-12. Hemoglobin 10.9 g/dL.',
  '',
  'Imaging (CT abdomen/pelvis, 2026-03-09): new moderate ascites and peritoneal carcinomatosis.',
  'No pleural effusion.',
  '',
  'Comorbidities: hypertension, well controlled on ramipril 5 mg. Mother had breast cancer at 58.',
  '',
  'Assessment and plan: platinum-resistant recurrence suspected. Discuss second-line therapy at the',
  'tumor board on 2026-03-18; repeat CA-125 in four weeks.',
].join('\n');

/** An HTML note: offsets refer to its source, which the page shows as text (never as markup). */
export const NOTE_2 = '<h1>Oncology intake</h1>\n<p>Known <b>endometriosis</b> since 2015.</p>\n<p>CA-125 today 58 U/mL. Type 2 diabetes on metformin.</p>\n<script>alert(1)</script>';

export interface SeededFinding {
  ref: string;
  quote: string;
}

export interface ReviewScenario {
  patientId: string;
  patientName: string;
  otherPatientId: string;
  reviewer: { id: string; name: string };
  otherReviewer: { id: string; name: string };
  documentId: string;
  /** Findings of the main note by a short name. */
  findings: Record<'ovary' | 'ascites' | 'carcinomatosis' | 'effusion' | 'hypertension' | 'ca125New' | 'ca125Old' | 'hemoglobin', SeededFinding>;
}

type Doc = { id: string; text: string };

function evidence(doc: Doc, quote: string, confidence: number) {
  const offset = doc.text.indexOf(quote);
  if (offset < 0) throw new Error(`seed quote not in note: ${quote}`);
  return {
    url: `${SD}nlp-evidence`,
    extension: [
      { url: 'quote', valueString: quote },
      { url: 'offset', valueInteger: offset },
      { url: 'length', valueInteger: quote.length },
      { url: 'extractor', valueString: 'rules' },
      { url: 'confidence', valueDecimal: confidence },
      { url: 'document', valueReference: { reference: `DocumentReference/${doc.id}` } },
    ],
  };
}

const meta = (profile: string) => ({ profile: [`${SD}${profile}`], tag: [{ system: TWIN_CS, code: 'provisional' }], security: [AIAST] });

function condition(id: string, patient: string, doc: Doc, quote: string, codes: [string, string, string][], extra: Partial<Condition> = {}): Condition {
  return {
    resourceType: 'Condition', id, meta: meta('nlp-condition'),
    extension: [evidence(doc, quote, extra.note ? 0.62 : 0.9)],
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'unconfirmed' }] },
    code: { coding: codes.map(([system, code, display]) => ({ system, code, display })) },
    subject: { reference: `Patient/${patient}` },
    evidence: [{ detail: [{ reference: `DocumentReference/${doc.id}` }] }],
    ...extra,
  };
}

function observation(id: string, patient: string, doc: Doc, quote: string, loinc: [string, string], value: number, unit: string, date: string): Observation {
  return {
    resourceType: 'Observation', id, meta: meta('nlp-observation'), status: 'preliminary',
    extension: [evidence(doc, quote, 0.88)],
    code: { coding: [{ system: LOINC, code: loinc[0], display: loinc[1] }] },
    subject: { reference: `Patient/${patient}` }, effectiveDateTime: date,
    valueQuantity: { value, unit, system: UCUM, code: unit },
    derivedFrom: [{ reference: `DocumentReference/${doc.id}` }],
  };
}

/** A CA-125 result from the lab feed: final, no NLP involved. */
function labCa125(id: string, patient: string, value: number, date: string): Observation {
  return {
    resourceType: 'Observation', id, status: 'final',
    code: { coding: [{ system: LOINC, code: '10334-1', display: 'Cancer Ag 125 [Units/volume] in Serum or Plasma' }] },
    subject: { reference: `Patient/${patient}` }, effectiveDateTime: date,
    valueQuantity: { value, unit: 'U/mL', system: UCUM, code: 'U/mL' },
  };
}

const noteDoc = (doc: Doc, patient: string, date: string, title: string, contentType = 'text/plain; charset=utf-8'): DocumentReference => ({
  resourceType: 'DocumentReference', id: doc.id, status: 'current', date, description: title,
  subject: { reference: `Patient/${patient}` },
  content: [{ attachment: { contentType, data: Buffer.from(doc.text, 'utf8').toString('base64') } }],
});

const CA125: [string, string] = ['10334-1', 'Cancer Ag 125 [Units/volume] in Serum or Plasma'];

function mainPatient(p: string, doc: Doc): FhirResource[] {
  return [
    { resourceType: 'Patient', id: p, name: [{ family: 'Keller', given: ['Maria'] }], gender: 'female', birthDate: '1963-05-14', identifier: [{ system: 'urn:twinfhir:mrn', value: '4471023' }] } as Patient,
    noteDoc(doc, p, '2026-03-14T10:30:00Z', 'Gynecologic oncology follow-up'),
    condition(`${p}-ovary`, p, doc, 'high-grade serous carcinoma of the right ovary', [[SNOMED, '363443007', 'Malignant tumor of ovary'], [ICD10, 'C56.1', 'Malignant neoplasm of right ovary']], { onsetDateTime: '2025-09' }),
    condition(`${p}-ascites`, p, doc, 'ascites', [[SNOMED, '389026000', 'Ascites'], [ICD10, 'R18.8', 'Other ascites']], { onsetDateTime: '2026-03-09' }),
    condition(`${p}-carcinomatosis`, p, doc, 'peritoneal carcinomatosis', [[ICD10, 'C78.6', 'Secondary malignant neoplasm of retroperitoneum and peritoneum']], { onsetDateTime: '2026-03-09' }),
    // A negated mention the extractor got wrong: the reviewer refutes it.
    condition(`${p}-effusion`, p, doc, 'pleural effusion', [[SNOMED, '60046008', 'Pleural effusion'], [ICD10, 'J90', 'Pleural effusion, not elsewhere classified']]),
    condition(`${p}-hypertension`, p, doc, 'hypertension', [[SNOMED, '38341003', 'Hypertensive disorder'], [ICD10, 'I10', 'Essential (primary) hypertension']]),
    observation(`${p}-ca125-new`, p, doc, 'CA-125 was 845 U/mL on 2026-03-10', CA125, 845, 'U/mL', '2026-03-10'),
    observation(`${p}-ca125-old`, p, doc, 'previously 412 U/mL on 2026-01-12', CA125, 412, 'U/mL', '2026-01-12'),
    // The decimal point was lost: the reviewer amends 109 to 10.9.
    observation(`${p}-hb`, p, doc, 'Hemoglobin 10.9 g/dL', ['718-7', 'Hemoglobin [Mass/volume] in Blood'], 109, 'g/dL', '2026-03-10'),
    labCa125(`${p}-lab-1`, p, 1320, '2025-09-22'),
    labCa125(`${p}-lab-2`, p, 96, '2025-12-15'),
  ];
}

function secondPatient(p: string, doc: Doc): FhirResource[] {
  return [
    { resourceType: 'Patient', id: p, name: [{ family: 'Marin', given: ['Sofia'] }], gender: 'female', birthDate: '1971-11-02' } as Patient,
    noteDoc(doc, p, '2026-03-12T09:00:00Z', 'Oncology intake', 'text/html'),
    condition(`${p}-endo`, p, doc, 'endometriosis', [[SNOMED, '129103003', 'Endometriosis'], [ICD10, 'N80.9', 'Endometriosis, unspecified']]),
    condition(`${p}-dm2`, p, doc, 'Type 2 diabetes', [[SNOMED, '44054006', 'Diabetes mellitus type 2'], [ICD10, 'E11.9', 'Type 2 diabetes mellitus without complications']]),
    observation(`${p}-ca125`, p, doc, 'CA-125 today 58 U/mL', CA125, 58, 'U/mL', '2026-03-12'),
  ];
}

function extraction(id: string, device: string, doc: Doc, targets: FhirResource[], recorded: string): Provenance {
  return {
    resourceType: 'Provenance', id, recorded,
    target: targets.filter((r) => r.resourceType === 'Condition' || (r.resourceType === 'Observation' && r.meta)).map((r) => ({ reference: `${r.resourceType}/${r.id}` })),
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }] },
    agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler' }] }, who: { reference: `Device/${device}` } }],
    entity: [{ role: 'source', what: { reference: `DocumentReference/${doc.id}` } }],
  };
}

async function postTransaction(fhirBase: string, resources: FhirResource[], headers: Record<string, string>): Promise<void> {
  const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: resources.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })) };
  const res = await fetch(fhirBase, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json', ...headers }, body: JSON.stringify(bundle) });
  if (res.status !== 200) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
}

/** Seeds the scenario at `fhirBase` (http://host:port/fhir) under ids prefixed with `prefix` (`headers`: e.g. a bearer token with auth on). */
export async function seedReviewScenario(fhirBase: string, prefix = 'rv', headers: Record<string, string> = {}): Promise<ReviewScenario> {
  const [p1, p2] = [`${prefix}-keller`, `${prefix}-marin`];
  const doc1: Doc = { id: `${prefix}-note-1`, text: NOTE };
  const doc2: Doc = { id: `${prefix}-note-2`, text: NOTE_2 };
  const device: Device = { resourceType: 'Device', id: `${prefix}-nlp`, status: 'active', deviceName: [{ name: 'TwinFHIR NLP rules', type: 'user-friendly-name' }], version: [{ value: '0.4.0' }] };
  const people: Practitioner[] = [
    { resourceType: 'Practitioner', id: `${prefix}-berger`, name: [{ family: 'Berger', given: ['Anna'], prefix: ['Dr.'] }], qualification: [{ code: { text: 'Gynecologic oncologist' } }] },
    { resourceType: 'Practitioner', id: `${prefix}-weber`, name: [{ family: 'Weber', given: ['Lukas'], prefix: ['Dr.'] }], qualification: [{ code: { text: 'Medical oncologist' } }] },
  ];
  const first = mainPatient(p1, doc1);
  const second = secondPatient(p2, doc2);
  // Two transactions: the second patient's findings are older, so the worklist order is meaningful.
  await postTransaction(fhirBase, [device, ...people, ...second, extraction(`${prefix}-ext-2`, device.id!, doc2, second, '2026-03-12T09:01:00Z')], headers);
  await postTransaction(fhirBase, [...first, extraction(`${prefix}-ext-1`, device.id!, doc1, first, '2026-03-14T10:31:00Z')], headers);
  const f = (suffix: string, quote: string, type = 'Condition'): SeededFinding => ({ ref: `${type}/${p1}-${suffix}`, quote });
  return {
    patientId: p1, patientName: 'Maria Keller', otherPatientId: p2, documentId: doc1.id,
    reviewer: { id: people[0].id!, name: 'Dr. Anna Berger' }, otherReviewer: { id: people[1].id!, name: 'Dr. Lukas Weber' },
    findings: {
      ovary: f('ovary', 'high-grade serous carcinoma of the right ovary'),
      ascites: f('ascites', 'ascites'),
      carcinomatosis: f('carcinomatosis', 'peritoneal carcinomatosis'),
      effusion: f('effusion', 'pleural effusion'),
      hypertension: f('hypertension', 'hypertension'),
      ca125New: f('ca125-new', 'CA-125 was 845 U/mL on 2026-03-10', 'Observation'),
      ca125Old: f('ca125-old', 'previously 412 U/mL on 2026-01-12', 'Observation'),
      hemoglobin: f('hb', 'Hemoglobin 10.9 g/dL', 'Observation'),
    },
  };
}
