/** Loads our StructureDefinitions from profiles/ and compiles their differentials (slices, fixed/pattern, FHIRPath constraints). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as fhirpath from 'fhirpath';
import * as r4 from 'fhirpath/fhir-context/r4';
import { fixedOrPattern, satisfies } from './pattern-match';
import { type JsonObject, isObject } from './types';

export interface Step {
  /** JSON/FHIR element name; `value[x]` for a choice. */
  name: string;
  slice?: string;
}

export interface CompiledConstraint {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  evaluate: (node: unknown) => unknown[];
}

export interface CompiledElement {
  id: string;
  /** Steps below the root (empty for the root element). */
  steps: Step[];
  min?: number;
  max?: string;
  rule?: { kind: 'fixed' | 'pattern'; key: string; value: unknown };
  /** Allowed type codes (for choices) and reference target profiles. */
  typeCodes: string[];
  /** type.profile (e.g. the extension definition an extension slice must conform to). */
  typeProfiles: string[];
  targetProfiles: string[];
  constraints: CompiledConstraint[];
  closedSlicing: boolean;
  /** For a slice: does an item belong to it? */
  matches?: (item: unknown) => boolean;
}

export interface CompiledProfile {
  url: string;
  name: string;
  type: string;
  kind: string;
  elements: CompiledElement[];
}

/** An ElementDefinition as written in a differential. */
export interface ElementDefinitionJson extends JsonObject {
  id?: string;
  path: string;
  sliceName?: string;
  min?: number;
  max?: string;
  type?: { code: string; profile?: string[]; targetProfile?: string[] }[];
  constraint?: { key: string; severity: string; human: string; expression?: string }[];
  slicing?: { rules?: string };
}

/** The parts of a StructureDefinition the checker reads. */
export interface StructureDefinitionJson {
  resourceType: string;
  url: string;
  name: string;
  type: string;
  kind: string;
  differential?: { element?: ElementDefinitionJson[] };
}

/**
 * Reads every StructureDefinition JSON in `dir` (other resources, like our CodeSystem, are skipped).
 * A missing directory is an error: silently enforcing no profiles would let bad NLP output in.
 */
export function loadProfiles(dir: string): CompiledProfile[] {
  if (!existsSync(dir)) throw new Error(`Profiles directory not found: ${dir}`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const out: CompiledProfile[] = [];
  for (const f of files) {
    const raw = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as StructureDefinitionJson;
    if (raw.resourceType === 'StructureDefinition') out.push(compileProfile(raw, f));
  }
  return out;
}

export function compileProfile(sd: StructureDefinitionJson, source = sd.url): CompiledProfile {
  const raws = sd.differential?.element ?? [];
  const elements = raws.map((el) => compileElement(sd, el, source));
  elements.forEach((el, i) => {
    if (raws[i].sliceName) el.matches = sliceMatcher(el, elements, source);
  });
  return { url: sd.url, name: sd.name, type: sd.type, kind: sd.kind, elements };
}

function compileElement(sd: StructureDefinitionJson, el: ElementDefinitionJson, source: string): CompiledElement {
  const id = el.id ?? el.path;
  const [root, ...rest] = id.split('.');
  if (root !== sd.type) throw new Error(`${source}: element ${id} does not start with ${sd.type}`);
  const steps = rest.map((s): Step => {
    const [name, slice] = s.split(':');
    return slice ? { name, slice } : { name };
  });
  const rule = fixedOrPattern(el);
  const base = [root, ...steps.map((s) => s.name.replace('[x]', ''))].join('.');
  const constraints = (el.constraint ?? [])
    .filter((c) => c.expression)
    .map((c): CompiledConstraint => {
      let evaluate: CompiledConstraint['evaluate'];
      try {
        const fn = fhirpath.compile({ base, expression: c.expression as string }, r4);
        evaluate = (node) => fn(node) as unknown[];
      } catch (e) {
        throw new Error(`${source}: constraint ${c.key} does not compile: ${(e as Error).message}`);
      }
      return { key: c.key, severity: c.severity === 'warning' ? 'warning' : 'error', human: c.human, evaluate };
    });
  return {
    id,
    steps,
    ...(el.min !== undefined ? { min: el.min } : {}),
    ...(el.max !== undefined ? { max: el.max } : {}),
    ...(rule ? { rule } : {}),
    typeCodes: (el.type ?? []).map((t) => t.code),
    typeProfiles: (el.type ?? []).flatMap((t) => t.profile ?? []),
    targetProfiles: (el.type ?? []).flatMap((t) => t.targetProfile ?? []),
    constraints,
    closedSlicing: el.slicing?.rules === 'closed',
  };
}

/**
 * A slice is recognised by its own fixed/pattern value and those of its direct children
 * (e.g. `extension:quote.url` fixedUri), or, for extensions, by the extension profile's url.
 */
function sliceMatcher(slice: CompiledElement, all: CompiledElement[], source: string): (item: unknown) => boolean {
  const conditions: ((item: JsonObject) => boolean)[] = [];
  const { rule } = slice;
  if (rule) conditions.push((item) => satisfies(item, rule));
  let hasUrl = false;
  for (const child of all) {
    if (!child.id.startsWith(`${slice.id}.`) || child.steps.length !== slice.steps.length + 1) continue;
    const childRule = child.rule;
    if (!childRule) continue;
    const key = child.steps[child.steps.length - 1].name;
    if (key === 'url') hasUrl = true;
    conditions.push((item) => item[key] !== undefined && satisfies(item[key], childRule));
  }
  const last = slice.steps[slice.steps.length - 1];
  if (!hasUrl && (last.name === 'extension' || last.name === 'modifierExtension')) {
    const url = slice.typeProfiles[0];
    if (url) conditions.push((item) => item.url === url);
  }
  if (!conditions.length) throw new Error(`${source}: slice ${slice.id} has no fixed/pattern value to recognise it by`);
  return (item) => isObject(item) && conditions.every((c) => c(item));
}

