/** PHI masking before text leaves the server: same length, identifiers gone, offsets valid in the original note. */
import { readFileSync } from 'node:fs';
import type { DocumentReference, Patient } from 'fhir/r4';
import { fromRoot } from '../../server/core/paths';
import { createLlmExtractor } from '../../server/nlp/llm/llm-extractor';
import { isLoopbackUrl, MASK_CHAR, maskIdentifiers } from '../../server/nlp/masking';
import { modelFinding, startFakeLlmServer } from '../support/fake-llm-server';
import { rulesResources } from './helpers';

const patient: Patient = {
  resourceType: 'Patient',
  name: [{ given: ['Johanna', 'Maria'], family: 'Müller-Lüdenscheidt' }],
  identifier: [{ system: 'urn:oid:1.2.276.0.76.4.8', value: 'KH-2026-004711' }],
  birthDate: '1961-03-14',
  address: [{ line: ['Lindenstraße 12'], city: 'Heidelberg', postalCode: '69117' }],
  telecom: [{ system: 'phone', value: '+49 6221 123456' }, { system: 'email', value: 'j.mueller@example.org' }],
};

const note = [
  'Patientin: Johanna Maria Müller-Lüdenscheidt, geb. 14.03.1961, Fall-Nr. KH-2026-004711',
  'Anschrift: Lindenstraße 12, 69117 Heidelberg, Tel. 06221 123456, j.mueller@example.org',
  'Diagnose: High-grade serous ovarian carcinoma, FIGO IIIC, ED 03/2026. CA-125 845 U/mL on 14.03.2026.',
  'Frau Müller was seen with her daughter. Hb 10.2 g/dL, 2 cycles so far.',
].join('\n');

const PHI = ['Johanna', 'Maria', 'Müller', 'Lüdenscheidt', '14.03.1961', 'KH-2026-004711', 'Lindenstraße 12', '69117', 'Heidelberg', '06221 123456', 'j.mueller@example.org'];

describe('maskIdentifiers', () => {
  it('keeps the length and every offset, and masks only identifying spans', () => {
    const { text, masked } = maskIdentifiers(note, patient);
    expect(text).toHaveLength(note.length);
    expect(masked).toBeGreaterThan(5);
    for (const phi of PHI) expect(text).not.toContain(phi);
    for (let i = 0; i < note.length; i++) {
      if (text[i] !== note[i]) expect(text[i]).toBe(MASK_CHAR);
      if (/\s/.test(note[i])) expect(text[i]).toBe(note[i]);
    }
    // clinical content survives: a finding quoted in the masked text is the same text in the original
    for (const clinical of ['High-grade serous ovarian carcinoma', 'FIGO IIIC', 'CA-125 845 U/mL on 14.03.2026', 'Hb 10.2 g/dL', '2 cycles']) {
      const at = text.indexOf(clinical);
      expect(at).toBeGreaterThan(0);
      expect(note.slice(at, at + clinical.length)).toBe(clinical);
    }
  });

  it('masks identifier-shaped text without a Patient resource', () => {
    const text = 'DOB: 03/14/1961. MRN: 00482913, SSN 123-45-6789, call (555) 123-4567 or +1 617 555 0199, mail jd@host.example. '
      + 'Born in 1961. Mrs. Jane Doe, Pat.-ID A-99812. Patient: Rosa Roe. Case id 3fa85f64-5717-4562-b3fc-2c963f66afa6. CA-125 1,612 U/mL on 03/10/2026, platelets 188.000/µl.';
    const out = maskIdentifiers(text).text;
    for (const phi of ['03/14/1961', '00482913', '123-45-6789', '(555) 123-4567', '+1 617 555 0199', 'jd@host.example', '1961', 'Jane Doe', 'A-99812', 'Rosa Roe', '3fa85f64']) {
      expect(out).not.toContain(phi);
    }
    for (const kept of ['CA-125 1,612 U/mL on 03/10/2026', 'platelets 188.000/µl', 'Born in', '█. Patient: ', '█. Case id']) expect(out).toContain(kept);
  });

  it('matches names case-insensitively and as whole words only', () => {
    const p: Patient = { resourceType: 'Patient', name: [{ given: ['Ann'], family: 'Lee' }] };
    const out = maskIdentifiers('ANN LEE, planned annual sleep study; Ann reports nausea.', p).text;
    expect(out).toBe('███ ███, planned annual sleep study; ███ reports nausea.');
  });

  it('leaves text without identifiers unchanged', () => {
    const text = 'No ascites. CA-125 845 U/mL (10 Mar 2026). ECOG 1.';
    expect(maskIdentifiers(text, patient)).toEqual({ text, masked: 0 });
  });

  it('keeps astral characters the same UTF-16 length', () => {
    const out = maskIdentifiers('Johanna 𝒥 Müller', patient).text;
    expect(out.length).toBe('Johanna 𝒥 Müller'.length);
  });

  it('masks a Synthea patient in her own note', () => {
    const dir = fromRoot('..', 'shared', 'data', 'synthea-ndjson-notes');
    const first = <T>(file: string): T => JSON.parse(readFileSync(`${dir}/${file}`, 'utf8').split('\n')[0]) as T;
    const doc = first<DocumentReference>('DocumentReference.000.ndjson');
    const p = readFileSync(`${dir}/Patient.000.ndjson`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Patient)
      .find((x) => doc.subject?.reference === `Patient/${x.id}`)!;
    const text = Buffer.from(doc.content[0].attachment.data!, 'base64').toString('utf8');
    const names = [...p.name![0].given!, p.name![0].family!];
    expect(names.some((n) => text.includes(n))).toBe(true);
    const out = maskIdentifiers(text, p).text;
    expect(out).toHaveLength(text.length);
    for (const n of names) expect(out).not.toContain(n);
  });
});

describe('isLoopbackUrl', () => {
  it.each([
    ['http://127.0.0.1:8000/v1', true], ['http://127.8.9.10/v1', true], ['http://localhost:11434/v1', true], ['http://[::1]:8080/v1', true],
    ['http://api.localhost/v1', true], ['http://[::ffff:127.0.0.1]/v1', true],
    ['http://10.0.0.5:8000/v1', false], ['https://llm.hospital.internal/v1', false], ['http://127.0.0.1.nip.io/v1', false],
    ['http://[::2]/v1', false], ['not a url', false],
  ])('%s → %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });
});

describe('masked text sent to the LLM', () => {
  it('the LLM server never receives the patient identifiers, and findings point into the original note', async () => {
    const server = await startFakeLlmServer({
      answer: (n) => [
        modelFinding({ concept: 'ovarian_cancer', quote: 'High-grade serous ovarian carcinoma', histology: 'high_grade_serous', figo: 'IIIC' }),
        modelFinding({ concept: 'ca125', quote: 'CA-125 845 U/mL', value: 845, unit: 'U/mL', date: '2026-03-14' }),
      ].filter((f) => n.includes(String(f.quote))),
    });
    try {
      const masked = maskIdentifiers(note, patient);
      const llm = createLlmExtractor({ baseUrl: server.baseUrl, model: 'm', resources: rulesResources() });
      const findings = await llm.extract({ text: masked.text, documentDate: '2026-03-20' });
      const sent = JSON.stringify(server.requests.map((r) => r.body));
      expect(server.requests).toHaveLength(1);
      for (const phi of PHI) expect(sent).not.toContain(JSON.stringify(phi).slice(1, -1));
      expect(findings.map((f) => f.concept).sort()).toEqual(['ca125', 'ovarian_cancer']);
      for (const f of findings) expect(note.slice(f.offset, f.offset + f.length)).toBe(f.quote);
    } finally {
      await server.close();
    }
  });
});
