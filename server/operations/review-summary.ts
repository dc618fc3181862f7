/**
 * $review-summary — the clinician's worklist: per patient, the provisional findings waiting for review.
 *
 *   GET /fhir/$review-summary → Parameters: `total` (pending findings), then one `subject` part per
 *   patient, longest-waiting first: `subject` (Reference with the patient's name as display),
 *   `pending` (all), `conditions`, `observations`, `oldestPending` (instant it entered the queue).
 *
 * The findings themselves are found with standard search, e.g.
 * Condition?_tag=https://twinfhir.org/fhir/CodeSystem/twinfhir|provisional&subject=Patient/1&_include=Condition:evidence-detail
 */
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { operationDefinitionUrl } from '../core/canonical-urls';
import type { OperationSpec } from '../rest/deps';
import { type SubjectQueue, reviewQueueSummary } from '../review/queue-summary';

function subjectPart(q: SubjectQueue): ParametersParameter {
  return {
    name: 'subject',
    part: [
      { name: 'subject', valueReference: { reference: q.subject, ...(q.display ? { display: q.display } : {}) } },
      { name: 'pending', valueInteger: q.pending.Condition + q.pending.Observation },
      { name: 'conditions', valueInteger: q.pending.Condition },
      { name: 'observations', valueInteger: q.pending.Observation },
      { name: 'oldestPending', valueInstant: q.oldestPending },
    ],
  };
}

export const reviewSummaryOperation: OperationSpec = {
  name: 'review-summary',
  definition: operationDefinitionUrl('review-summary'),
  scopes: ['system'],
  methods: ['GET'],
  affectsState: false,
  async handler(deps, req, _target, exec) {
    const queues = await reviewQueueSummary(exec.reader, req.ctx, deps.registry);
    const total = queues.reduce((n, q) => n + q.pending.Condition + q.pending.Observation, 0);
    const body: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'total', valueInteger: total }, ...queues.map(subjectPart)] };
    return { status: 200, headers: {}, body };
  },
};
