/**
 * Bulk Data: export the story's cohort (a Group holding the story patient) asynchronously, poll, read the
 * manifest, download one NDJSON file; then cancel a second export. Needs a server whose export worker runs.
 */
import { type PmFolder, req, save, status } from './postman-dsl';

const ASYNC = { Prefer: 'respond-async' };
const TYPES = 'Patient,Condition,Observation';
const pulse = (value: number): string => JSON.stringify({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'urn:postman', code: 'import-{{runId}}' }] },
  subject: { reference: 'Patient/{{patientId}}' }, valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } });
/** Two good lines and one that is not JSON: the import writes the two and reports the third in its error file. */
const IMPORT_NDJSON = [pulse(72), pulse(64), '{not json'].join('\n');

/** Waits before a poll for the server's `Retry-After` (capped: newman should not idle for seconds per poll). */
const waitRetryAfter = [
  'const waitMs = Number(pm.collectionVariables.get("retryAfterMs") || 0);',
  'if (waitMs > 0) setTimeout(() => {}, waitMs); // the sandbox waits for pending timers',
];

/** Repeats the status request while it answers 202 (bounded), remembering `Retry-After`; then runs `tests` on the final answer. */
function pollStatus(max: number, tests: string[]): string[] {
  return [
    'const tries = Number(pm.collectionVariables.get("pollTries") || 0);',
    `if (pm.response.code === 202 && tries < ${max}) {`,
    "  pm.test('202 while running, with X-Progress and Retry-After', () => { pm.response.to.have.header('X-Progress'); pm.response.to.have.header('Retry-After'); });",
    '  pm.collectionVariables.set("pollTries", tries + 1);',
    '  pm.collectionVariables.set("retryAfterMs", Math.min(Number(pm.response.headers.get("Retry-After")) * 1000, 500));',
    '  pm.execution.setNextRequest(pm.info.requestName);',
    '} else {',
    '  pm.collectionVariables.set("pollTries", 0);',
    '  pm.collectionVariables.set("retryAfterMs", 0);',
    ...tests.map((t) => `  ${t}`),
    '}',
  ];
}

const kickOffTests = [status(202),
  "pm.test('Content-Location is the status URL', () => pm.expect(pm.response.headers.get('Content-Location')).to.include('$export-poll-status?_jobId='));"];

export const bulkFolder: PmFolder = {
  name: '6 Bulk Data export and import',
  description: 'Bulk Data Access IG 2.0: Group-level `$export` of the story cohort with `_type`, `Prefer: respond-async`, '
    + 'polling `$export-poll-status` (202 + Retry-After, then 200 with the manifest), NDJSON download, and cancelling with DELETE; '
    + 'then `$import` of NDJSON sent as the request body, polled to its manifest and read back with search.',
  item: [
    req('Create the cohort Group', 'POST', 'Group', {
      description: 'A Group whose member is the story patient: Group-level $export exports the Patient compartments of its active members.',
      body: { resourceType: 'Group', type: 'person', actual: true, name: 'Postman cohort {{runId}}', member: [{ entity: { reference: 'Patient/{{patientId}}' } }] },
      tests: [status(201), save('groupId', 'pm.response.json().id')],
    }),
    req('$export without Prefer: respond-async → 400', 'GET', `Group/{{groupId}}/$export?_type=${TYPES}`, {
      description: 'Kick-off is asynchronous only: without `Prefer: respond-async` the server answers 400 with an OperationOutcome.',
      tests: [status(400), "pm.test('OperationOutcome body', () => pm.expect(pm.response.json().resourceType).to.equal('OperationOutcome'));"],
    }),
    req('Kick off the cohort $export', 'GET', `Group/{{groupId}}/$export?_type=${TYPES}`, {
      description: 'Starts the export job (202). `Content-Location` is the status URL to poll; `_type` limits the exported resource types.',
      headers: ASYNC, tests: [...kickOffTests, save('exportStatusUrl', "pm.response.headers.get('Content-Location')")],
    }),
    req('Poll the export status until complete', 'GET', '{{exportStatusUrl}}', {
      description: 'Answers 202 (X-Progress, Retry-After) while the job runs; this request repeats itself (bounded) until the 200 manifest.',
      headers: { Accept: 'application/json' }, prerequest: waitRetryAfter,
      tests: pollStatus(60, [status(200),
        'const m = pm.response.json();',
        "pm.test('manifest: transactionTime, request, requiresAccessToken', () => { pm.expect(new Date(m.transactionTime).getTime()).to.be.above(0); pm.expect(m.request).to.include('$export'); pm.expect(m.requiresAccessToken).to.be.a('boolean'); pm.expect(m.error).to.eql([]); });",
        `pm.test('output: only the requested types, with urls and counts', () => { m.output.forEach((o) => { pm.expect('${TYPES}'.split(',')).to.include(o.type); pm.expect(o.url).to.include('$export-download'); pm.expect(o.count).to.be.a('number'); }); });`,
        "pm.test('one Patient (the cohort member)', () => pm.expect(m.output.find((o) => o.type === 'Patient').count).to.equal(1));",
        "const cond = m.output.find((o) => o.type === 'Condition');",
        "pm.test('the confirmed Conditions are exported', () => pm.expect(cond.count).to.be.above(0));",
        save('conditionFileUrl', 'cond.url'), save('conditionCount', 'cond.count')]),
    }),
    req('Download the Condition NDJSON', 'GET', '{{conditionFileUrl}}', {
      description: 'An output file from the manifest: `application/fhir+ndjson`, one resource per line.',
      headers: { Accept: 'application/fhir+ndjson' },
      tests: [status(200),
        "pm.test('NDJSON content type', () => pm.expect(pm.response.headers.get('Content-Type')).to.include('ndjson'));",
        "const lines = pm.response.text().split('\\n').filter((l) => l.length > 0);",
        "pm.test('as many lines as the manifest counts', () => pm.expect(lines.length).to.equal(Number(pm.collectionVariables.get('conditionCount'))));",
        "pm.test('every line parses and is a Condition of the story patient', () => lines.forEach((l) => { const r = JSON.parse(l); pm.expect(r.resourceType).to.equal('Condition'); pm.expect(r.subject.reference).to.equal('Patient/' + pm.collectionVariables.get('patientId')); }));"],
    }),
    req('Kick off a second $export to cancel', 'GET', 'Patient/$export?_type=Patient&patient=Patient/{{patientId}}', {
      description: 'A Patient-level export narrowed to the story patient; the next request cancels it.',
      headers: ASYNC, tests: [...kickOffTests, save('cancelStatusUrl', "pm.response.headers.get('Content-Location')")],
    }),
    req('Cancel it with DELETE → 202', 'DELETE', '{{cancelStatusUrl}}', {
      description: 'DELETE on the status URL cancels a running export (or releases a finished one): 202, the job and its files are gone.',
      tests: [status(202), "pm.test('OperationOutcome says cancelled', () => { const o = pm.response.json(); pm.expect(o.resourceType).to.equal('OperationOutcome'); pm.expect(o.issue[0].diagnostics).to.include('cancelled'); });"],
    }),
    req('The cancelled export is gone → 404', 'GET', '{{cancelStatusUrl}}', {
      description: 'After a cancel the status URL answers 404 with an OperationOutcome.',
      tests: [status(404), "pm.test('OperationOutcome body', () => pm.expect(pm.response.json().resourceType).to.equal('OperationOutcome'));"],
    }),
      ...importItems(),
  ],
};

function importItems(): PmFolder['item'] {
  return [
    req('$import NDJSON from the request body', 'POST', '$import?type=Observation', {
      description: 'Streams the NDJSON body (`Content-Type: application/fhir+ndjson`, every line an Observation) into an import job: 202 and the status URL.',
      headers: { ...ASYNC, 'Content-Type': 'application/fhir+ndjson' }, body: IMPORT_NDJSON,
      tests: [status(202), "pm.test('Content-Location is the import status URL', () => pm.expect(pm.response.headers.get('Content-Location')).to.include('$import-status/'));",
        save('importStatusUrl', "pm.response.headers.get('Content-Location')")],
    }),
    req('Poll the import status until complete', 'GET', '{{importStatusUrl}}', {
      description: 'Like the export status: 202 (X-Progress, Retry-After) while running, then 200 with counts per type and an error file for refused lines.',
      headers: { Accept: 'application/json' }, prerequest: waitRetryAfter,
      tests: pollStatus(60, [status(200), 'const m = pm.response.json();',
        "pm.test('manifest: transactionTime and two Observations written', () => { pm.expect(new Date(m.transactionTime).getTime()).to.be.above(0); pm.expect(m.output).to.eql([{ type: 'Observation', count: 2 }]); });",
        "pm.test('the line that is not JSON is reported in the error file', () => { pm.expect(m.error.length).to.equal(1); pm.expect(m.error[0].count).to.equal(1); pm.expect(m.error[0].url).to.include('error.ndjson'); });"]),
    }),
    req('Read back the imported Observations', 'GET', 'Observation?code=urn:postman|import-{{runId}}&_sort=value-quantity', {
      description: 'The imported lines are ordinary resources: found by search, with server-assigned ids, about the story patient.',
      tests: [status(200), "const obs = (pm.response.json().entry || []).map((e) => e.resource);",
        "pm.test('both imported pulses, about the story patient', () => { pm.expect(obs.map((o) => o.valueQuantity.value)).to.eql([64, 72]); obs.forEach((o) => pm.expect(o.subject.reference).to.equal('Patient/' + pm.collectionVariables.get('patientId'))); });"],
    }),
  ];
}
