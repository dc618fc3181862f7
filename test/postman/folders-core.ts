/** Postman folders for the FHIR core: capabilities, CRUD and versions, conditional interactions, errors. */
import { type PmFolder, isOutcome, req, save, status } from './postman-dsl';

const patient = (family: string, extra: object = {}) => ({
  resourceType: 'Patient', identifier: [{ system: 'urn:postman', value: '{{runId}}' }], name: [{ family, given: ['Ada'] }], gender: 'female', ...extra,
});

export const serverFolder: PmFolder = {
  name: '0 Server',
  description: 'What the server supports (CapabilityStatement), content negotiation. Run this folder first: it sets runId, which keeps repeated runs apart.',
  item: [
    req('CapabilityStatement', 'GET', 'metadata', {
      prerequest: [save('runId', "Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36)")],
      tests: [status(200),
        "const cs = pm.response.json();",
        "pm.test('FHIR R4', () => pm.expect(cs.fhirVersion).to.equal('4.0.1'));",
        "pm.test('lists Patient with read/search', () => { const p = cs.rest[0].resource.find((r) => r.type === 'Patient'); pm.expect(p.interaction.map((i) => i.code)).to.include.members(['read', 'search-type', 'create', 'update', 'delete']); });",
        "pm.test('lists $verify', () => pm.expect(JSON.stringify(cs.rest[0])).to.include('verify'));"],
    }),
    req('Unsupported Accept → 406', 'GET', 'metadata', { headers: { Accept: 'application/pdf' }, tests: [status(406)] }),
  ],
};

export const crudFolder: PmFolder = {
  name: '1 CRUD and versions',
  description: 'create, read, update (If-Match), patch, vread, history, conditional create/update, Prefer, delete.',
  item: [
    req('Create Patient', 'POST', 'Patient', {
      body: patient('Lovelace'),
      tests: [status(201),
        "pm.test('Location and ETag', () => { pm.response.to.have.header('Location'); pm.expect(pm.response.headers.get('ETag')).to.equal('W/\"1\"'); });",
        save('patientId', 'pm.response.json().id')],
    }),
    req('Read Patient', 'GET', 'Patient/{{patientId}}', {
      tests: [status(200), "pm.test('same patient', () => pm.expect(pm.response.json().name[0].family).to.equal('Lovelace'));",
        "pm.test('Last-Modified', () => pm.response.to.have.header('Last-Modified'));"],
    }),
    req('Update Patient with If-Match', 'PUT', 'Patient/{{patientId}}', {
      headers: { 'If-Match': 'W/"1"' }, body: { ...patient('Lovelace', { birthDate: '1815-12-10' }), id: '{{patientId}}' },
      tests: [status(200), "pm.test('version 2', () => pm.expect(pm.response.json().meta.versionId).to.equal('2'));"],
    }),
    req('Stale If-Match → 412', 'PUT', 'Patient/{{patientId}}', {
      headers: { 'If-Match': 'W/"1"' }, body: { ...patient('Stale'), id: '{{patientId}}' }, tests: [status(412), isOutcome()],
    }),
    req('JSON Patch', 'PATCH', 'Patient/{{patientId}}', {
      headers: { 'Content-Type': 'application/json-patch+json' }, body: [{ op: 'replace', path: '/gender', value: 'other' }],
      tests: [status(200), "pm.test('patched, version 3', () => { const p = pm.response.json(); pm.expect(p.gender).to.equal('other'); pm.expect(p.meta.versionId).to.equal('3'); });"],
    }),
    req('vread version 1', 'GET', 'Patient/{{patientId}}/_history/1', {
      tests: [status(200), "pm.test('version 1 as it was', () => { const p = pm.response.json(); pm.expect(p.meta.versionId).to.equal('1'); pm.expect(p.birthDate).to.be.undefined; });"],
    }),
    req('Instance history', 'GET', 'Patient/{{patientId}}/_history', {
      tests: [status(200), "pm.test('three versions, newest first', () => { const b = pm.response.json(); pm.expect(b.type).to.equal('history'); pm.expect(b.entry.map((e) => e.resource.meta.versionId)).to.eql(['3', '2', '1']); });"],
    }),
    req('Conditional create finds the existing one', 'POST', 'Patient', {
      headers: { 'If-None-Exist': 'identifier=urn:postman|{{runId}}' }, body: patient('Duplicate'),
      tests: [status(200), "pm.test('no duplicate', () => pm.expect(pm.response.json().id).to.equal(pm.collectionVariables.get('patientId')));"],
    }),
    req('Conditional update', 'PUT', 'Patient?identifier=urn:postman|{{runId}}', {
      body: patient('Lovelace', { birthDate: '1815-12-10', gender: 'female' }),
      tests: [status(200), "pm.test('same id, version 4', () => { const p = pm.response.json(); pm.expect(p.id).to.equal(pm.collectionVariables.get('patientId')); pm.expect(p.meta.versionId).to.equal('4'); });"],
    }),
    req('Create with Prefer: return=minimal', 'POST', 'Patient', {
      headers: { Prefer: 'return=minimal' }, body: patient('Minimal', { identifier: [{ system: 'urn:postman-minimal', value: '{{runId}}' }] }),
      tests: [status(201), "pm.test('no body, Location', () => { pm.expect(pm.response.text()).to.equal(''); pm.response.to.have.header('Location'); });",
        save('minimalLocation', "pm.response.headers.get('Location')")],
    }),
    req('Delete it', 'DELETE', "{{minimalLocation}}", {
      prerequest: ["pm.request.url = pm.collectionVariables.get('minimalLocation').replace(/\\/_history\\/\\d+$/, '');"],
      tests: ["pm.test('deleted', () => pm.expect(pm.response.code).to.be.oneOf([200, 204]));"],
    }),
    req('Read the deleted one → 410', 'GET', '{{minimalLocation}}', {
      prerequest: ["pm.request.url = pm.collectionVariables.get('minimalLocation').replace(/\\/_history\\/\\d+$/, '');"],
      tests: [status(410), isOutcome()],
    }),
    req('Unknown id → 404', 'GET', 'Patient/no-such-id-{{runId}}', { tests: [status(404), isOutcome()] }),
    req('Unknown type → 404', 'GET', 'Spaceship/1', { tests: ["pm.test('4xx', () => pm.expect(pm.response.code).to.be.within(400, 404));", isOutcome()] }),
  ],
};

export const validationFolder: PmFolder = {
  name: '4 Validation and errors',
  description: '$validate, invalid resources (422 with FHIRPath expressions), malformed JSON (400), wrong media type (415).',
  item: [
    req('$validate a valid Patient', 'POST', 'Patient/$validate', {
      body: patient('Valid'), tests: [status(200), isOutcome(), "pm.test('no errors', () => pm.expect(pm.response.json().issue.filter((i) => i.severity === 'error')).to.have.length(0));"],
    }),
    req('$validate an invalid Patient', 'POST', 'Patient/$validate', {
      body: patient('Invalid', { gender: 'robot' }),
      tests: ["pm.test('errors reported', () => { pm.expect(pm.response.code).to.be.oneOf([200, 422]); pm.expect(pm.response.json().issue.some((i) => i.severity === 'error')).to.equal(true); });"],
    }),
    req('Create an invalid Patient → 422', 'POST', 'Patient', {
      body: patient('Invalid', { gender: 'robot' }),
      tests: [status(422), isOutcome(), "pm.test('names the element', () => pm.expect(JSON.stringify(pm.response.json().issue)).to.include('gender'));"],
    }),
    req('Malformed JSON → 400', 'POST', 'Patient', { body: '{"resourceType": "Patient",', tests: [status(400), isOutcome()] }),
    req('Wrong media type → 415', 'POST', 'Patient', { headers: { 'Content-Type': 'text/plain' }, body: 'hello', tests: [status(415), isOutcome()] }),
  ],
};
