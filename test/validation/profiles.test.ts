/** Our profiles in profiles/: each one with a conforming and non-conforming resource, and the profile files themselves. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ResourceValidator, createValidator } from '../../server/validation';
import { type StructureDefinitionJson, compileProfile } from '../../server/validation/profile-loader';
import { errorsOf } from './helpers';

const BASE = 'https://twinfhir.org/fhir/StructureDefinition/';
const TWIN_CS = 'https://twinfhir.org/fhir/CodeSystem/twinfhir';
const AIAST = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'AIAST' };
const PROFILES_DIR = path.resolve(__dirname, '../../profiles');

let v: ResourceValidator;
beforeAll(() => {
  v = createValidator();
});

type Json = Record<string, any>; // test fixtures are mutated freely

const clone = <T>(x: T): T => structuredClone(x);

function evidence(): Json {
  return {
    url: `${BASE}nlp-evidence`,
    extension: [
      { url: 'quote', valueString: 'invasive ductal carcinoma' },
      { url: 'offset', valueInteger: 120 },
      { url: 'length', valueInteger: 25 },
      { url: 'extractor', valueString: 'rules/0.1.0' },
      { url: 'confidence', valueDecimal: 0.92 },
      { url: 'document', valueReference: { reference: 'DocumentReference/note-1' } },
    ],
  };
}

function nlpCondition(): Json {
  return {
    resourceType: 'Condition',
    id: 'c1',
    meta: { profile: [`${BASE}nlp-condition`], tag: [{ system: TWIN_CS, code: 'provisional' }], security: [AIAST] },
    extension: [evidence()],
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'unconfirmed' }] },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '408643008', display: 'Infiltrating duct carcinoma of breast' }] },
    subject: { reference: 'Patient/p1' },
    evidence: [{ detail: [{ reference: 'DocumentReference/note-1' }] }],
  };
}

function nlpObservation(): Json {
  return {
    resourceType: 'Observation',
    meta: { profile: [`${BASE}nlp-observation`], tag: [{ system: TWIN_CS, code: 'provisional' }], security: [AIAST] },
    extension: [evidence()],
    status: 'preliminary',
    code: { coding: [{ system: 'http://loinc.org', code: '2039-6', display: 'Carcinoembryonic Ag' }] },
    subject: { reference: 'Patient/p1' },
    valueQuantity: { value: 7.2, unit: 'ng/mL', system: 'http://unitsofmeasure.org', code: 'ng/mL' },
    derivedFrom: [{ reference: 'DocumentReference/note-1' }],
  };
}

function digitalTwin(): Json {
  const section = (code: string, title: string): Json => ({
    title,
    code: { coding: [{ system: TWIN_CS, code }] },
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${title}</p></div>` },
    entry: [{ reference: 'Condition/c1' }],
  });
  return {
    resourceType: 'Composition',
    meta: { profile: [`${BASE}digital-twin`] },
    status: 'preliminary',
    type: {
      coding: [
        { system: TWIN_CS, code: 'digital-twin' },
        { system: 'http://loinc.org', code: '60591-5', display: 'Patient summary Document' },
      ],
    },
    subject: { reference: 'Patient/p1' },
    date: '2025-01-02T10:00:00Z',
    author: [{ reference: 'Device/twin-builder' }],
    title: 'Digital Twin',
    section: [section('verified-conditions', 'Verified conditions'), section('provisional-findings', 'Provisional findings')],
  };
}

/** Error issues as "expression :: diagnostics" lines for readable assertions. */
const errors = (r: unknown, profiles?: string[]): string[] =>
  errorsOf(v.validate(r, profiles ? { profiles } : undefined)).map((i) => `${i.expression?.[0]} :: ${i.diagnostics}`);

describe('profile files', () => {
  it('are loaded and listed by canonical', () => {
    expect(v.profileUrls().sort()).toEqual(['digital-twin', 'nlp-condition', 'nlp-evidence', 'nlp-observation'].map((n) => BASE + n));
  });

  it.each(readdirSync(PROFILES_DIR).filter((f) => f.endsWith('.json')))('%s is itself a valid R4 resource', (file) => {
    expect(v.validate(JSON.parse(readFileSync(path.join(PROFILES_DIR, file), 'utf8')))).toEqual([]);
  });

  it('authoring mistakes fail at start-up, not at request time', () => {
    const sd = (element: Json): Json => ({ resourceType: 'StructureDefinition', url: 'http://x.org/p', name: 'P', type: 'Patient', kind: 'resource', differential: { element: [element] } });
    const badPath = sd({ id: 'Patient', path: 'Patient', constraint: [{ key: 'x-1', severity: 'error', human: 'x', expression: 'name.where(' }] });
    expect(() => compileProfile(badPath as StructureDefinitionJson)).toThrow(/x-1 does not compile/);
    const noDiscriminator = sd({ id: 'Patient.name:official', path: 'Patient.name', sliceName: 'official', min: 1 });
    expect(() => compileProfile(noDiscriminator as StructureDefinitionJson)).toThrow(/no fixed\/pattern value/);
  });

  it('a missing profiles directory is a start-up error', () => {
    expect(() => createValidator({ profilesDir: path.join(PROFILES_DIR, 'nope') })).toThrow(/Profiles directory not found/);
  });
});

describe('nlp-condition', () => {
  it('accepts a provisional NLP condition, and its reviewed forms', () => {
    expect(v.validate(nlpCondition())).toEqual([]);
    const confirmed = nlpCondition();
    confirmed.meta.tag[0].code = 'verified';
    confirmed.verificationStatus.coding[0].code = 'confirmed';
    expect(v.validate(confirmed)).toEqual([]);
  });

  it('enforces the provisional state, the AIAST label, evidence and subject', () => {
    const c = nlpCondition();
    c.verificationStatus.coding[0].code = 'confirmed';
    c.meta.security = [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }];
    c.subject.reference = 'Group/g1';
    c.evidence[0].detail[0].reference = 'Observation/o1';
    c.extension = [];
    expect(errors(c)).toEqual([
      'Condition.extension :: Empty array is not allowed: omit the element instead',
      `Condition :: nlpc-2: while tagged provisional, verificationStatus SHALL be unconfirmed (profile ${BASE}nlp-condition)`,
      `Condition.meta.security :: Condition.meta.security:aiast: minimum required = 1, but found 0 (profile ${BASE}nlp-condition)`,
      `Condition.extension :: Condition.extension: minimum required = 1, but found 0 (profile ${BASE}nlp-condition)`,
      `Condition.extension :: Condition.extension:nlpEvidence: minimum required = 1, but found 0 (profile ${BASE}nlp-condition)`,
      `Condition.subject :: Condition.subject: must reference Patient, not 'Group/g1' (profile ${BASE}nlp-condition)`,
      `Condition.evidence[0].detail[0] :: Condition.evidence.detail: must reference DocumentReference, not 'Observation/o1' (profile ${BASE}nlp-condition)`,
    ]);
  });

  it('needs exactly one review-state tag and a coded code', () => {
    const c = nlpCondition();
    c.meta.tag.push({ system: TWIN_CS, code: 'verified' });
    delete c.code.coding;
    c.code.text = 'breast cancer';
    const found = errors(c);
    expect(found).toContain(`Condition :: nlpc-1: exactly one review-state tag (provisional, verified or refuted) from ${TWIN_CS} (profile ${BASE}nlp-condition)`);
    expect(found).toContain(`Condition.code.coding :: Condition.code.coding: minimum required = 1, but found 0 (profile ${BASE}nlp-condition)`);
    expect(found).toContain(`Condition.meta.tag :: Condition.meta.tag:reviewState: maximum allowed = 1, but found 2 (profile ${BASE}nlp-condition)`);
  });

  it('is checked when asked for through opts.profiles, and only for Conditions', () => {
    const c = nlpCondition();
    delete c.meta.profile;
    c.meta.security = [];
    expect(errors(c)).toEqual(['Condition.meta.security :: Empty array is not allowed: omit the element instead']);
    expect(errors(c, [`${BASE}nlp-condition|0.1.0`]).length).toBeGreaterThan(1);
    expect(errors(nlpObservation(), [`${BASE}nlp-condition`])).toEqual([
      `Observation :: Profile ${BASE}nlp-condition applies to Condition, not Observation`,
    ]);
  });

  it('ignores profiles from other IGs and warns about unknown requested ones', () => {
    const c = nlpCondition();
    c.meta.profile.push('http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition');
    expect(v.validate(c)).toEqual([]);
    const issues = v.validate(nlpCondition(), { profiles: ['http://example.org/unknown'] });
    expect(issues.map((i) => i.severity)).toEqual(['warning']);
  });
});

describe('nlp-evidence', () => {
  it('checks every nlp-evidence extension, with or without a declared profile', () => {
    const p: Json = { resourceType: 'Patient', extension: [evidence()] };
    expect(v.validate(p)).toEqual([]);
    const ext = evidence();
    ext.extension[4].valueDecimal = 1.5; // confidence out of range
    ext.extension[0] = { url: 'quote', valueInteger: 3 }; // wrong type
    ext.extension.push({ url: 'mood', valueString: 'x' }); // closed slicing
    ext.extension.splice(3, 1); // no extractor
    p.extension = [ext];
    const at = `(profile ${BASE}nlp-evidence)`;
    expect(errors(p)).toEqual([
      `Patient.extension[0] :: nlpe-1: confidence SHALL be between 0 and 1 ${at}`,
      `Patient.extension[0].extension[5] :: Extension.extension: item does not match any slice and slicing is closed ${at}`,
      `Patient.extension[0].extension[0].value.ofType(integer) :: Extension.extension:quote.value[x]: type must be string (found valueInteger) ${at}`,
      `Patient.extension[0].extension :: Extension.extension:extractor: minimum required = 1, but found 0 ${at}`,
    ]);
  });

  it('warns when length and quote disagree', () => {
    const ext = evidence();
    ext.extension[2].valueInteger = 3;
    const issues = v.validate({ resourceType: 'Patient', extension: [ext] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: 'warning', code: 'invariant' });
    expect(issues[0].diagnostics).toMatch(/^nlpe-3/);
  });
});

describe('nlp-observation', () => {
  it('accepts a provisional LOINC-coded observation', () => {
    expect(v.validate(nlpObservation())).toEqual([]);
  });

  it('enforces preliminary status, a LOINC (or SNOMED CT) coding and derivedFrom', () => {
    const o = nlpObservation();
    o.status = 'final';
    o.code.coding[0].system = 'http://example.org/local-codes';
    delete o.derivedFrom;
    const at = `(profile ${BASE}nlp-observation)`;
    expect(errors(o)).toEqual([
      `Observation :: nlpo-2: while tagged provisional, status SHALL be preliminary ${at}`,
      `Observation :: nlpo-5: the code carries a LOINC or, where LOINC has none (e.g. FIGO stage), a SNOMED CT coding ${at}`,
      `Observation.derivedFrom :: Observation.derivedFrom: minimum required = 1, but found 0 ${at}`,
    ]);
  });

  it('accepts a SNOMED CT code where LOINC has none (FIGO stage)', () => {
    const o = nlpObservation();
    o.code.coding = [{ system: 'http://snomed.info/sct', code: '385361009', display: 'International Federation of Gynecology and Obstetrics stage' }];
    expect(errors(o)).toEqual([]);
  });

  it('a refuted observation is entered-in-error', () => {
    const o = nlpObservation();
    o.meta.tag[0].code = 'refuted';
    expect(errors(o)).toEqual([`Observation :: nlpo-4: when tagged refuted, status SHALL be entered-in-error (profile ${BASE}nlp-observation)`]);
    o.status = 'entered-in-error';
    expect(v.validate(o)).toEqual([]);
  });
});

describe('digital-twin', () => {
  it('accepts a twin Composition', () => {
    expect(v.validate(digitalTwin())).toEqual([]);
  });

  it('enforces the type codings, a Patient subject, section code and generated narrative', () => {
    const t = digitalTwin();
    t.type.coding.pop();
    t.subject.reference = 'Group/g1';
    t.status = 'amended';
    t.section[0].text.status = 'additional';
    delete t.section[1].code;
    const found = errors(clone(t));
    const at = `(profile ${BASE}digital-twin)`;
    expect(found).toEqual([
      `Composition :: dt-1: status SHALL be preliminary or final ${at}`,
      expect.stringMatching(/^Composition.type :: Composition.type: value .* does not match patternCodeableConcept/),
      `Composition.subject :: Composition.subject: must reference Patient, not 'Group/g1' ${at}`,
      `Composition.section[1].code :: Composition.section.code: minimum required = 1, but found 0 ${at}`,
      expect.stringMatching(/^Composition.section\[0\].text.status :: Composition.section.text.status: value additional does not match fixedCode/),
    ]);
  });

  it('section codes are unique and empty sections say why', () => {
    const t = digitalTwin();
    t.section[1].code = clone(t.section[0].code);
    delete t.section[1].entry;
    const found = errors(t);
    expect(found).toContain(`Composition :: dt-2: section codes SHALL be unique (profile ${BASE}digital-twin)`);
    expect(found).toContain(`Composition.section[1] :: dt-3: a section SHALL have entries, sub-sections or an emptyReason (profile ${BASE}digital-twin)`);
  });
});
