/** Postman folders for search (parameter types, modifiers, chains, _has, includes, paging, _summary) and Bundles. */
import { type PmFolder, isOutcome, req, save, status } from './postman-dsl';

const LOINC_CA125 = 'http://loinc.org|10334-1';
const ca125 = (value: number, date: string) => ({
  resourceType: 'Observation', status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '10334-1', display: 'Cancer Ag 125 [Units/volume] in Serum or Plasma' }] },
  subject: { reference: 'Patient/{{patientId}}' }, effectiveDateTime: date,
  valueQuantity: { value, unit: 'U/mL', system: 'http://unitsofmeasure.org', code: 'U/mL' },
});
const bundleOf = (type: string, entry: object[]) => ({ resourceType: 'Bundle', type, entry });
// total is optional in a searchset (R4): when the server leaves it out, count the matches of a single page
const total = (n: number) => `pm.test('${n} matches', () => { const b = pm.response.json(); pm.expect(b.total !== undefined ? b.total : (b.entry || []).filter((e) => e.search.mode === 'match').length).to.equal(${n}); });`;
const SUBJECT = 'subject=Patient/{{patientId}}';

export const bundlesFolder: PmFolder = {
  name: '2 Bundles',
  description: 'transaction (urn:uuid references, all or nothing), batch (independent entries), system history.',
  item: [
    req('Transaction: two CA-125 results', 'POST', '', {
      body: bundleOf('transaction', [
        { fullUrl: 'urn:uuid:7d3c2c6e-5a4a-4f44-9a39-1f7c0e6a0001', resource: ca125(35, '2026-01-10'), request: { method: 'POST', url: 'Observation' } },
        { fullUrl: 'urn:uuid:7d3c2c6e-5a4a-4f44-9a39-1f7c0e6a0002', resource: ca125(845, '2026-03-10'), request: { method: 'POST', url: 'Observation' } },
      ]),
      tests: [status(200), "pm.test('transaction-response, both created', () => { const b = pm.response.json(); pm.expect(b.type).to.equal('transaction-response'); pm.expect(b.entry.map((e) => e.response.status.slice(0, 3))).to.eql(['201', '201']); });"],
    }),
    req('Transaction with an invalid entry stores nothing', 'POST', '', {
      body: bundleOf('transaction', [
        { resource: { resourceType: 'Patient', identifier: [{ system: 'urn:postman-tx', value: '{{runId}}' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', gender: 'robot' }, request: { method: 'POST', url: 'Patient' } },
      ]),
      tests: ["pm.test('refused (4xx)', () => pm.expect(pm.response.code).to.be.within(400, 499));", isOutcome()],
    }),
    req('…and nothing of it was stored', 'GET', 'Patient?identifier=urn:postman-tx|{{runId}}&_summary=count', { tests: [status(200), total(0)] }),
    req('Batch: entries succeed or fail on their own', 'POST', '', {
      body: bundleOf('batch', [
        { resource: { resourceType: 'Patient', identifier: [{ system: 'urn:postman-batch', value: '{{runId}}' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', gender: 'robot' }, request: { method: 'POST', url: 'Patient' } },
      ]),
      tests: [status(200), "pm.test('201 then 4xx', () => { const s = pm.response.json().entry.map((e) => e.response.status.slice(0, 1)); pm.expect(s).to.eql(['2', '4']); });"],
    }),
    req('System history', 'GET', '_history?_count=5', {
      tests: [status(200), "pm.test('history Bundle', () => pm.expect(pm.response.json().type).to.equal('history'));"],
    }),
  ],
};

export const searchFolder: PmFolder = {
  name: '3 Search',
  description: 'token, string (:exact, :contains), date, quantity, reference, chains, _has, _include/_revinclude, _sort, paging, _summary, _elements, strict handling.',
  item: [
    req('token: identifier', 'GET', 'Patient?identifier=urn:postman|{{runId}}', { tests: [status(200), total(1)] }),
    req('string :exact and :contains', 'GET', 'Patient?identifier=urn:postman|{{runId}}&family:exact=Lovelace&name:contains=ovel', { tests: [status(200), total(1)] }),
    req('reference + _sort=-date', 'GET', `Observation?${SUBJECT}&_sort=-date`, {
      tests: [status(200), total(2), "pm.test('newest first', () => pm.expect(pm.response.json().entry.map((e) => e.resource.valueQuantity.value)).to.eql([845, 35]));"],
    }),
    req('quantity: value-quantity=gt100', 'GET', `Observation?${SUBJECT}&code=${LOINC_CA125}&value-quantity=gt100`, { tests: [status(200), total(1)] }),
    req('date: ge', 'GET', `Observation?${SUBJECT}&date=ge2026-03-01`, { tests: [status(200), total(1)] }),
    req('chain: subject.identifier', 'GET', 'Observation?subject.identifier=urn:postman|{{runId}}', { tests: [status(200), total(2)] }),
    req('reverse chain: _has', 'GET', `Patient?_has:Observation:subject:code=${LOINC_CA125}&identifier=urn:postman|{{runId}}`, { tests: [status(200), total(1)] }),
    req('_include the subject', 'GET', `Observation?${SUBJECT}&_include=Observation:subject`, {
      tests: [status(200), "pm.test('patient included once', () => { const inc = pm.response.json().entry.filter((e) => e.search.mode === 'include'); pm.expect(inc.map((e) => e.resource.resourceType)).to.eql(['Patient']); });"],
    }),
    req('_revinclude the observations', 'GET', 'Patient?_id={{patientId}}&_revinclude=Observation:subject', {
      tests: [status(200), "pm.test('1 match + 2 included', () => pm.expect(pm.response.json().entry.length).to.equal(3));"],
    }),
    req('Paging: _count=1', 'GET', `Observation?${SUBJECT}&_count=1`, {
      tests: [status(200), "const next = (pm.response.json().link || []).find((l) => l.relation === 'next');",
        "pm.test('next link', () => pm.expect(next).to.be.an('object'));", save('nextPage', 'next && next.url')],
    }),
    req('Paging: follow next', 'GET', '{{nextPage}}', { tests: [status(200), "pm.test('second page holds 1', () => pm.expect(pm.response.json().entry.length).to.equal(1));"] }),
    req('_summary=count', 'GET', `Observation?${SUBJECT}&_summary=count`, {
      tests: [status(200), total(2), "pm.test('no entries', () => pm.expect(pm.response.json().entry).to.be.undefined);"],
    }),
    req('_elements', 'GET', `Observation?${SUBJECT}&_elements=code`, {
      tests: [status(200), "pm.test('only code (and mandatory)', () => { const r = pm.response.json().entry[0].resource; pm.expect(r.code).to.be.an('object'); pm.expect(r.valueQuantity).to.be.undefined; });"],
    }),
    req('POST _search', 'POST', 'Patient/_search', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'identifier=urn:postman|{{runId}}', tests: [status(200), total(1)],
    }),
    req('Unknown parameter with handling=strict → 400', 'GET', 'Patient?shoe-size=42', { headers: { Prefer: 'handling=strict' }, tests: [status(400), isOutcome()] }),
  ],
};
