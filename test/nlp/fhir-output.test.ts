/** Findings → provisional FHIR resources: every finding kind built from hand-made findings, validated and checked field by field. */
import type { Condition, DocumentReference, Extension, FamilyMemberHistory, Observation, Resource } from 'fhir/r4';
import type { Finding, FindingAttributes } from '../../server/nlp/finding';
import { buildFindingResources, deviceId, type ExtractionRun, type FindingResources } from '../../server/nlp/fhir';
import { type ResourceValidator, createValidator } from '../../server/validation';
import { rulesResources } from './helpers';

const TWIN = 'https://twinfhir.org/fhir';
const PROVISIONAL = { system: `${TWIN}/CodeSystem/twinfhir`, code: 'provisional' };
const AIAST = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'AIAST' };
const RUN: ExtractionRun = { engine: 'rules', version: '1.0.0', recorded: '2026-03-02T09:30:00Z' };
const DOC: DocumentReference & { id: string } = {
  resourceType: 'DocumentReference', id: 'note-1', meta: { versionId: '3' }, status: 'current', content: [{ attachment: { contentType: 'text/plain' } }],
};
const PATIENT = { reference: 'Patient/p1' };

let v: ResourceValidator;
beforeAll(() => {
  v = createValidator();
});

const coder = () => rulesResources().coder;

let offset = 0;
/** A finding as an engine hands it over: codes from mappings/, a quote at a fresh offset. */
function finding(concept: string, kind: Finding['kind'], extra: Partial<Finding> = {}): Finding {
  const c = coder();
  const attributes: FindingAttributes = extra.attributes ?? {};
  const codes = kind === 'observation' ? c.observationCodes(concept) : c.conditionCodes(concept, attributes.laterality?.key);
  const quote = extra.quote ?? concept.replace(/_/g, ' ');
  const f: Finding = { concept, kind, codes, assertion: 'present', attributes, quote, offset, length: quote.length, confidence: 0.9, engine: 'rules', ...extra };
  offset += quote.length + 10;
  return f;
}

function handMade(): Finding[] {
  const c = coder();
  offset = 0;
  return [
    finding('ovarian_cancer', 'condition', {
      quote: 'high-grade serous carcinoma of the right ovary', date: '2025-11',
      attributes: { histology: c.histology('high_grade_serous'), laterality: c.laterality('right'), figo: c.figo('IIIC') },
    }),
    finding('figo_stage', 'observation', { quote: 'FIGO IIIC', value: 'IIIC', valueCode: c.figoCode('IIIC'), confidence: 0.95 }),
    finding('ca125', 'observation', { quote: 'CA-125 >5000 U/mL', value: 5000, unit: 'U/mL', comparator: '>', normalized: { value: 5000, unit: 'U/mL' }, date: '2026-02-20' }),
    finding('creatinine', 'observation', { quote: 'Kreatinin 112 µmol/l', value: 112, unit: 'umol/L', normalized: { value: 1.266944, unit: 'mg/dL' } }),
    finding('body_weight', 'observation', { quote: 'weight 68 kg', value: 68, unit: 'kg', normalized: { value: 68, unit: 'kg' } }),
    finding('ecog', 'observation', { quote: 'ECOG 1', value: 1 }),
    finding('brca1_variant', 'observation', { quote: 'BRCA1 c.68_69delAG detected', value: 'present', valueCode: c.variantAnswer('present'), attributes: { gene: { key: 'BRCA1' } } }),
    finding('brca2_variant', 'observation', { quote: 'no BRCA2 mutation', value: 'absent', valueCode: c.variantAnswer('absent'), attributes: { gene: { key: 'BRCA2' } } }),
    finding('breast_cancer', 'family', { assertion: 'family', quote: 'breast cancer', attributes: { relationship: c.relationship('MTH') } }),
    finding('ovarian_cancer', 'family', { assertion: 'family', quote: 'ovarian cancer', attributes: { relationship: c.relationship('MTH') } }),
    finding('ovarian_cancer', 'family', { assertion: 'family', quote: 'Ovarialkarzinom', attributes: { relationship: c.relationship('SIS') } }),
    finding('brca1_variant', 'observation', { assertion: 'family', quote: 'sister BRCA1 positive', value: 'present', valueCode: c.variantAnswer('present') }),
    finding('ascites', 'condition', { assertion: 'negated', quote: 'ascites' }),
    finding('neutropenia', 'condition', { assertion: 'hypothetical', quote: 'neutropenia' }),
    finding('lung_metastasis', 'condition', { assertion: 'possible', quote: 'pulmonary metastases', confidence: 0.6 }),
    finding('deep_vein_thrombosis', 'condition', { assertion: 'historical', quote: 'DVT', date: '2019', attributes: { laterality: c.laterality('left') } }),
    // the diagnosis again, in the history section: same fact, one more evidence extension
    finding('ovarian_cancer', 'condition', { quote: 'ovarian cancer', confidence: 0.8 }),
  ];
}

function build(findings: Finding[], dropped: string[] = []): FindingResources {
  let n = 0;
  return buildFindingResources({
    findings, document: DOC, patient: PATIENT, run: RUN, coder: coder(), newId: () => `id-${++n}`, documentDate: '2026-03-01',
    diagnostics: { dropped: (engine, reason, count = 1) => dropped.push(`${engine}:${reason}:${count}`) },
  });
}

const errors = (r: unknown): string[] =>
  v.validate(r).filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.expression?.[0]} :: ${i.diagnostics}`);
const codesOf = (cc: { coding?: Array<{ code?: string }> } | undefined): Array<string | undefined> => (cc?.coding ?? []).map((c) => c.code);
const ofType = <T extends Resource>(out: FindingResources, type: T['resourceType']): T[] => out.resources.filter((r) => r.resourceType === type) as unknown as T[];
const conditionWith = (out: FindingResources, code: string): Condition | undefined => ofType<Condition>(out, 'Condition').find((c) => codesOf(c.code).includes(code));
const observationWith = (out: FindingResources, concept: string): Observation[] =>
  ofType<Observation>(out, 'Observation').filter((o) => o.code.text === coder().display(concept));
const evidence = (r: { extension?: Extension[] }): Array<Record<string, unknown>> =>
  (r.extension ?? []).filter((e) => e.url === `${TWIN}/StructureDefinition/nlp-evidence`)
    .map((e) => Object.fromEntries((e.extension ?? []).map((x) => [x.url, x.valueString ?? x.valueInteger ?? x.valueDecimal ?? x.valueReference?.reference])));

describe('buildFindingResources: hand-made findings of every kind', () => {
  it('builds resources that validate with zero errors against R4 and our profiles (also Provenance and Device)', () => {
    const out = build(handMade());
    for (const r of [...out.resources, out.provenance, out.device]) expect({ type: r.resourceType, errors: errors(r) }).toEqual({ type: r.resourceType, errors: [] });
    expect(out.resources.map((r) => r.resourceType)).toEqual([
      'Condition', 'Condition', 'Condition', 'Observation', 'Observation', 'Observation', 'Observation', 'Observation', 'Observation', 'Observation',
      'FamilyMemberHistory', 'FamilyMemberHistory',
    ]);
  });

  it('marks every finding provisional and AI-asserted, with evidence pointing at the note', () => {
    const out = build(handMade());
    for (const r of out.resources) {
      expect(r.meta?.tag).toEqual([expect.objectContaining(PROVISIONAL)]);
      expect(r.meta?.security).toEqual([expect.objectContaining(AIAST)]);
      expect(evidence(r).length).toBeGreaterThan(0);
      for (const e of evidence(r)) expect(e).toEqual(expect.objectContaining({ extractor: 'rules/1.0.0', document: 'DocumentReference/note-1' }));
    }
    for (const c of ofType<Condition>(out, 'Condition')) {
      expect(codesOf(c.verificationStatus)).toEqual(['unconfirmed']);
      expect(codesOf(c.category?.[0])).toEqual(['problem-list-item']);
      expect(c.evidence).toEqual([{ detail: [{ reference: 'DocumentReference/note-1' }] }]);
      expect(c.subject).toEqual(PATIENT);
      expect(c.recordedDate).toBe(RUN.recorded);
      expect(c.meta?.profile).toEqual([`${TWIN}/StructureDefinition/nlp-condition`]);
    }
    for (const o of ofType<Observation>(out, 'Observation')) {
      expect(o.status).toBe('preliminary');
      expect(o.derivedFrom).toEqual([{ reference: 'DocumentReference/note-1' }]);
      expect(o.issued).toBe(RUN.recorded);
    }
  });

  it('writes the primary cancer with SNOMED + lateral ICD-10-CM, mCODE histology, laterality and FIGO stage', () => {
    const out = build(handMade());
    const c = conditionWith(out, '363443007');
    const figo = observationWith(out, 'figo_stage')[0];
    expect(codesOf(c?.code)).toEqual(['363443007', 'C56.1']);
    expect(c?.clinicalStatus?.coding?.[0].code).toBe('active');
    expect(c?.onsetDateTime).toBe('2025-11');
    expect(c?.extension?.find((e) => e.url.endsWith('mcode-histology-morphology-behavior'))?.valueCodeableConcept?.coding?.[0])
      .toEqual(expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8461/3', version: '3.2' }));
    expect(c?.bodySite?.[0].coding?.[0].code).toBe('15497006');
    expect(c?.bodySite?.[0].extension?.[0]).toEqual(expect.objectContaining({ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier' }));
    expect(codesOf(c?.bodySite?.[0].extension?.[0].valueCodeableConcept)).toEqual(['24028007']);
    expect(codesOf(c?.stage?.[0].summary)).toEqual(['C96258']);
    expect(codesOf(c?.stage?.[0].type)).toEqual(['254386003']);
    expect(c?.stage?.[0].assessment).toEqual([{ reference: `Observation/${figo.id}` }]);
    // mentioned twice: one Condition, one evidence per quote, in note order
    expect(evidence(c ?? {}).map((e) => e.quote)).toEqual(['high-grade serous carcinoma of the right ovary', 'ovarian cancer']);
    expect(evidence(c ?? {})[0]).toEqual(expect.objectContaining({ offset: 0, length: 46, confidence: 0.9 }));
  });

  it('keeps negated and hypothetical mentions out, and records possible and historical ones', () => {
    const out = build(handMade());
    expect(conditionWith(out, '389026000')).toBeUndefined();
    expect(conditionWith(out, '165517008')).toBeUndefined();
    const possible = conditionWith(out, '94391008');
    expect(codesOf(possible?.verificationStatus)).toEqual(['unconfirmed']);
    expect(possible?.note?.[0].text).toMatch(/possible/);
    expect(evidence(possible ?? {})[0].confidence).toBe(0.6);
    const dvt = conditionWith(out, '128053003');
    expect(codesOf(dvt?.clinicalStatus)).toEqual(['inactive']);
    expect(codesOf(dvt?.code)).toEqual(['128053003', 'I82.402']);
    expect(dvt?.onsetDateTime).toBe('2019');
    expect(dvt?.bodySite?.[0].coding?.[0].code).toBe('61685007');
  });

  it('writes labs in UCUM with comparator and conversion, dated by the note when they carry no date', () => {
    const out = build(handMade());
    const [ca125] = observationWith(out, 'ca125');
    expect(ca125.valueQuantity).toEqual({ value: 5000, comparator: '>', unit: 'U/mL', system: 'http://unitsofmeasure.org', code: 'U/mL' });
    expect(ca125.effectiveDateTime).toBe('2026-02-20');
    expect(codesOf(ca125.category?.[0])).toEqual(['laboratory']);
    expect(ca125.meta?.profile).toEqual([`${TWIN}/StructureDefinition/nlp-observation`]);
    const [creat] = observationWith(out, 'creatinine');
    expect(creat.valueQuantity).toEqual(expect.objectContaining({ value: 1.267, code: 'mg/dL' }));
    expect(creat.effectiveDateTime).toBe('2026-03-01');
    expect(codesOf(observationWith(out, 'body_weight')[0].category?.[0])).toEqual(['vital-signs']);
  });

  it('writes ECOG as a survey integer and FIGO in the mCODE CancerStage shape linked to the cancer', () => {
    const out = build(handMade());
    const [ecog] = observationWith(out, 'ecog');
    expect(ecog.valueInteger).toBe(1);
    expect(codesOf(ecog.code)).toEqual(['89247-1']);
    expect(codesOf(ecog.category?.[0])).toEqual(['survey']);
    const [figo] = observationWith(out, 'figo_stage');
    expect(codesOf(figo.code)).toEqual(['385361009']);
    expect(codesOf(figo.valueCodeableConcept)).toEqual(['C96258']);
    expect(codesOf(figo.method)).toEqual(['254386003']);
    expect(figo.focus).toEqual([{ reference: `Condition/${conditionWith(out, '363443007')?.id}` }]);
    // no LOINC code for FIGO stage: SNOMED CT instead, still under the nlp-observation profile (nlpo-5)
    expect(figo.code.coding?.map((c) => c.system)).toEqual(['http://snomed.info/sct']);
    expect(figo.meta?.profile).toEqual(['https://twinfhir.org/fhir/StructureDefinition/nlp-observation']);
  });

  it('writes BRCA1/2 as genetic variant assessments with the gene studied and a LOINC answer', () => {
    const out = build(handMade());
    const variants = ofType<Observation>(out, 'Observation').filter((o) => codesOf(o.code).includes('69548-6'));
    const summary = variants.map((o) => ({
      categories: o.category?.map((c) => c.coding?.[0].code), gene: o.component?.map((c) => [codesOf(c.code)[0], codesOf(c.valueCodeableConcept)[0]]), value: codesOf(o.valueCodeableConcept),
    }));
    expect(summary).toEqual([
      { categories: ['laboratory', 'GE'], gene: [['48018-6', 'HGNC:1100']], value: ['LA9633-4'] },
      { categories: ['laboratory', 'GE'], gene: [['48018-6', 'HGNC:1101']], value: ['LA9634-2'] },
    ]);
  });

  it('writes one FamilyMemberHistory per relative and drops family observations with a reason', () => {
    const dropped: string[] = [];
    const out = build(handMade(), dropped);
    const fmh = ofType<FamilyMemberHistory>(out, 'FamilyMemberHistory');
    expect(fmh.map((f) => [codesOf(f.relationship)[0], f.condition?.map((c) => codesOf(c.code)[0])])).toEqual([['MTH', ['254837009', '363443007']], ['SIS', ['363443007']]]);
    expect(fmh[1].condition?.[0].code).toEqual(expect.objectContaining({ coding: expect.arrayContaining([expect.objectContaining({ code: 'C56.9' })]) }));
    for (const f of fmh) {
      expect(f.status).toBe('partial');
      expect(f.patient).toEqual(PATIENT);
    }
    expect(evidence(fmh[0]).map((e) => e.quote)).toEqual(['breast cancer', 'ovarian cancer']);
    expect(dropped).toEqual(['rules:family-observation:1']);
    expect(conditionWith(out, '254837009')).toBeUndefined();
  });
});

describe('Provenance and Device', () => {
  it('targets exactly the resources written, from the note, by the run Device', () => {
    const out = build(handMade());
    expect(out.provenance.target.map((t) => t.reference)).toEqual(out.resources.map((r) => `${r.resourceType}/${r.id}`));
    expect(out.provenance.id).toBe(`id-${out.resources.length + 1}`);
    expect(new Set(out.resources.map((r) => r.id)).size).toBe(out.resources.length);
    expect(out.provenance.recorded).toBe(RUN.recorded);
    expect(codesOf(out.provenance.activity)).toEqual(['CREATE']);
    expect(codesOf(out.provenance.agent[0].type)).toEqual(['assembler']);
    expect(out.provenance.agent[0].who?.reference).toBe(`Device/${out.device.id}`);
    expect(out.provenance.entity).toEqual([{ role: 'source', what: { reference: 'DocumentReference/note-1', display: 'DocumentReference/note-1/_history/3' } }]);
    expect(out.provenance.meta).toBeUndefined();
  });

  it('gives one Device per engine, version, model and prompt version', () => {
    const llm: ExtractionRun = { engine: 'llm', version: '0.3.0', model: 'qwen2.5-7b-instruct', promptVersion: 'p4', recorded: RUN.recorded };
    const out = buildFindingResources({ findings: [], document: DOC, patient: PATIENT, run: llm, coder: coder(), newId: () => 'prov-1' });
    expect(out.device.id).toBe(deviceId(llm));
    expect(out.device.id).toMatch(/^nlp-[0-9a-f]{24}$/);
    expect(deviceId({ ...llm, recorded: '2027-01-01T00:00:00Z' })).toBe(out.device.id);
    expect(deviceId({ ...llm, promptVersion: 'p5' })).not.toBe(out.device.id);
    expect(deviceId(RUN)).not.toBe(out.device.id);
    expect(out.device.deviceName?.map((d) => d.name)).toEqual(['TwinFHIR NLP llm (qwen2.5-7b-instruct)', 'qwen2.5-7b-instruct']);
    expect(out.device.version?.map((x) => [x.type?.text, x.value])).toEqual([['engine', '0.3.0'], ['prompt', 'p4']]);
    expect(out.device.type?.text).toBe('NLP extractor');
    expect(errors(out.device)).toEqual([]);
  });

  it('a run that writes nothing still yields a valid Provenance over the note', () => {
    const out = build([finding('ascites', 'condition', { assertion: 'negated' })]);
    expect(out.resources).toEqual([]);
    expect(out.provenance.target).toEqual([{ reference: 'DocumentReference/note-1' }]);
    expect(errors(out.provenance)).toEqual([]);
  });
});

describe('merging and dropping', () => {
  it('merges the same measurement stated twice, keeps different dates apart', () => {
    const ca = (value: number, date: string | undefined, quote: string): Finding =>
      finding('ca125', 'observation', { value, unit: 'U/mL', normalized: { value, unit: 'U/mL' }, quote, ...(date ? { date } : {}) });
    const out = build([ca(845, '2025-11-03', 'CA-125 845'), ca(845, '2025-11-03', '845 U/mL'), ca(845, undefined, 'CA-125 845 today'), ca(312, '2026-01-05', '312')]);
    expect(out.resources.map((r) => [(r as Observation).valueQuantity?.value, (r as Observation).effectiveDateTime, evidence(r).length]))
      .toEqual([[845, '2025-11-03', 2], [845, '2026-03-01', 1], [312, '2026-01-05', 1]]);
  });

  it('keeps different sides apart, lets a present mention win over a possible one, drops what has no code or value', () => {
    const c = coder();
    const dropped: string[] = [];
    const out = build([
      finding('breast_cancer', 'condition', { attributes: { laterality: c.laterality('right') } }),
      finding('breast_cancer', 'condition', { attributes: { laterality: c.laterality('left') } }),
      finding('ascites', 'condition', { assertion: 'possible' }),
      finding('ascites', 'condition'),
      { ...finding('made_up', 'condition'), codes: [] },
      finding('cea', 'observation', { quote: 'CEA pending' }),
      finding('he4', 'observation', { assertion: 'possible', value: 98, unit: 'pmol/L' }),
    ], dropped);
    const [he4] = observationWith(out, 'he4');
    expect(he4.note?.[0].text).toMatch(/possible/);
    expect(he4.valueQuantity).toEqual({ value: 98, unit: 'pmol/L', system: 'http://unitsofmeasure.org', code: 'pmol/L' });
    expect(errors(he4)).toEqual([]);
    const conditions = ofType<Condition>(out, 'Condition');
    expect(conditions.map((x) => codesOf(x.code)[1])).toEqual(['C50.911', 'C50.912', 'R18.8']);
    expect(conditions[2].note).toBeUndefined();
    expect(evidence(conditions[2])).toHaveLength(2);
    expect(dropped.sort()).toEqual(['rules:no-code:1', 'rules:no-value:1']);
  });
});
