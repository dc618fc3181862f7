/**
 * The SubscriptionTopics this server offers. Each is data: resource triggers with R5-style query criteria
 * (evaluated on the current and the previous version of the written resource) and the filter parameters
 * a subscriber may use (any search parameter of the trigger's type; checked with the server's search).
 */
import { TWINFHIR_BASE, TWINFHIR_CODESYSTEM } from '../core/canonical-urls';

export interface TopicTrigger {
  resource: string;
  interactions: readonly ('create' | 'update' | 'delete')[];
  /** Search-style criteria the new version must meet (token parameters, `:not` allowed). */
  current?: string;
  /** Criteria the replaced version must meet (updates only: a create has no previous version, so only `current` counts). */
  previous?: string;
  description: string;
}

export interface Topic {
  url: string;
  /** The id of the Basic resource that publishes it. */
  id: string;
  title: string;
  description: string;
  /** Resource types `'*'`: any type, named by the subscription's filter criteria (`Type?param=value`). */
  triggers: readonly TopicTrigger[] | '*';
  /** Filter parameters the topic suggests (any search parameter of the type works). */
  canFilterBy: readonly { resource: string; param: string; description: string }[];
}

const tag = (code: string): string => `${TWINFHIR_CODESYSTEM}|${code}`;
const topicUrl = (id: string): string => `${TWINFHIR_BASE}/SubscriptionTopic/${id}`;
const FINDINGS = ['Condition', 'Observation'] as const;
const byPatient = (types: readonly string[]): Topic['canFilterBy'] =>
  types.map((resource) => ({ resource, param: 'patient', description: `Only ${resource}s of this patient (Patient/{id})` }));

export const TOPICS: readonly Topic[] = [
  {
    id: 'provisional-finding', url: topicUrl('provisional-finding'), title: 'Provisional finding created for a patient',
    description: 'An NLP extraction wrote a new provisional (unreviewed) Condition or Observation.',
    triggers: FINDINGS.map((resource) => ({
      resource, interactions: ['create', 'update'], current: `_tag=${tag('provisional')}`, previous: `_tag:not=${tag('provisional')}`,
      description: `A provisional ${resource} appears (created, or an existing ${resource} becomes provisional)`,
    })),
    canFilterBy: byPatient(FINDINGS),
  },
  {
    id: 'finding-reviewed', url: topicUrl('finding-reviewed'), title: 'Finding verified, refuted or amended',
    description: 'A clinician decided a provisional finding ($verify confirm, refute or amend).',
    triggers: FINDINGS.map((resource) => ({
      resource, interactions: ['update'], current: `_tag=${tag('verified')},${tag('refuted')}`, previous: `_tag=${tag('provisional')}`,
      description: `A provisional ${resource} becomes verified or refuted`,
    })),
    canFilterBy: byPatient(FINDINGS),
  },
  {
    id: 'digital-twin-updated', url: topicUrl('digital-twin-updated'), title: 'Digital Twin updated',
    description: "A patient's Digital Twin Composition was built or rebuilt.",
    triggers: [{ resource: 'Composition', interactions: ['create', 'update'], current: `type=${tag('digital-twin')}`, description: 'A new version of a twin' }],
    canFilterBy: [{ resource: 'Composition', param: 'subject', description: 'Only the twin of this patient (Patient/{id})' }],
  },
  {
    id: 'extraction-task-failed', url: topicUrl('extraction-task-failed'), title: 'Extraction Task failed',
    description: 'An NLP extraction Task ended in status failed.',
    triggers: [{
      resource: 'Task', interactions: ['create', 'update'], current: `code=${tag('extract')}&status=failed`, previous: 'status:not=failed',
      description: 'An extraction Task changes to failed',
    }],
    canFilterBy: [{ resource: 'Task', param: 'focus', description: 'Only the Task of this document (DocumentReference/{id})' }],
  },
  {
    id: 'resource-write', url: topicUrl('resource-write'), title: 'Resource of a type created or updated',
    description: 'Any resource of the type named in the filter criteria (`Type?param=value`) is created or updated and matches the filter.',
    triggers: '*',
    canFilterBy: [{ resource: 'Resource', param: '_id', description: 'Any search parameter of the named type; the filter must start with `Type?`' }],
  },
];

export function topicByUrl(url: string): Topic | undefined {
  const bare = url.split('|', 1)[0];
  return TOPICS.find((t) => t.url === bare);
}
