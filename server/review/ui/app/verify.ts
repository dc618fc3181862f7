/** Sends a clinician's decision as `$verify` (DESIGN.md §4 Verification) and reads the finding back. */
import type { Parameters, ParametersParameter, Reference } from 'fhir/r4';
import type { FhirClient } from './api';
import { toFinding } from './fhir-model';
import type { Finding, FindingResource } from './types';

export type Decision = 'confirm' | 'refute' | 'amend';

export interface DecisionInput {
  decision: Decision;
  /** Needed while auth is off; with a token the server takes the user's fhirUser. */
  reviewer?: Reference;
  note?: string;
  /** The clinician's version of the finding (amend only). */
  resource?: FindingResource;
}

export function verifyParameters(input: DecisionInput): Parameters {
  const parameter: ParametersParameter[] = [{ name: 'decision', valueCode: input.decision }];
  if (input.resource) parameter.push({ name: 'resource', resource: input.resource });
  const note = input.note?.trim();
  if (note) parameter.push({ name: 'note', valueString: note });
  if (input.reviewer) parameter.push({ name: 'reviewer', valueReference: input.reviewer });
  return { resourceType: 'Parameters', parameter };
}

/** Posts the decision on the version the reviewer saw (If-Match: a newer version answers 409/412), then reloads the finding. */
export async function submitDecision(client: FhirClient, finding: Finding, input: DecisionInput): Promise<Finding> {
  const headers: Record<string, string> = finding.version ? { 'If-Match': `W/"${finding.version}"` } : {};
  await client.post(`${finding.ref}/$verify`, verifyParameters(input), headers);
  return reloadFinding(client, finding.ref);
}

export async function reloadFinding(client: FhirClient, ref: string): Promise<Finding> {
  return toFinding(await client.get<FindingResource>(ref));
}

export const DECISION_PAST: Record<Decision, string> = { confirm: 'Confirmed', refute: 'Refuted', amend: 'Amended and verified' };
