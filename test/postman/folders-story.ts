/**
 * The whole TwinFHIR story in Postman: a note arrives, NLP makes provisional findings, a clinician verifies
 * one (a PUT cannot), the Digital Twin and its document reflect it. Needs a server with NLP and twin workers.
 */
import { type PmFolder, isOutcome, pollUntil, req, save, status } from './postman-dsl';

const TWIN_CS = 'https://twinfhir.org/fhir/CodeSystem/twinfhir';
const NOTE = 'Oncology consult. Assessment: high-grade serous ovarian carcinoma of the right ovary, FIGO IIIC. CA-125 was 845 U/mL on 2026-03-10. No ascites.';

export const storyFolder: PmFolder = {
  name: '5 Notes, review and the Digital Twin',
  description: 'POST a clinical note → extraction Task → provisional Condition/Observation (AI-asserted, grounded in a quote) → '
    + '$verify by a Practitioner → the twin Composition, $document and $everything. Shows that a plain PUT cannot confirm a finding.',
  item: [
    req('Create the reviewing Practitioner', 'POST', 'Practitioner', {
      body: { resourceType: 'Practitioner', name: [{ family: 'House', given: ['Gregory'] }] }, tests: [status(201), save('doctorId', 'pm.response.json().id')],
    }),
    req('POST the note as a DocumentReference', 'POST', 'DocumentReference', {
      prerequest: [`pm.collectionVariables.set('noteBase64', CryptoJS.enc.Base64.stringify(CryptoJS.enc.Utf8.parse(${JSON.stringify(NOTE)})));`],
      body: { resourceType: 'DocumentReference', status: 'current', subject: { reference: 'Patient/{{patientId}}' }, content: [{ attachment: { contentType: 'text/plain', data: '{{noteBase64}}' } }] },
      tests: [status(201), save('docId', 'pm.response.json().id')],
    }),
    req('Poll the extraction Task until it completes', 'GET', 'Task?focus=DocumentReference/{{docId}}', {
      tests: [status(200), 'const task = (pm.response.json().entry || [])[0];',
        ...pollUntil("task && ['completed', 'failed'].includes(task.resource.status)", 60, 500, [
          "pm.test('Task completed', () => pm.expect(task.resource.status).to.equal('completed'));",
          "pm.test('Task lists what it wrote', () => pm.expect(task.resource.output.length).to.be.above(1));"])],
    }),
    req('Provisional Conditions (the review queue)', 'GET', `Condition?subject=Patient/{{patientId}}&_tag=${TWIN_CS}|provisional`, {
      tests: [status(200), 'const c = pm.response.json().entry.map((e) => e.resource).find((r) => r.code.coding.some((x) => x.code === "363443007"));',
        "pm.test('ovarian cancer found, unconfirmed', () => pm.expect(c.verificationStatus.coding[0].code).to.equal('unconfirmed'));",
        "pm.test('AI-asserted label', () => pm.expect(c.meta.security.map((s) => s.code)).to.include('AIAST'));",
        "const ev = c.extension.find((e) => e.url.endsWith('/nlp-evidence'));",
        `pm.test('grounded in a verbatim quote of the note', () => { const q = ev.extension.find((e) => e.url === 'quote').valueString; pm.expect(q.length).to.be.above(3); pm.expect(${JSON.stringify(NOTE)}).to.include(q); });`,
        save('conditionId', 'c.id'), save('conditionJson', 'JSON.stringify(c)')],
    }),
    req('Provisional Observations', 'GET', `Observation?subject=Patient/{{patientId}}&_tag=${TWIN_CS}|provisional&code=http://loinc.org|10334-1`, {
      tests: [status(200), "pm.test('CA-125 845 U/mL, preliminary', () => { const o = pm.response.json().entry[0].resource; pm.expect(o.valueQuantity.value).to.equal(845); pm.expect(o.status).to.equal('preliminary'); });"],
    }),
    req('A PUT cannot confirm a finding (use $verify)', 'PUT', 'Condition/{{conditionId}}', {
      prerequest: ["const c = JSON.parse(pm.collectionVariables.get('conditionJson')); c.verificationStatus.coding[0].code = 'confirmed'; delete c.meta;",
        "pm.request.body.raw = JSON.stringify(c);"],
      body: {}, tests: [status(422), isOutcome(), "pm.test('says to use $verify', () => pm.expect(pm.response.text()).to.include('$verify'));"],
    }),
    req('$verify: confirm the Condition', 'POST', 'Condition/{{conditionId}}/$verify', {
      body: { resourceType: 'Parameters', parameter: [{ name: 'decision', valueCode: 'confirm' }, { name: 'reviewer', valueReference: { reference: 'Practitioner/{{doctorId}}' } }, { name: 'note', valueString: 'Matches pathology' }] },
      tests: [status(200), "pm.test('decision recorded with a Provenance', () => { const p = pm.response.json().parameter; pm.expect(p.find((x) => x.name === 'decision').valueCode).to.equal('confirm'); pm.expect(p.find((x) => x.name === 'provenance').resource.resourceType).to.equal('Provenance'); });"],
    }),
    req('The Condition is confirmed and verified', 'GET', 'Condition/{{conditionId}}', {
      tests: [status(200), "pm.test('confirmed + verified tag', () => { const c = pm.response.json(); pm.expect(c.verificationStatus.coding[0].code).to.equal('confirmed'); pm.expect(c.meta.tag.map((t) => t.code)).to.include('verified'); });"],
    }),
    req('$review-summary', 'GET', '$review-summary', { tests: [status(200), "pm.test('Parameters', () => pm.expect(pm.response.json().resourceType).to.equal('Parameters'));"] }),
    req('$extract runs again synchronously', 'POST', 'DocumentReference/{{docId}}/$extract', {
      body: { resourceType: 'Parameters' }, tests: [status(200), "pm.test('collection Bundle', () => pm.expect(pm.response.json().type).to.equal('collection'));"],
    }),
    req('$twin: rebuild the Digital Twin now', 'POST', 'Patient/{{patientId}}/$twin', {
      tests: [status(200), "const twin = pm.response.json();", "pm.test('a Composition about the patient', () => { pm.expect(twin.resourceType).to.equal('Composition'); pm.expect(twin.subject.reference).to.equal('Patient/' + pm.collectionVariables.get('patientId')); });",
        "pm.test('lists the confirmed condition', () => pm.expect(JSON.stringify(twin.section)).to.include('Condition/' + pm.collectionVariables.get('conditionId')));",
        save('twinId', 'twin.id')],
    }),
    req('Find the twin with plain search', 'GET', `Composition?subject=Patient/{{patientId}}&type=${TWIN_CS}|digital-twin`, {
      tests: [status(200), "pm.test('exactly the twin', () => pm.expect(pm.response.json().entry.map((e) => e.resource.id)).to.eql([pm.collectionVariables.get('twinId')]));"],
    }),
    req('$document', 'GET', 'Composition/{{twinId}}/$document', {
      tests: [status(200), "pm.test('document Bundle, Composition first', () => { const b = pm.response.json(); pm.expect(b.type).to.equal('document'); pm.expect(b.entry[0].resource.resourceType).to.equal('Composition'); });"],
    }),
    req('Patient $everything', 'GET', 'Patient/{{patientId}}/$everything', {
      tests: [status(200), "pm.test('holds the patient and the note', () => { const t = pm.response.json().entry.map((e) => e.resource.resourceType); pm.expect(t).to.include.members(['Patient', 'DocumentReference', 'Condition']); });"],
    }),
  ],
};
