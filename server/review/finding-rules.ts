/**
 * R4 invariants of Condition and Observation the schema cannot express, checked on every reviewed
 * version before it is stored (the validator covers the schema and our profiles, not these).
 * https://hl7.org/fhir/R4/condition.html#invs, https://hl7.org/fhir/R4/observation.html#invs
 */
import type { Condition, Observation, Resource } from 'fhir/r4';
import type { Issue } from '../core/fhir-error';
import { CONDITION_VER_STATUS } from '../core/canonical-urls';
import { CONDITION_CLINICAL } from './review-codes';

const ABATED_STATES = new Set(['inactive', 'resolved', 'remission']);

const hasValueX = (r: object, prefix: string): boolean =>
  Object.entries(r).some(([k, v]) => k.startsWith(prefix) && k.length > prefix.length && v !== undefined && v !== null);

function conditionIssues(c: Condition): Issue[] {
  const issues: Issue[] = [];
  const enteredInError = c.verificationStatus?.coding?.some((x) => x.system === CONDITION_VER_STATUS && x.code === 'entered-in-error');
  if (enteredInError && c.clinicalStatus) {
    issues.push({ severity: 'error', code: 'invariant', diagnostics: 'con-5: Condition.clinicalStatus SHALL NOT be present if verificationStatus is entered-in-error', expression: ['Condition.clinicalStatus'] });
  }
  const abated = hasValueX(c, 'abatement');
  const abatedStatus = c.clinicalStatus?.coding?.some((x) => x.system === CONDITION_CLINICAL && ABATED_STATES.has(x.code ?? ''));
  if (abated && !abatedStatus) {
    issues.push({ severity: 'error', code: 'invariant', diagnostics: 'con-4: If condition is abated, then clinicalStatus must be either inactive, resolved, or remission', expression: ['Condition.clinicalStatus'] });
  }
  return issues;
}

function observationIssues(o: Observation): Issue[] {
  if (o.dataAbsentReason && hasValueX(o, 'value')) {
    return [{ severity: 'error', code: 'invariant', diagnostics: 'obs-6: dataAbsentReason SHALL only be present if Observation.value[x] is not present', expression: ['Observation.dataAbsentReason'] }];
  }
  return [];
}

/** Invariant violations of a finding (empty when it conforms). */
export function findingRuleIssues(resource: Condition | Observation | Resource): Issue[] {
  if (resource.resourceType === 'Condition') return conditionIssues(resource as Condition);
  if (resource.resourceType === 'Observation') return observationIssues(resource as Observation);
  return [];
}
