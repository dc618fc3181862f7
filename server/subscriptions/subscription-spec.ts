/**
 * A Subscription resource read the way the R4 Backport IG writes it, checked and turned into what the
 * server acts on. Anything it cannot honour is refused (422) with the path of the offending element.
 */
import type { Extension, Subscription } from 'fhir/r4';
import { FhirError } from '../core/fhir-error';
import { isMaskedHeader } from '../core/subscription-headers';
import { parseSearchParams } from '../search/parse';
import type { SearchRegistry } from '../search/registry';
import { EXT, PAYLOAD_CONTENTS, type PayloadContent } from './backport';
import { type EndpointPolicy, refuseEndpoint } from './endpoint-policy';
import { type Topic, topicByUrl } from './topics';

/** One backport-filter-criteria value: the types it applies to and its search parameters (AND). */
export interface SubscriptionFilter {
  resourceTypes: readonly string[];
  params: [string, string][];
}

export interface ParsedSubscription {
  id: string;
  status: Subscription['status'];
  topic: Topic;
  filters: SubscriptionFilter[];
  channel: 'rest-hook' | 'websocket';
  endpoint?: string;
  /** `channel.header` split into name and value (values carry credentials: never logged). */
  headers: [string, string][];
  content: PayloadContent;
  heartbeatSec?: number;
  timeoutSec?: number;
  maxCount: number;
  end?: Date;
}

export const LIMITS = { filters: 20, filterChars: 1000, headers: 10, headerChars: 4096, maxCount: 1000, heartbeatSec: 86_400, timeoutSec: 300 } as const;
/** Search result controls mean nothing in a filter. */
const RESULT_PARAMS = new Set(['_include', '_revinclude', '_sort', '_count', '_total', '_elements', '_summary', '_contained', '_containedType', '_cursor', '_format', '_type']);

const invalid = (msg: string, path: string): FhirError => new FhirError(422, 'invalid', msg, [path]);
const unsupported = (msg: string, path: string): FhirError => new FhirError(422, 'not-supported', msg, [path]);

const extensionsOf = (e: { extension?: Extension[] } | undefined, url: string): Extension[] => (e?.extension ?? []).filter((x) => x.url === url);

function positive(ext: Extension | undefined, max: number, path: string): number | undefined {
  if (!ext) return undefined;
  const v = ext.valueUnsignedInt ?? ext.valuePositiveInt ?? ext.valueInteger;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw invalid(`${ext.url.split('/').pop()} must be an integer from 1 to ${max}`, path);
  return v;
}

function channelType(sub: Subscription): 'rest-hook' | 'websocket' {
  const coded = extensionsOf((sub.channel as { _type?: { extension?: Extension[] } })._type, EXT.channelType)[0]?.valueCoding?.code;
  const type = coded ?? sub.channel?.type;
  if (type === 'rest-hook' || type === 'websocket') return type;
  throw unsupported(`channel.type '${String(type)}' is not supported: use rest-hook or websocket`, 'Subscription.channel.type');
}

function parseHeaders(headers: unknown): [string, string][] {
  if (headers === undefined) return [];
  if (!Array.isArray(headers) || headers.length > LIMITS.headers) throw invalid(`channel.header: at most ${LIMITS.headers} strings`, 'Subscription.channel.header');
  return headers.map((h: unknown, i) => {
    const m = typeof h === 'string' && h.length <= LIMITS.headerChars ? /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*)$/.exec(h) : null;
    if (!m) throw invalid('channel.header must be "Name: value" (one line)', `Subscription.channel.header[${i}]`);
    const name = m[1].toLowerCase();
    if (name === 'content-type' || name === 'content-length' || name === 'host' || name === 'transfer-encoding') throw invalid(`channel.header may not set ${m[1]}`, `Subscription.channel.header[${i}]`);
    // A masked copy's placeholder reaching here had no stored value to keep (a create): the receiver would get `***`.
    if (isMaskedHeader(h)) throw invalid(`channel.header ${m[1]} is the masked placeholder (***): send the real value`, `Subscription.channel.header[${i}]`);
    return [m[1], m[2]];
  });
}

function filterTypes(topic: Topic, named: string | undefined, path: string, registry: Pick<SearchRegistry, 'resourceTypes'>): string[] {
  if (topic.triggers === '*') {
    if (!named) throw invalid(`The topic ${topic.url} needs filter criteria that name the type: Type?param=value`, path);
    if (!registry.resourceTypes().includes(named)) throw invalid(`Unknown resource type '${named}' in the filter criteria`, path);
    return [named];
  }
  const types = [...new Set(topic.triggers.map((t) => t.resource))];
  if (named && !types.includes(named)) throw invalid(`The topic ${topic.url} is about ${types.join(', ')}, not ${named}`, path);
  return named ? [named] : types;
}

function parseFilter(registry: SearchRegistry, topic: Topic, text: unknown, path: string): SubscriptionFilter {
  if (typeof text !== 'string' || text.length === 0 || text.length > LIMITS.filterChars) throw invalid(`Filter criteria must be a string of 1 to ${LIMITS.filterChars} characters`, path);
  const q = text.indexOf('?');
  const named = q >= 0 ? text.slice(0, q) : /^[A-Z][A-Za-z]*$/.test(text) ? text : undefined;
  const query = q >= 0 ? text.slice(q + 1) : named ? '' : text;
  const resourceTypes = filterTypes(topic, named, path, registry);
  const params = [...new URLSearchParams(query)].filter(([k]) => k !== '');
  for (const [k] of params) if (RESULT_PARAMS.has(k.split(':')[0])) throw invalid(`${k} is a result control, not a filter`, path);
  for (const type of resourceTypes) {
    try {
      parseSearchParams(registry, [type], params, { strict: true });
    } catch (err) {
      throw invalid(`Filter criteria '${text}' for ${type}: ${err instanceof Error ? err.message : String(err)}`, path);
    }
  }
  return { resourceTypes, params };
}

function parseFilters(registry: SearchRegistry, topic: Topic, sub: Subscription): SubscriptionFilter[] {
  const exts = extensionsOf((sub as { _criteria?: { extension?: Extension[] } })._criteria, EXT.filterCriteria);
  if (exts.length > LIMITS.filters) throw invalid(`At most ${LIMITS.filters} filter criteria`, 'Subscription.criteria');
  const filters = exts.map((e, i) => parseFilter(registry, topic, e.valueString, `Subscription.criteria.extension[${i}]`));
  if (topic.triggers === '*' && filters.length === 0) throw invalid(`The topic ${topic.url} needs filter criteria naming the type: Type?param=value`, 'Subscription.criteria');
  return filters;
}

function payloadContent(sub: Subscription): PayloadContent {
  const payload = sub.channel?.payload;
  if (payload !== undefined && payload !== 'application/fhir+json' && payload !== 'application/json') {
    throw unsupported('channel.payload: only application/fhir+json is supported', 'Subscription.channel.payload');
  }
  const code = extensionsOf((sub.channel as { _payload?: { extension?: Extension[] } })._payload, EXT.payloadContent)[0]?.valueCode ?? 'id-only';
  if (!(PAYLOAD_CONTENTS as readonly string[]).includes(code)) throw invalid(`payload content must be one of ${PAYLOAD_CONTENTS.join(', ')}`, 'Subscription.channel.payload');
  return code as PayloadContent;
}

/** Reads a stored or incoming Subscription; throws 422 for anything the server cannot honour. */
export function parseSubscription(registry: SearchRegistry, policy: EndpointPolicy, sub: Subscription & { id: string }): ParsedSubscription {
  const topic = typeof sub.criteria === 'string' ? topicByUrl(sub.criteria) : undefined;
  if (!topic) throw invalid(`Subscription.criteria must be the canonical URL of a SubscriptionTopic this server offers (see Basic?code=SubscriptionTopic); got '${String(sub.criteria).slice(0, 200)}'`, 'Subscription.criteria');
  const channel = channelType(sub);
  const endpoint = sub.channel?.endpoint;
  if (channel === 'rest-hook') {
    const why = typeof endpoint === 'string' ? refuseEndpoint(policy, endpoint) : 'A rest-hook subscription needs channel.endpoint';
    if (why) throw invalid(why, 'Subscription.channel.endpoint');
  }
  const ext = (url: string): Extension | undefined => extensionsOf(sub.channel, url)[0];
  const end = sub.end !== undefined ? new Date(sub.end) : undefined;
  if (end && Number.isNaN(end.getTime())) throw invalid('Subscription.end is not an instant', 'Subscription.end');
  return {
    id: sub.id, status: sub.status, topic, filters: parseFilters(registry, topic, sub), channel,
    ...(channel === 'rest-hook' ? { endpoint } : {}),
    headers: parseHeaders(sub.channel?.header), content: payloadContent(sub),
    heartbeatSec: positive(ext(EXT.heartbeatPeriod), LIMITS.heartbeatSec, 'Subscription.channel.extension'),
    timeoutSec: positive(ext(EXT.timeout), LIMITS.timeoutSec, 'Subscription.channel.extension'),
    maxCount: positive(ext(EXT.maxCount), LIMITS.maxCount, 'Subscription.channel.extension') ?? 100,
    ...(end ? { end } : {}),
  };
}
