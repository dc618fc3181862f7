/** The hybrid engine: rules + llm, confidence raised where both agree, single-engine findings kept as they were. */
import { PermanentExtractionError } from '../../server/nlp/errors';
import type { Finding } from '../../server/nlp/finding';
import { combineFindings, createHybridExtractor } from '../../server/nlp/hybrid-extractor';
import { createLlmExtractor } from '../../server/nlp/llm/llm-extractor';
import { modelFinding, startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server';
import { rules, rulesResources } from './helpers';

function finding(over: Partial<Finding> & Pick<Finding, 'concept' | 'offset' | 'length' | 'engine'>): Finding {
  return { kind: 'condition', codes: [], assertion: 'present', attributes: {}, quote: 'x'.repeat(over.length), confidence: 0.9, ...over };
}

describe('combineFindings', () => {
  const ca = (engine: string, offset: number, value: number, confidence: number): Finding =>
    finding({ concept: 'ca125', kind: 'observation', value, unit: 'U/mL', offset, length: 15, engine, confidence });

  it('raises confidence where both engines report the same concept, span and value', () => {
    const out = combineFindings([ca('rules', 10, 845, 0.9)], [ca('llm', 12, 845, 0.7)]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ engine: 'hybrid', offset: 10, confidence: 0.97 });
  });

  it('keeps findings only one engine found with that engine\'s confidence', () => {
    const out = combineFindings([ca('rules', 10, 845, 0.9)], [finding({ concept: 'ascites', offset: 40, length: 7, engine: 'llm', confidence: 0.7 })]);
    expect(out.map((f) => [f.concept, f.engine, f.confidence])).toEqual([['ca125', 'rules', 0.9], ['ascites', 'llm', 0.7]]);
  });

  it('does not pair different values, assertions, relatives or dates', () => {
    expect(combineFindings([ca('rules', 10, 845, 0.9)], [ca('llm', 10, 850, 0.7)])).toHaveLength(2);
    const negated = finding({ concept: 'ascites', offset: 0, length: 10, engine: 'llm', assertion: 'negated', confidence: 0.7 });
    expect(combineFindings([finding({ concept: 'ascites', offset: 3, length: 7, engine: 'rules' })], [negated])).toHaveLength(2);
    const mother = { relationship: { key: 'MTH' } };
    const sister = { relationship: { key: 'SIS' } };
    const fam = (engine: string, attributes: Finding['attributes']): Finding =>
      finding({ concept: 'breast_cancer', kind: 'family', assertion: 'family', offset: 0, length: 20, engine, attributes });
    expect(combineFindings([fam('rules', mother)], [fam('llm', sister)])).toHaveLength(2);
    expect(combineFindings([{ ...ca('rules', 10, 845, 0.9), date: '2026-01-01' }], [{ ...ca('llm', 10, 845, 0.7), date: '2026-02-01' }])).toHaveLength(2);
  });

  it('reports one fact once when the engines quote different mentions of it, without raising confidence', () => {
    const out = combineFindings([finding({ concept: 'ovarian_cancer', offset: 100, length: 5, engine: 'rules', confidence: 0.85 })],
      [finding({ concept: 'ovarian_cancer', offset: 10, length: 17, engine: 'llm', confidence: 0.7 })]);
    expect(out).toEqual([expect.objectContaining({ offset: 100, engine: 'hybrid', confidence: 0.85 })]);
  });

  it('adds what only the llm stated (laterality with its ICD-10-CM code) to the rules finding', () => {
    const { coder } = rulesResources();
    const r = finding({ concept: 'ovarian_cancer', offset: 0, length: 17, engine: 'rules', codes: coder.conditionCodes('ovarian_cancer') });
    const l = finding({ concept: 'ovarian_cancer', offset: 0, length: 30, engine: 'llm', confidence: 0.7, attributes: { laterality: coder.laterality('left') }, codes: coder.conditionCodes('ovarian_cancer', 'left') });
    const [out] = combineFindings([r], [l]);
    expect(out.attributes.laterality?.key).toBe('left');
    expect(out.codes.map((c) => c.code)).toEqual(['363443007', 'C56.2']);
    expect(out.length).toBe(17);
  });
});

describe('hybrid extractor', () => {
  const note = 'Omental caking and high-grade serous ovarian carcinoma. CA-125 845 U/mL. No ascites. Blood pressure persistently raised, on amlodipine.';
  let server: FakeLlmServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it('runs both engines over the same note', async () => {
    server = await startFakeLlmServer({
      answer: () => [
        modelFinding({ concept: 'ovarian_cancer', quote: 'high-grade serous ovarian carcinoma', histology: 'high_grade_serous' }),
        modelFinding({ concept: 'ca125', quote: 'CA-125 845 U/mL', value: 845, unit: 'U/mL' }),
        modelFinding({ concept: 'peritoneal_metastasis', quote: 'Omental caking' }),
        modelFinding({ concept: 'hypertension', quote: 'Blood pressure persistently raised, on amlodipine' }),
      ],
    });
    const llm = createLlmExtractor({ baseUrl: server.baseUrl, model: 'qwen-test', resources: rulesResources() });
    const hybrid = createHybridExtractor(rules(), llm);
    expect(hybrid).toMatchObject({ name: 'hybrid', model: 'qwen-test', promptVersion: llm.promptVersion });
    expect(hybrid.version).toBe(`rules-${rules().version}+llm-${llm.version}`);
    const ruleFindings = rules().extractSync({ text: note });
    const fs = await hybrid.extract({ text: note });
    const get = (c: string): Finding => fs.find((f) => f.concept === c)!;
    const ruleConfidence = (c: string): number => ruleFindings.find((f) => f.concept === c)!.confidence;
    expect(get('ca125')).toMatchObject({ engine: 'hybrid' });
    expect(get('ca125').confidence).toBeGreaterThan(ruleConfidence('ca125'));
    expect(get('ovarian_cancer').engine).toBe('hybrid');
    expect(get('ovarian_cancer').confidence).toBeGreaterThan(ruleConfidence('ovarian_cancer'));
    expect(get('peritoneal_metastasis')).toMatchObject({ engine: 'hybrid', confidence: 0.97 });
    expect(ruleFindings.map((f) => f.concept)).not.toContain('hypertension');
    expect(get('hypertension')).toMatchObject({ engine: 'llm', confidence: 0.7 });
    expect(get('ascites')).toMatchObject({ engine: 'rules', assertion: 'negated', confidence: ruleConfidence('ascites') });
    expect(fs.filter((f) => f.concept === 'ovarian_cancer')).toHaveLength(1);
  });

  it('fails when an engine fails, rather than silently returning half the findings', async () => {
    server = await startFakeLlmServer([{ status: 401 }]);
    const hybrid = createHybridExtractor(rules(), createLlmExtractor({ baseUrl: server.baseUrl, model: 'm', resources: rulesResources() }));
    await expect(hybrid.extract({ text: note })).rejects.toBeInstanceOf(PermanentExtractionError);
  });
});
