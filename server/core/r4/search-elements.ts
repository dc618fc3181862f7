/** Where a search path step lands in R4 JSON: the keys (choice variants included) and their types, from fhirpath.js's R4 context. */
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

const { path2Type, choiceTypePaths, pathsDefinedElsewhere, type2Parent } = r4model;

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

/**
 * Where `name` lives under a type or backbone path, e.g. ('Observation', 'effective') →
 * effectiveDateTime/dateTime, effectivePeriod/Period, …; inherited elements found on ancestors; null if unknown.
 */
export function searchElement(context: string, name: string): ElementKey[] | null {
  for (let c: string | undefined = context; c; c = type2Parent[c]) {
    const found = direct(c, name);
    if (found) return found;
  }
  return null;
}
