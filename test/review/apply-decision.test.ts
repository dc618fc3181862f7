/** The decided version of a finding (pure): statuses, tags, labels, evidence carried over, invariants. */
import type { Condition, Observation } from 'fhir/r4';
import { type Finding, applyDecision } from '../../server/review/apply-decision';
import { findingRuleIssues } from '../../server/review/finding-rules';
import { FhirError } from '../../server/core/fhir-error';
import { TWIN_CS, buildSeed } from './fixtures';

const seed = () => buildSeed('unit');
const states = (f: Finding | Condition | Observation) => f.meta?.tag?.filter((t) => t.system === TWIN_CS).map((t) => t.code);
const statusOf = (err: () => unknown): number | undefined => {
  try {
    err();
  } catch (e) {
    return e instanceof FhirError ? e.status : -1;
  }
  return undefined;
};

describe('applyDecision', () => {
  test('confirm and refute a Condition', () => {
    const c: Finding = { ...seed().condition, meta: { ...seed().condition.meta, versionId: '1', lastUpdated: '2024-01-01T00:00:00Z' } };
    const confirmed = applyDecision(c, 'confirm') as Condition;
    expect(confirmed.verificationStatus?.coding?.[0].code).toBe('confirmed');
    expect(states(confirmed)).toEqual(['verified']);
    expect(confirmed.meta?.versionId).toBeUndefined();
    expect(confirmed.meta?.security).toEqual([expect.objectContaining({ code: 'AIAST' })]);
    const refuted = applyDecision(c, 'refute') as Condition;
    expect(refuted.verificationStatus?.coding?.[0].code).toBe('refuted');
    expect(states(refuted)).toEqual(['refuted']);
    expect(refuted.clinicalStatus).toEqual(c.clinicalStatus);
    expect(findingRuleIssues(refuted)).toEqual([]);
    expect(c.verificationStatus?.coding?.[0].code).toBe('unconfirmed'); // input untouched
  });

  test('an amendment keeps grounding it omits and other tags/labels, and replaces the review tag', () => {
    const o = seed().observation;
    const other = { system: 'http://example.org/tags', code: 'oncology' };
    const given = {
      resourceType: 'Observation', status: 'registered', code: o.code,
      meta: { tag: [{ system: TWIN_CS, code: 'provisional' }, other], security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] },
      valueQuantity: { value: 41.2, unit: 'U/mL', system: 'http://unitsofmeasure.org', code: 'U/mL' },
    };
    const amended = applyDecision(o, 'amend', given) as Observation;
    expect(amended.id).toBe(o.id);
    expect(amended.status).toBe('final');
    expect(amended.subject).toEqual(o.subject);
    expect(amended.derivedFrom).toEqual(o.derivedFrom);
    expect(amended.extension).toEqual(o.extension);
    expect(amended.meta?.tag).toEqual([other, expect.objectContaining({ system: TWIN_CS, code: 'verified' })]);
    expect(amended.meta?.security?.map((s) => s.code)).toEqual(['R', 'AIAST']);
    expect(amended.meta?.profile).toEqual(o.meta?.profile);
    expect(amended.valueQuantity?.value).toBe(41.2);
  });

  test('an amendment that brings its own evidence keeps the clinician’s', () => {
    const c = seed().condition;
    const evidence = [{ detail: [{ reference: 'DocumentReference/other-note' }] }];
    const amended = applyDecision(c, 'amend', { ...c, evidence }) as Condition;
    expect(amended.evidence).toEqual(evidence);
  });

  test('refusals', () => {
    const c = seed().condition;
    expect(statusOf(() => applyDecision(c, 'amend'))).toBe(400);
    expect(statusOf(() => applyDecision(c, 'amend', [c]))).toBe(400);
    expect(statusOf(() => applyDecision(c, 'refute', c))).toBe(400);
    expect(statusOf(() => applyDecision(c, 'amend', { ...c, resourceType: 'Observation' }))).toBe(400);
    expect(statusOf(() => applyDecision(c, 'amend', { ...c, id: 'x' }))).toBe(400);
    expect(statusOf(() => applyDecision(c, 'amend', { ...c, subject: { reference: 'Patient/other' } }))).toBe(422);
  });
});

describe('findingRuleIssues', () => {
  test('con-4, con-5 and obs-6', () => {
    const c = seed().condition;
    expect(findingRuleIssues(c)).toEqual([]);
    expect(findingRuleIssues({ ...c, abatementString: 'in remission' }).map((i) => i.diagnostics.slice(0, 5))).toEqual(['con-4']);
    const resolved = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] };
    expect(findingRuleIssues({ ...c, abatementString: 'gone', clinicalStatus: resolved })).toEqual([]);
    const eie = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' }] };
    expect(findingRuleIssues({ ...c, verificationStatus: eie }).map((i) => i.diagnostics.slice(0, 5))).toEqual(['con-5']);
    const o = seed().observation;
    expect(findingRuleIssues({ ...o, dataAbsentReason: { text: 'not done' } }).map((i) => i.diagnostics.slice(0, 5))).toEqual(['obs-6']);
    expect(findingRuleIssues({ ...o, valueQuantity: undefined, dataAbsentReason: { text: 'not done' } })).toEqual([]);
  });
});
