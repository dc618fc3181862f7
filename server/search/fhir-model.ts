/** Static R4 type knowledge (from the fhirpath r4 model) used to compile search paths ahead of time. */
import * as r4model from 'fhirpath/fhir-context/r4';

/** One JSON property an element can appear under, and the FHIR type found there. */
export interface ElementKey { key: string; type: string }

const SYSTEM_TYPES: Record<string, string> = {
  'System.String': 'string',
  'System.Boolean': 'boolean',
  'System.Date': 'date',
  'System.DateTime': 'dateTime',
  'System.Decimal': 'decimal',
  'System.Integer': 'integer',
  'System.Time': 'time',
};

/** Maps fhirpath's 'FHIR.x' / 'System.X' names to plain FHIR type names. */
export function fhirTypeName(t: string): string {
  if (SYSTEM_TYPES[t]) return SYSTEM_TYPES[t];
  return t.startsWith('FHIR.') ? t.slice(5) : t;
}

export interface FhirModel {
  isResourceType(name: string): boolean;
  resourceTypes(): string[];
  /** The type itself and its ancestors, e.g. Observation → [Observation, DomainResource, Resource]. */
  lineage(type: string): string[];
  /**
   * Where `name` lives under a type or backbone path, e.g. ('Observation', 'effective') →
   * effectiveDateTime/dateTime, effectivePeriod/Period, …; null if unknown.
   */
  element(context: string, name: string): ElementKey[] | null;
}

export function createFhirModel(): FhirModel {
  const { path2Type, choiceTypePaths, pathsDefinedElsewhere, type2Parent } = r4model;
  const resources = Object.keys(type2Parent).filter((t) => isResource(t));
  const resourceSet = new Set(resources);
  function isResource(t: string): boolean {
    for (let p: string | undefined = t; p; p = type2Parent[p]) if (p === 'Resource') return t !== 'DomainResource' && t !== 'Resource';
    return false;
  }
  // Backbone elements are typed by their own path so that their children resolve.
  const contextOf = (path: string, type: string): string =>
    type === 'BackboneElement' || type === 'Element' ? (pathsDefinedElsewhere[path] ?? path) : fhirTypeName(type);
  function direct(context: string, name: string): ElementKey[] | null {
    const path = `${context}.${name}`;
    const choices = choiceTypePaths[path];
    if (choices) {
      return choices.map((suffix) => {
        const t = path2Type[`${path}${suffix}`] ?? suffix;
        return { key: name + suffix, type: contextOf(`${path}${suffix}`, t) };
      });
    }
    const t = path2Type[path];
    if (t) return [{ key: name, type: contextOf(path, t) }];
    const elsewhere = pathsDefinedElsewhere[path];
    return elsewhere ? [{ key: name, type: elsewhere }] : null;
  }
  return {
    isResourceType: (name) => resourceSet.has(name),
    resourceTypes: () => resources.slice(),
    lineage(type) {
      const out: string[] = [];
      for (let p: string | undefined = type; p; p = type2Parent[p]) out.push(p);
      return out;
    },
    element(context, name) {
      for (let c: string | undefined = context; c; c = type2Parent[c]) {
        const found = direct(c, name);
        if (found) return found;
      }
      return null;
    },
  };
}
