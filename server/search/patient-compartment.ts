/**
 * Which patients' compartments a resource version belongs to (official R4 Patient CompartmentDefinition):
 * a Patient belongs to its own, and every resource to the compartment of each Patient it refers to through
 * a parameter the definition lists for its type. Computed from the version's own index values, so it agrees
 * with what a compartment search finds; the store keeps the answer with each version (its `patients` column).
 */
import type { Resource } from 'fhir/r4';
import type { SearchRegistry } from './registry';
import type { IndexValues } from './types';

/** Patient ids, sorted and unique; [] when the resource is in no patient's compartment. */
export function patientCompartmentsOf(registry: SearchRegistry, resource: Resource, values: IndexValues): string[] {
  const out = new Set<string>();
  if (resource.resourceType === 'Patient' && resource.id) out.add(resource.id);
  const params = new Set(registry.compartmentParams('Patient', resource.resourceType));
  if (params.size) {
    // Contained resources' rows carry `#Type:code` params, never a compartment parameter's plain code.
    for (const r of values.reference) if (params.has(r.param) && r.targetType === 'Patient' && r.targetId) out.add(r.targetId);
  }
  return [...out].sort();
}

/** The compartments of a resource nested in another (a Bundle entry, a contained one), computed as for a stored version. */
export const nestedCompartments = (registry: SearchRegistry) => (nested: Record<string, unknown>): readonly string[] => {
  const resource = nested as unknown as Resource;
  return patientCompartmentsOf(registry, resource, registry.extract(resource));
};
