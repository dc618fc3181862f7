/**
 * Whether one written resource belongs in one subscription's stream: the subscriber's filter criteria and
 * the author's access (scopes, patient compartment, query-restricted scopes). Filters are parsed by the
 * server's search parser. Plain token and reference equality (`code=s|c`, `patient=Patient/1`) is decided
 * from the resource's own search index values — the rows the same search would read — so the common case
 * costs no query; everything else (modifiers, chains, dates, strings…) runs as a search for this one
 * resource in the writing transaction. Answers are shared by the subscriptions of one write.
 */
import type { Resource } from 'fhir/r4';
import { decide } from '../auth/access-policy';
import { parseScopes } from '../auth/scopes';
import { systemContext } from '../core/access-context';
import { parseSearchParams } from '../search/parse';
import type { SearchRegistry } from '../search/registry';
import type { Criterion, IndexValues, SearchValue } from '../search/types';
import type { StoreWriter, SubscriptionAccess } from '../store/types';
import type { SubscriptionFilter } from './subscription-spec';

type Registry = SearchRegistry;
/** The index rows plain token and reference filters are decided on. */
type RowsByName = Pick<IndexValues, 'token' | 'reference'>;

/** Per write: search answers shared by every subscription that asks the same question. */
export class WriteMatcher {
  private readonly answers = new Map<string, Promise<boolean>>();

  constructor(private readonly tx: StoreWriter, private readonly registry: Registry, private readonly resource: Resource & { id: string }) {}

  /** Answers decided from the index values, by key: the fan-out asks every subscription, most without a search. */
  private readonly decided = new Map<string, boolean>();

  /** `matches` when the resource's index values decide it (no search): at once, without a promise per subscription. */
  matchesNow(params: readonly [string, string][]): boolean | undefined {
    if (params.length === 0) return true;
    const key = keyOf(params);
    const known = this.decided.get(key);
    if (known !== undefined || this.answers.has(key)) return known;
    const criteria = parsedCriteria(this.registry, this.resource.resourceType, params);
    const quick = criteria ? decidedByIndexValues(criteria, this.valuesFor(criteria)) : undefined;
    if (quick !== undefined) this.decided.set(key, quick);
    return quick;
  }

  /** True when the resource matches every parameter (AND), as `Type?_id={id}&…` would find it. */
  matches(params: readonly [string, string][]): Promise<boolean> {
    const now = this.matchesNow(params);
    if (now !== undefined) return Promise.resolve(now);
    const key = keyOf(params);
    let answer = this.answers.get(key);
    if (!answer) {
      const { resourceType, id } = this.resource;
      const { query } = parseSearchParams(this.registry, [resourceType], [['_id', id], ...params], { strict: true, defaultCount: 1, maxCount: 1 });
      answer = this.tx.search(systemContext('subscription-filter'), query).then((r) => r.matches.length > 0);
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** Index rows of the parameters asked about so far: a filter needs one or two of the type's dozens of parameters. */
  private readonly values: RowsByName = { token: [], reference: [] };
  private readonly extracted = new Set<string>();

  private valuesFor(criteria: readonly Criterion[]): RowsByName {
    let missing: Set<string> | undefined;
    for (const c of criteria) if (!this.extracted.has(c.code)) (missing ??= new Set()).add(c.code);
    if (missing) {
      for (const code of missing) this.extracted.add(code);
      const rows = this.registry.extractOnly(this.resource, missing);
      this.values.token.push(...rows.token);
      this.values.reference.push(...rows.reference);
    }
    return this.values;
  }

  /** passesFilters when the index values decide every filter that applies (undefined: a search must tell). */
  passesFiltersNow(filters: readonly SubscriptionFilter[]): boolean | undefined {
    let all: boolean | undefined = true;
    for (const f of filters) {
      if (!f.resourceTypes.includes(this.resource.resourceType)) continue;
      const m = this.matchesNow(f.params);
      if (m === false) return false;
      if (m === undefined) all = undefined;
    }
    return all;
  }

  /** Every filter that applies to this type must match (filters for other types of the topic do not apply). */
  async passesFilters(filters: readonly SubscriptionFilter[]): Promise<boolean> {
    for (const f of filters) {
      if (f.resourceTypes.includes(this.resource.resourceType) && !(await this.matches(f.params))) return false;
    }
    return true;
  }

  /** May the subscription's author read this resource? (Only what it may read is counted or sent.) */
  async mayRead(access: SubscriptionAccess): Promise<boolean> {
    if (access.authDisabled) return true;
    const type = this.resource.resourceType;
    const subject = { scopes: parseScopes(access.scopes), patient: access.patient, patientCompartment: new Set(this.registry.compartmentTypes('Patient')) };
    const d = decide(subject, { permission: 'r', type });
    if (!d.allowed) return false;
    if (d.compartmentPatient && !this.inCompartment(d.compartmentPatient)) return false;
    if (!d.restrictions) return true;
    for (const pairs of d.restrictions) if (await this.matches(pairs)) return true;
    return false;
  }

  private inCompartment(patient: string): boolean {
    const r = this.resource;
    if (r.resourceType === 'Patient') return r.id === patient;
    const params = new Set(this.registry.compartmentParams('Patient', r.resourceType));
    return params.size > 0 && this.registry.extractOnly(r, params).reference.some((x) => params.has(x.param) && x.targetType === 'Patient' && x.targetId === patient);
  }
}

// The answers' key for a subscription's filter parameters, built once per parameter list, not per write.
const keys = new WeakMap<readonly [string, string][], string>();
function keyOf(params: readonly [string, string][]): string {
  let key = keys.get(params);
  if (key === undefined) keys.set(params, (key = JSON.stringify(params)));
  return key;
}

// A subscription's filter parameters parsed once per resource type (not once per write and subscription):
// the write path's matching cost stays flat in the number of subscriptions sharing a shape. null: unparseable.
const parsedByParams = new WeakMap<readonly [string, string][], Map<string, readonly Criterion[] | null>>();

function parsedCriteria(registry: Registry, type: string, params: readonly [string, string][]): readonly Criterion[] | null {
  let byType = parsedByParams.get(params);
  if (!byType) parsedByParams.set(params, (byType = new Map<string, readonly Criterion[] | null>()));
  let criteria = byType.get(type);
  if (criteria === undefined) {
    try {
      criteria = parseSearchParams(registry, [type], [...params], { strict: true, defaultCount: 1, maxCount: 1 }).query.criteria;
    } catch {
      criteria = null;
    }
    byType.set(type, criteria);
  }
  return criteria;
}

/** One value of a plain token or reference criterion against the index rows; undefined when only SQL can tell. */
function valueMatches(code: string, v: SearchValue, values: RowsByName): boolean | undefined {
  if (v.kind === 'token' && v.code !== undefined && v.text === undefined && v.valueSet === undefined && v.typeSystem === undefined && v.typeCode === undefined) {
    return values.token.some((t) => t.param === code && t.code === v.code && (v.system === undefined || t.system === v.system));
  }
  if (v.kind === 'reference' && v.id !== undefined && v.version === undefined && v.url === undefined && v.identifierSystem === undefined && v.identifierValue === undefined) {
    return values.reference.some((r) => r.param === code && r.targetId === v.id && (v.targetType === undefined || r.targetType === v.targetType));
  }
  return undefined;
}

/** All criteria (AND) of OR-ed plain values decided from index rows; undefined as soon as one needs SQL. */
export function decidedByIndexValues(criteria: readonly Criterion[], values: RowsByName): boolean | undefined {
  let all = true;
  for (const c of criteria) {
    if (c.modifier || c.chain || c.has || !c.parsed || c.parsed.length === 0 || (c.definition?.type !== 'token' && c.definition?.type !== 'reference')) return undefined;
    let any = false;
    for (const v of c.parsed) {
      const m = valueMatches(c.code, v, values);
      if (m === undefined) return undefined;
      any ||= m;
    }
    all &&= any;
  }
  return all;
}
