/**
 * A topic's own query criteria (ours, fixed in topics.ts), evaluated on one version of a resource from
 * its search index values: token parameters, OR-ed values, `:not`. Subscriber filters are different —
 * arbitrary and hostile — and go through the store's search (filter-match.ts).
 */
import type { Resource } from 'fhir/r4';
import type { SearchRegistry } from '../search/registry';
import type { IndexValues } from '../search/types';
import type { Topic, TopicTrigger } from './topics';

type Registry = Pick<SearchRegistry, 'extract' | 'get'>;

interface TokenTest { param: string; not: boolean; values: { system?: string; code: string }[] }

function parseCriteria(criteria: string): TokenTest[] {
  return criteria.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const [param, modifier] = pair.slice(0, eq).split(':', 2);
    const values = pair.slice(eq + 1).split(',').map((v) => {
      const bar = v.lastIndexOf('|');
      return bar < 0 ? { code: v } : { system: v.slice(0, bar), code: v.slice(bar + 1) };
    });
    return { param, not: modifier === 'not', values };
  });
}

const parsed = new Map<string, TokenTest[]>();

function testsOf(criteria: string): TokenTest[] {
  let t = parsed.get(criteria);
  if (!t) parsed.set(criteria, (t = parseCriteria(criteria)));
  return t;
}

function meets(values: IndexValues, tests: TokenTest[]): boolean {
  return tests.every((t) => {
    const hit = values.token.some((row) => row.param === t.param
      && t.values.some((v) => row.code === v.code && (v.system === undefined || row.system === v.system)));
    return t.not ? !hit : hit;
  });
}

/** Does the trigger fire for this write? `previous` is the version the write replaced (updates). */
export function triggerFires(registry: Registry, trigger: TopicTrigger, kind: 'create' | 'update' | 'delete', current: Resource | undefined, previous: Resource | undefined): boolean {
  if (!trigger.interactions.includes(kind)) return false;
  if (trigger.current && (!current || !meets(registry.extract(current), testsOf(trigger.current)))) return false;
  if (kind === 'update' && trigger.previous && previous && !meets(registry.extract(previous), testsOf(trigger.previous))) return false;
  return true;
}

/** The triggers of a topic for one resource type (the generic topic: create and update of any type). */
export function triggersFor(topic: Topic, resourceType: string): TopicTrigger[] {
  if (topic.triggers === '*') return [{ resource: resourceType, interactions: ['create', 'update'], description: 'any write' }];
  return topic.triggers.filter((t) => t.resource === resourceType);
}

/** Every parameter the topics' criteria use must exist as a token parameter: checked once at start. */
export function checkTopicCriteria(registry: Registry, topics: readonly Topic[]): void {
  for (const topic of topics) {
    if (topic.triggers === '*') continue;
    for (const t of topic.triggers) {
      for (const c of [t.current, t.previous]) {
        for (const test of c ? parseCriteria(c) : []) {
          if (registry.get(t.resource, test.param)?.type !== 'token') throw new Error(`Topic ${topic.url}: ${t.resource}.${test.param} is not a token search parameter`);
        }
      }
    }
  }
}
