/**
 * Finds the patient a resource belongs to through the official R4 Patient CompartmentDefinition (the
 * same parameters `/Patient/{id}/*` searches), so every resource of a patient gets that patient's date
 * offset. Expressions are compiled once per type to direct path walks where possible.
 */
import type { Resource } from 'fhir/r4';
import type { R4Model } from '../../core/r4/element-model';
import { type PathEvaluator, compileExpression } from '../../search/path-compiler';
import type { SearchRegistry } from '../../search/registry';

const PATIENT_REF = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

export type PatientFinder = (resource: Resource) => string | undefined;

/** Patient id of a resource: its own id for a Patient, else the first Patient its compartment parameters reference. */
export function patientFinder(registry: SearchRegistry, model: R4Model): PatientFinder {
  const plans = new Map<string, PathEvaluator[]>();
  const plan = (type: string): PathEvaluator[] => {
    let p = plans.get(type);
    if (!p) {
      p = [];
      for (const code of registry.compartmentParams('Patient', type)) {
        const expression = registry.get(type, code)?.expression;
        if (code !== '{def}' && expression) p.push(compileExpression(expression, type, model));
      }
      plans.set(type, p);
    }
    return p;
  };
  return (resource) => {
    if (resource.resourceType === 'Patient') return typeof resource.id === 'string' ? resource.id : undefined;
    for (const evaluate of plan(resource.resourceType)) {
      for (const node of evaluate(resource as unknown as Record<string, unknown>)) {
        const ref = (node.value as { reference?: unknown } | null)?.reference;
        const m = typeof ref === 'string' ? PATIENT_REF.exec(ref) : null;
        if (m) return m[1];
      }
    }
    return undefined;
  };
}
