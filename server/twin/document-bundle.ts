/** A Composition as a FHIR document Bundle (https://hl7.org/fhir/R4/documents.html): Composition first, then what it references. */
import type { Bundle, BundleEntry, Composition, FhirResource, Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { SearchRegistry } from '../search/registry';
import type { StoreReader } from '../store/types';
import { referenceKey } from './fhir-values';
import { readReferenced, referencesIn } from './resolve-references';

export interface DocumentOptions {
  /** Absolute FHIR base URL (fullUrls). */
  baseUrl: string;
  now: Date;
  newId: () => string;
}

/** Followed one level further from the resources the Composition references (who did it, where, with what). */
const SECOND_LEVEL = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Medication', 'Location']);

/** Composition → every resource it references → their Practitioners/Organizations/Medications/Locations. */
async function documentResources(reader: StoreReader, registry: SearchRegistry, ctx: AccessContext, composition: Composition): Promise<Resource[]> {
  const self = `Composition/${composition.id ?? ''}`;
  // Subject and authors right after the Composition, as readers expect; then the rest in document order.
  const lead = [composition.subject, ...composition.author].map(referenceKey).filter((k): k is string => k !== undefined);
  const first = [...new Set([...lead, ...referencesIn(composition)])].filter((k) => k !== self);
  const level1 = await readReferenced(reader, registry, ctx, first);
  const known = new Set([self, ...level1.keys()]);
  const second = new Set<string>();
  for (const r of level1.values()) {
    for (const k of referencesIn(r)) if (!known.has(k) && SECOND_LEVEL.has(k.split('/')[0])) second.add(k);
  }
  const level2 = await readReferenced(reader, registry, ctx, second);
  const ordered = first.map((k) => level1.get(k)).filter((r): r is Resource => r !== undefined);
  return [...ordered, ...[...second].map((k) => level2.get(k)).filter((r): r is Resource => r !== undefined)];
}

export async function documentBundle(
  reader: StoreReader, registry: SearchRegistry, ctx: AccessContext, composition: Composition & { id: string }, opts: DocumentOptions,
): Promise<Bundle> {
  const resources = [composition, ...(await documentResources(reader, registry, ctx, composition))];
  const entry: BundleEntry[] = resources.map((r) => ({ fullUrl: `${opts.baseUrl}/${r.resourceType}/${r.id ?? ''}`, resource: r as FhirResource }));
  const now = opts.now.toISOString();
  return {
    resourceType: 'Bundle',
    id: opts.newId(),
    meta: { lastUpdated: now },
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${opts.newId()}` },
    type: 'document',
    timestamp: now,
    entry,
  };
}
