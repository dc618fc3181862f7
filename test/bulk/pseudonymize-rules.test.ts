/**
 * The rule engine on hand-made resources: NLP evidence, dropped documents, every reference form,
 * contained resources, Bundles, each action, FHIRPath rules; and the notes corpus (1,215 base64 notes).
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Bundle, Condition, DocumentReference, Observation, Patient, Resource } from 'fhir/r4';
import { fromRoot } from '../../server/core/paths';
import { NLP_EVIDENCE_URL } from '../../server/core/canonical-urls';
import { parsePseudonymizationProfile } from '../../server/bulk/pseudonymize';
import { BASE, KEY_A, type Json, gdpr, model, pseudonymizer, referencesOf } from './pseudonymize-helpers';

const ps = pseudonymizer();
const MASKED = { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' };
const QUOTE = 'Patient Anna Smith reports chest pain since Tuesday';

function finding(): Condition {
  return {
    resourceType: 'Condition', id: 'f1', subject: { reference: 'Patient/p1', display: 'Anna Smith' },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '29857009', display: 'Chest pain' }] },
    recordedDate: '2024-03-05',
    evidence: [{ detail: [{ reference: 'DocumentReference/d1' }] }],
    note: [{ text: 'discussed with daughter Mary' }],
    extension: [{
      url: NLP_EVIDENCE_URL,
      extension: [
        { url: 'quote', valueString: QUOTE }, { url: 'offset', valueInteger: 120 }, { url: 'length', valueInteger: QUOTE.length },
        { url: 'extractor', valueString: 'rules/1.0' }, { url: 'confidence', valueDecimal: 0.9 }, { url: 'document', valueReference: { reference: 'DocumentReference/d1' } },
      ],
    }],
  };
}

describe('pseudonymize rules', () => {
  test('NLP evidence: the quote goes and the document link is masked, offset/length/extractor/confidence stay; the note and displays go', () => {
    const out = ps.apply(finding()) as Condition;
    const ev = out.extension?.find((e) => e.url === NLP_EVIDENCE_URL);
    expect(ev?.extension?.map((e) => e.url)).toEqual(['offset', 'length', 'extractor', 'confidence', 'document']);
    expect(ev?.extension?.[4].valueReference).toEqual({ extension: [MASKED] });
    expect(JSON.stringify(out)).not.toMatch(/Anna|Smith|chest pain since|Mary|DocumentReference/);
    expect(out.evidence).toEqual([{ detail: [{ extension: [MASKED] }] }]); // it pointed at a dropped document
    expect(out.note).toBeUndefined();
    expect(out.code?.coding?.[0].code).toBe('29857009');
    expect(out.subject?.reference).toBe(`Patient/${(ps.apply({ resourceType: 'Patient', id: 'p1' } as Patient) as Patient).id}`);
  });

  test('DocumentReference and Binary are dropped; a profile that keeps documents still drops their content', () => {
    const doc: DocumentReference = {
      resourceType: 'DocumentReference', id: 'd1', status: 'current', subject: { reference: 'Patient/p1' }, description: 'Letter about Anna',
      content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(QUOTE).toString('base64'), url: 'Binary/b1' } }],
    };
    expect(ps.apply(doc)).toBeUndefined();
    expect(ps.apply({ resourceType: 'Binary', id: 'b1', contentType: 'text/plain' } as Resource)).toBeUndefined();
    const keeping = pseudonymizer(KEY_A, { ...gdpr(), name: 'keep-docs', dropResourceTypes: [] });
    const out = keeping.apply(doc) as DocumentReference;
    expect(out.id).toMatch(/^[0-9a-f]{40}$/);
    expect(JSON.stringify(out)).not.toMatch(/Anna|UGF0aWVudC|Binary/);
  });

  test('every reference form: relative, versioned, absolute on this server, urn, contained, conditional, external, dropped type', () => {
    const id = (type: string, raw: string): string => (ps.apply({ resourceType: type, id: raw } as Resource) as Resource).id ?? '';
    const obs = {
      resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' },
      contained: [{ resourceType: 'Practitioner', id: 'pr', name: [{ family: 'Jones' }] }],
      subject: { reference: `${BASE}/Patient/p1` },
      encounter: { reference: 'Encounter/e1/_history/3' },
      performer: [{ reference: '#pr' }, { reference: 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|999' }, { reference: 'https://other.example/fhir/Practitioner/9' }, { reference: 'urn:uuid:8f1d2c3e-0000-4000-8000-000000000001' }],
      derivedFrom: [{ reference: 'DocumentReference/d1' }, { reference: 'Media/m1' }],
      hasMember: [{ reference: 'Observation/o2' }],
    } as unknown as Observation;
    const out = ps.apply(obs) as Observation;
    expect(out.subject?.reference).toBe(`Patient/${id('Patient', 'p1')}`);
    expect(out.encounter?.reference).toBe(`Encounter/${id('Encounter', 'e1')}`);
    expect(out.performer?.map((p) => p.reference)).toEqual(['#pr', undefined, undefined, expect.stringMatching(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)]);
    expect(out.performer?.[1]).toEqual({ extension: [MASKED] });
    expect(out.derivedFrom).toEqual([{ extension: [MASKED] }, { extension: [MASKED] }]);
    expect(out.hasMember?.[0].reference).toBe(`Observation/${id('Observation', 'o2')}`);
    expect(out.contained?.[0]).toEqual({ resourceType: 'Practitioner', id: 'pr' });
    expect(JSON.stringify(out)).not.toMatch(/other\.example|us-npi|Jones|_history/);
  });

  test('a Bundle keeps urn fullUrls and references to them consistent, entry by entry', () => {
    const bundle = {
      resourceType: 'Bundle', type: 'document', id: 'b1',
      entry: [
        { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Patient', id: 'p9', name: [{ family: 'Doe' }], birthDate: '1970-05-12' } },
        { fullUrl: 'urn:uuid:22222222-2222-4222-8222-222222222222', resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' } } },
        { fullUrl: `${BASE}/Observation/o5`, resource: { resourceType: 'Observation', id: 'o5', status: 'final', code: { text: 'y' } } },
      ],
    } as Bundle;
    const out = ps.apply(bundle) as Bundle;
    const [p, o, abs] = out.entry ?? [];
    expect((o.resource as Observation).subject?.reference).toBe(p.fullUrl);
    expect(p.fullUrl).not.toContain('11111111');
    expect(abs.fullUrl).toBe(`${BASE}/Observation/${abs.resource?.id}`);
    expect(JSON.stringify(out)).not.toMatch(/Doe|1970-05-12/);
  });

  test('each action on its own profile: keep, redact, dateshift, cryptoHash, encrypt, generalize, substitute, and a FHIRPath rule', () => {
    const profile = parsePseudonymizationProfile({
      name: 'actions', dropResourceTypes: [],
      rules: [
        { path: "Patient.name.where(use='official').family", action: 'cryptoHash' },
        { path: "Patient.name.where(use='nickname')", action: 'substitute', value: 'REDACTED' },
        { path: 'Patient.name.given', action: 'encrypt' },
        { path: 'Patient.birthDate', action: 'generalize', datePrecision: 'year' },
        { path: 'Patient.address.postalCode', action: 'generalize', keepPrefix: 2 },
        { path: 'Patient.multipleBirth', action: 'generalize', roundTo: 2 },
        { path: "Patient.telecom.where(system = 'email' and value.contains('@')).value", action: 'redact' },
        { path: 'Patient.telecom', action: 'keep' },
        { path: 'Patient.deceased', action: 'dateshift' },
      ],
    }, model);
    const p = pseudonymizer(KEY_A, profile);
    const out = p.apply({
      resourceType: 'Patient', id: 'p1', birthDate: '1980-12-30', deceasedDateTime: '2020-01-01T10:00:00Z', multipleBirthInteger: 3,
      name: [{ use: 'official', family: 'Smith', given: ['Anna'] }, { use: 'nickname', family: 'Annie' }],
      address: [{ postalCode: '90210', city: 'Beverly Hills' }],
      telecom: [{ system: 'email', value: 'anna@example.org' }, { system: 'phone', value: '555-0100' }],
    } as Patient) as Patient & Json;
    expect(out.name?.[0].family).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(out.name?.[0].given?.[0] ?? '', 'base64').length).toBeGreaterThan(28);
    expect(out.name?.[1]).toEqual({ use: 'REDACTED', family: 'REDACTED' });
    expect(out.birthDate).toMatch(/^19(80|81)$/);
    expect(out.address).toEqual([{ postalCode: '90', city: 'Beverly Hills' }]);
    expect(out.multipleBirthInteger).toBe(2);
    expect(out.telecom).toEqual([{ system: 'email' }, { system: 'phone', value: '555-0100' }]);
    expect(out.deceasedDateTime).not.toBe('2020-01-01T10:00:00Z');
    expect(out.deceasedDateTime).toMatch(/T10:00:00Z$/);
  });

  test('the notes corpus: 1,215 DocumentReferences with base64 notes all dropped; nothing else carries note data', () => {
    const dir = fromRoot('..', 'shared', 'data', 'synthea-ndjson-notes');
    const resources = readdirSync(dir).filter((f) => f.endsWith('.ndjson'))
      .flatMap((f) => readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Resource));
    const docs = resources.filter((r) => r.resourceType === 'DocumentReference') as DocumentReference[];
    expect(docs.length).toBe(1215);
    const out = resources.map((r) => ps.apply(r)).filter((r): r is Resource => r !== undefined);
    expect(out.length).toBe(resources.length - docs.length);
    const text = out.map((r) => JSON.stringify(r)).join('\n');
    for (const d of docs.slice(0, 200)) expect(text.includes(d.content[0].attachment.data?.slice(0, 40) ?? '<none>')).toBe(false);
    // conditional references (they carry NPIs) are gone; what is left resolves or is local
    expect(out.flatMap(referencesOf).filter((r) => r.includes('?'))).toEqual([]);
  });
});
