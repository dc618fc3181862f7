/** Pure parts of the twin: ids, narrative escaping, assembly rules, codes agreeing with the NLP concept list, the profile's dt-4. */
import { readFileSync } from 'node:fs';
import type { Observation, Patient } from 'fhir/r4';
import { fromRoot } from '../../server/core/paths';
import { assembleTwin } from '../../server/twin/assemble';
import { ECOG, GENOMICS_CODES, TUMOR_MARKERS } from '../../server/twin/codes';
import { builderReference } from '../../server/twin/device';
import { esc, table } from '../../server/twin/narrative';
import type { PatientData } from '../../server/twin/patient-data';
import { twinIdFor } from '../../server/twin/twin-id';
import { createValidator } from '../../server/validation';
import { type Json, TWIN_CS, labCa125, provisionalCa125 } from './helpers';

const patient: Patient & { id: string } = { resourceType: 'Patient', id: 'p1', name: [{ given: ['Ada'], family: 'Lovelace <&>' }] };
const data = (observations: Json[]): PatientData => ({
  patient, conditions: [], observations: observations as Observation[], medicationRequests: [], medicationStatements: [], procedures: [],
  documents: [], immunizations: [], allergies: [], medications: new Map(),
});
const build = (observations: Json[]) => assembleTwin(data(observations), { now: new Date('2026-01-01T00:00:00Z'), author: builderReference() });

describe('twin ids', () => {
  test('twin-{patient id} when it fits, a deterministic hash otherwise', () => {
    expect(twinIdFor('abc')).toBe('twin-abc');
    const long = 'x'.repeat(64);
    expect(twinIdFor(long)).toMatch(/^twin\.[0-9a-f]{40}$/);
    expect(twinIdFor(long)).toBe(twinIdFor(long));
    expect(twinIdFor(long)).not.toBe(twinIdFor('y'.repeat(64)));
    expect(twinIdFor('y'.repeat(59))).toHaveLength(64);
  });
});

describe('narrative', () => {
  test('escapes text everywhere', () => {
    expect(esc(`<script>"x" & 'y'</script>\u0001`)).toBe('&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;');
    expect(table({ caption: 'a<b', headers: ['h&'], rows: [['<td>']] })).toBe('<table><caption>a&lt;b</caption><thead><tr><th>h&amp;</th></tr></thead><tbody><tr><td>&lt;td&gt;</td></tr></tbody></table>');
  });
});

describe('assembly', () => {
  const validator = createValidator();

  test('same data, same content; final without provisional findings; every section has a code and narrative', () => {
    const a = build([{ ...labCa125('p1', 10, '2026-01-02'), id: 'o1' }]);
    const b = build([{ ...labCa125('p1', 10, '2026-01-02'), id: 'o1' }]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.status).toBe('final');
    expect(a.title).toBe('Digital Twin: Ada Lovelace <&>');
    expect(a.text?.div).toContain('Ada Lovelace &lt;&amp;&gt;');
    expect(a.section?.map((s) => s.code?.coding?.[0].code)).toEqual([
      '11450-4', 'provisional-findings', 'cancer-staging', 'tumor-markers', 'genomics', '47420-5',
      '10160-0', '47519-4', '30954-2', '8716-3', '11369-6', '48765-2', 'source-documents',
    ]);
    expect(validator.validate(a)).toEqual([]);
  });

  test('a provisional finding makes the twin preliminary; the profile rejects a final twin that lists one (dt-4)', () => {
    const twin = build([{ ...provisionalCa125('p1', 'd1'), id: 'o1' }]);
    expect(twin.status).toBe('preliminary');
    const issues = validator.validate({ ...twin, status: 'final' }).map((i) => i.diagnostics);
    expect(issues.some((d) => d.startsWith('dt-4'))).toBe(true);
    const byPerson = validator.validate({ ...twin, author: [{ reference: 'Practitioner/x' }] }).map((i) => i.diagnostics);
    expect(byPerson.some((d) => d.includes('Composition.author: must reference Device'))).toBe(true);
  });

  test('a finding tagged provisional never reaches a verified section, whatever its code', () => {
    const twin = build([{ ...provisionalCa125('p1', 'd1'), id: 'o1', meta: { tag: [{ system: TWIN_CS, code: 'provisional' }] } }]);
    const markers = twin.section?.find((s) => s.code?.coding?.[0].code === 'tumor-markers');
    expect(markers?.entry).toBeUndefined();
  });
});

describe('codes', () => {
  test('tumor markers, genomics and ECOG match the NLP concept list', () => {
    const concepts = JSON.parse(readFileSync(fromRoot('..', 'shared', 'nlp', 'concepts.json'), 'utf8')) as { observations: Record<string, { loinc: string[] }> };
    const o = concepts.observations;
    const marker = (name: string): readonly string[] => TUMOR_MARKERS.find((m) => m.name === name)?.loinc ?? [];
    expect(marker('CA-125')).toEqual(o.ca125.loinc);
    expect(marker('HE4')).toEqual(o.he4.loinc);
    expect(marker('CEA')).toEqual(o.cea.loinc);
    expect(marker('CA 19-9')).toEqual(o.ca19_9.loinc);
    expect(GENOMICS_CODES).toEqual(expect.arrayContaining(o.brca1_variant.loinc));
    expect([ECOG]).toEqual(o.ecog.loinc);
  });
});
