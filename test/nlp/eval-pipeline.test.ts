/** eval:nlp through the pipeline: built Condition / Observation / FamilyMemberHistory → scoreable findings, and how they score. */
import type { Condition, DocumentReference, Resource } from 'fhir/r4';
import { createConceptIndex } from '../../server/nlp/eval/concept-index';
import { findingsFromResources } from '../../server/nlp/eval/from-fhir';
import { scoreNote, type GoldNote } from '../../server/nlp/eval/score';
import type { Finding, FindingAttributes } from '../../server/nlp/finding';
import { buildFindingResources } from '../../server/nlp/fhir';
import { rulesResources } from './helpers';

const DOC: DocumentReference & { id: string } = { resourceType: 'DocumentReference', id: 'n1', status: 'current', content: [{ attachment: { contentType: 'text/plain' } }] };
const TEXT = 'Right ovarian HGSC, FIGO IIIC. Hb 98 g/L. ECOG 1. BRCA2 negative. Mother: breast cancer. Possibly ovarian cancer recurrence. No ascites.';

const coder = () => rulesResources().coder;
const index = () => createConceptIndex(rulesResources().mappings);

/** A finding as an engine hands it over, quoting TEXT where `quote` occurs. */
function finding(concept: string, kind: Finding['kind'], quote: string, extra: Partial<Finding> = {}): Finding {
  const attributes: FindingAttributes = extra.attributes ?? {};
  const codes = kind === 'observation' ? coder().observationCodes(concept) : coder().conditionCodes(concept, attributes.laterality?.key);
  const offset = TEXT.indexOf(quote);
  return { concept, kind, codes, assertion: 'present', attributes, quote, offset, length: quote.length, confidence: 0.9, engine: 'rules', ...extra };
}

function handMade(): Finding[] {
  const c = coder();
  return [
    finding('ovarian_cancer', 'condition', 'Right ovarian HGSC', {
      attributes: { histology: c.histology('high_grade_serous'), laterality: c.laterality('right'), figo: c.figo('IIIC') },
    }),
    finding('figo_stage', 'observation', 'FIGO IIIC', { value: 'IIIC', valueCode: c.figoCode('IIIC') }),
    finding('hemoglobin', 'observation', 'Hb 98 g/L', { value: 98, unit: 'g/L', normalized: { value: 9.8, unit: 'g/dL' } }),
    finding('ecog', 'observation', 'ECOG 1', { value: 1 }),
    finding('brca2_variant', 'observation', 'BRCA2 negative', { value: 'absent', valueCode: c.variantAnswer('absent'), attributes: { gene: { key: 'BRCA2' } } }),
    finding('breast_cancer', 'family', 'breast cancer', { assertion: 'family', attributes: { relationship: c.relationship('MTH') } }),
    // merged into the first Condition as a second evidence, with its own assertion
    finding('ovarian_cancer', 'condition', 'ovarian cancer', { assertion: 'possible', confidence: 0.6 }),
    finding('ascites', 'condition', 'ascites', { assertion: 'negated' }),
  ];
}

function built(findings: Finding[]): Resource[] {
  let n = 0;
  return buildFindingResources({
    findings, document: DOC, patient: { reference: 'Patient/p1' }, coder: coder(), newId: () => `id-${++n}`, documentDate: '2026-03-01',
    run: { engine: 'rules', version: '1.0.0', recorded: '2026-03-02T09:30:00Z' },
  }).resources;
}

describe('findingsFromResources', () => {
  it('turns a merged Condition into one finding per evidence, with concept, assertion, span and attributes', () => {
    const { findings, unmapped } = findingsFromResources(built(handMade()), index());
    expect(unmapped).toEqual([]);
    const ovarian = findings.filter((f) => f.kind === 'condition' && f.concept === 'ovarian_cancer');
    expect(ovarian.map((f) => [f.assertion, f.quote, f.offset])).toEqual([
      ['present', 'Right ovarian HGSC', 0],
      ['possible', 'ovarian cancer', TEXT.indexOf('ovarian cancer')],
    ]);
    for (const f of ovarian) {
      expect(Object.fromEntries(Object.entries(f.attributes).map(([k, v]) => [k, v?.key]))).toEqual({ histology: 'high_grade_serous', laterality: 'right', figo: 'IIIC' });
    }
    expect(ovarian[0].codes.map((c) => c.code)).toEqual(['363443007', 'C56.1']);
    // negated mentions never reach a resource, so they never come back
    expect(findings.map((f) => f.concept)).not.toContain('ascites');
  });

  it('turns Observations into valued findings (quantity in the preferred unit, integer, FIGO stage, variant by gene)', () => {
    const { findings } = findingsFromResources(built(handMade()), index());
    const obs = Object.fromEntries(findings.filter((f) => f.kind === 'observation').map((f) => [f.concept, [f.value, f.unit, f.date]]));
    expect(obs).toEqual({
      figo_stage: ['IIIC', undefined, '2026-03-01'],
      hemoglobin: [9.8, 'g/dL', '2026-03-01'],
      ecog: [1, undefined, '2026-03-01'],
      brca2_variant: ['absent', undefined, '2026-03-01'],
    });
  });

  it('turns a FamilyMemberHistory into family findings of the named relative', () => {
    const { findings } = findingsFromResources(built(handMade()), index());
    expect(findings.filter((f) => f.kind === 'family').map((f) => [f.concept, f.assertion, f.attributes.relationship?.key])).toEqual([['breast_cancer', 'family', 'MTH']]);
  });

  it('scores the converted resources like the findings they were built from', () => {
    const note: GoldNote = {
      id: 'n1', language: 'en', date: '2026-03-01', text: TEXT,
      gold: {
        conditions: [{ concept: 'ovarian_cancer', assertion: 'present', quote: 'Right ovarian HGSC', attributes: { histology: 'high_grade_serous', laterality: 'right', figo: 'IIIC' } }],
        observations: [
          { concept: 'figo_stage', value: 'IIIC', quote: 'FIGO IIIC' }, { concept: 'hemoglobin', value: 98, unit: 'g/L', quote: 'Hb 98 g/L' },
          { concept: 'ecog', value: 1, quote: 'ECOG 1' }, { concept: 'brca2_variant', value: 'absent', quote: 'BRCA2 negative' },
        ],
        not_conditions: [{ concept: 'breast_cancer', assertion: 'family', quote: 'Mother: breast cancer' }, { concept: 'ascites', assertion: 'negated', quote: 'No ascites' }],
      },
    };
    const s = scoreNote(rulesResources(), note, findingsFromResources(built(handMade()), index()).findings);
    expect(s.details).toEqual([]);
    expect([s.conditions, s.observations, s.attributes]).toEqual([{ tp: 1, fp: 0, fn: 0 }, { tp: 4, fp: 0, fn: 0 }, { correct: 3, total: 3, missingCondition: 0 }]);
    expect(s.contextErrors).toEqual([]);
  });

  it('reports a resource whose code mappings/ does not know instead of dropping it silently', () => {
    const odd: Condition = { resourceType: 'Condition', id: 'x', subject: { reference: 'Patient/p1' }, code: { coding: [{ system: 'http://snomed.info/sct', code: '1234' }] } };
    const brca = built([finding('brca2_variant', 'observation', 'BRCA2 negative', { value: 'absent', valueCode: coder().variantAnswer('absent') })]);
    const { findings, unmapped } = findingsFromResources([odd, ...brca], index());
    expect(unmapped).toEqual(['Condition/x [{"system":"http://snomed.info/sct","code":"1234"}]']);
    // the shared LOINC code of BRCA1/2 resolves through the gene component
    expect(findings.map((f) => f.concept)).toEqual(['brca2_variant']);
  });
});
