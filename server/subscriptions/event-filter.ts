/**
 * Whether one written resource belongs in one subscription's stream: the subscriber's filter criteria and
 * the author's access (scopes, patient compartment, query-restricted scopes). Filters and query
 * restrictions run as a search for this one resource in the writing transaction, so they mean exactly
 * what the same search would mean; results are shared by the subscriptions of one write.
 */
import type { Resource } from 'fhir/r4';
import { decide } from '../auth/access-policy';
import { parseScopes } from '../auth/scopes';
import { systemContext } from '../core/access-context';
import { parseSearchParams } from '../search/parse';
import type { SearchRegistry } from '../search/registry';
import type { StoreWriter, SubscriptionAccess } from '../store/types';
import type { SubscriptionFilter } from './subscription-spec';

type Registry = SearchRegistry;

/** Per write: search answers shared by every subscription that asks the same question. */
export class WriteMatcher {
  private readonly answers = new Map<string, Promise<boolean>>();

  constructor(private readonly tx: StoreWriter, private readonly registry: Registry, private readonly resource: Resource & { id: string }) {}

  /** True when the resource matches every parameter (AND), as `Type?_id={id}&…` would find it. */
  matches(params: readonly [string, string][]): Promise<boolean> {
    if (params.length === 0) return Promise.resolve(true);
    const key = JSON.stringify(params);
    let answer = this.answers.get(key);
    if (!answer) {
      const { resourceType, id } = this.resource;
      const { query } = parseSearchParams(this.registry, [resourceType], [['_id', id], ...params], { strict: true, defaultCount: 1, maxCount: 1 });
      answer = this.tx.search(systemContext('subscription-filter'), query).then((r) => r.matches.length > 0);
      this.answers.set(key, answer);
    }
    return answer;
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
    return params.size > 0 && this.registry.extract(r).reference.some((x) => params.has(x.param) && x.targetType === 'Patient' && x.targetId === patient);
  }
}
