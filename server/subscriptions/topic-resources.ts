/**
 * The topics as R4 resources, the way the Backport IG publishes a SubscriptionTopic in R4: a `Basic`
 * (code SubscriptionTopic) carrying the R5 elements as cross-version extensions. Written at start, found
 * with `Basic?code=SubscriptionTopic`; Subscription.criteria names a topic by its canonical URL.
 */
import type { Basic, Extension } from 'fhir/r4';
import { systemContext } from '../core/access-context';
import type { ResourceStore } from '../store/types';
import { BACKPORT_SERVER_CAPABILITY, BACKPORT_SUBSCRIPTION_PROFILE, EXT, TOPIC_EXT } from './backport';
import type { Topic } from './topics';

/** CapabilityStatement additions: the Backport server statement, the Subscription profile and each topic's canonical. */
export function subscriptionCapabilities(topics: readonly Topic[]): { instantiates: string[]; resources: Record<string, { supportedProfile: string[]; extension: Extension[] }> } {
  return {
    instantiates: [BACKPORT_SERVER_CAPABILITY],
    resources: { Subscription: { supportedProfile: [BACKPORT_SUBSCRIPTION_PROFILE], extension: topics.map((t) => ({ url: EXT.topic, valueCanonical: t.url })) } },
  };
}

const sd = (type: string): string => `http://hl7.org/fhir/StructureDefinition/${type}`;
const sub = (url: string, value: Omit<Extension, 'url'>): Extension => ({ url, ...value });

function triggerExtensions(topic: Topic): Extension[] {
  if (topic.triggers === '*') {
    return [{ url: TOPIC_EXT('resourceTrigger'), extension: [
      sub('description', { valueMarkdown: 'Any resource type, named by the filter criteria (Type?param=value)' }),
      sub('resource', { valueUri: sd('Resource') }),
      sub('supportedInteraction', { valueCode: 'create' }), sub('supportedInteraction', { valueCode: 'update' }),
    ] }];
  }
  return topic.triggers.map((t) => ({
    url: TOPIC_EXT('resourceTrigger'),
    extension: [
      sub('description', { valueMarkdown: t.description }),
      sub('resource', { valueUri: sd(t.resource) }),
      ...t.interactions.map((i) => sub('supportedInteraction', { valueCode: i })),
      ...(t.current || t.previous ? [{
        url: 'queryCriteria',
        extension: [
          ...(t.previous ? [sub('previous', { valueString: t.previous }), sub('resultForCreate', { valueCode: 'test-passes' })] : []),
          ...(t.current ? [sub('current', { valueString: t.current })] : []),
          sub('requireBoth', { valueBoolean: true }),
        ],
      }] : []),
    ],
  }));
}

export function topicResource(topic: Topic): Basic & { id: string } {
  return {
    resourceType: 'Basic',
    id: `topic-${topic.id}`,
    code: { coding: [{ system: 'http://hl7.org/fhir/fhir-types', code: 'SubscriptionTopic', display: 'SubscriptionTopic' }] },
    extension: [
      { url: TOPIC_EXT('url'), valueUri: topic.url },
      { url: TOPIC_EXT('title'), valueString: topic.title },
      { url: TOPIC_EXT('status'), valueCode: 'active' },
      { url: TOPIC_EXT('description'), valueMarkdown: topic.description },
      ...triggerExtensions(topic),
      ...topic.canFilterBy.map((f) => ({
        url: TOPIC_EXT('canFilterBy'),
        extension: [sub('description', { valueMarkdown: f.description }), sub('resource', { valueUri: sd(f.resource) }), sub('filterParameter', { valueString: f.param })],
      })),
      { url: TOPIC_EXT('notificationShape'), extension: [sub('resource', { valueUri: sd(topic.triggers === '*' ? 'Resource' : topic.triggers[0].resource) })] },
    ],
  };
}

/** JSON with keys sorted, so equal content compares equal whatever the key order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** Writes the topic resources at start, each only when its content changed (a restart creates no new versions). */
export async function publishTopics(store: ResourceStore, resources: readonly (Basic & { id: string })[]): Promise<void> {
  const ctx = systemContext('subscription-topics');
  await store.transaction(async (tx) => {
    await tx.lock('twinfhir:subscription-topics');
    for (const r of resources) {
      const current = await tx.read(ctx, 'Basic', r.id);
      const { meta: _meta, ...stored } = current?.resource ?? { meta: undefined };
      if (current && !current.deleted && canonicalJson(stored) === canonicalJson(r)) continue;
      await tx.update(ctx, r);
    }
  });
}
