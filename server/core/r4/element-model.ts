/**
 * The one R4 model (built once in the composition root, passed to search, validation, patch and
 * _summary): fhirpath.js's generated R4 context (what each JSON key of each element means, type
 * ancestry) plus what only the official StructureDefinitions say (mandatory and summary elements).
 */
import type { Model } from 'fhirpath';
import * as r4 from 'fhirpath/fhir-context/r4';
import { type ElementKey, searchElement } from './search-elements';
import { type RequiredElement, type StructureFacts, definitionsDir, readStructureFacts } from './structure-definitions';

export type { RequiredElement } from './structure-definitions';
export { type ElementKey, fhirTypeName } from './search-elements';

export type ElementKind = 'primitive' | 'complex' | 'resource';

/** One JSON property of an element, as the R4 model defines it. */
export interface ChildInfo {
  /** FHIRPath name: the choice base for choice elements (`value` for `valueQuantity`). */
  name: string;
  /** The concrete type of a choice variant (`Quantity`, `string`), used as `.ofType(...)`. */
  ofType?: string;
  /** FHIR type code (`string`, `Quantity`, `BackboneElement`, `Resource`, `System.String`). */
  type: string;
  kind: ElementKind;
  /** Model path where this element's own children are listed (`Quantity`, `Bundle.entry`). */
  childPath: string;
  /** FHIRPath step for this key: `name`, or `value.ofType(Quantity)` for a choice variant. */
  step: string;
  /** Allowed target resource types of a Reference (`Resource` = any). */
  refTypes?: string[];
}

type RawType = string | { code: string; refType?: string[] };

/** Read-only view of the model, indexed by parent path then JSON key (without a leading `_`). */
export class R4Model {
  private readonly children = new Map<string, Map<string, ChildInfo>>();
  /** Choice bases per parent path (`Observation` → `value`, `effective`, ...). */
  private readonly choiceBases = new Map<string, Map<string, string[]>>();
  readonly resourceTypes: readonly string[];
  private readonly resourceTypeSet: ReadonlySet<string>;
  /** fhirpath.js's model object, for `fhirpath.compile`/`evaluate` and FHIRPath Patch. */
  readonly fhirpath: Model = r4;
  /** Read from the StructureDefinitions on first use (the profiles file is 35 MB), once per model. */
  private facts?: StructureFacts;

  constructor(private readonly definitionsPath: string = definitionsDir()) {
    const path2Type = r4.path2Type as unknown as Record<string, RawType>;
    const choices = r4.choiceTypePaths as Record<string, string[]>;
    const elsewhere = r4.pathsDefinedElsewhere as Record<string, string>;
    const refTypesOf = (r4.path2RefType ?? {}) as Record<string, string[]>;
    const variants = new Map<string, { base: string }>();
    for (const [choicePath, suffixes] of Object.entries(choices)) {
      const { parent, key: base } = split(choicePath);
      const bases = this.choiceBases.get(parent) ?? new Map<string, string[]>();
      bases.set(base, suffixes.map((s) => base + s));
      this.choiceBases.set(parent, bases);
      for (const s of suffixes) variants.set(`${parent}.${base}${s}`, { base });
    }
    for (const [path, raw] of Object.entries(path2Type)) {
      const type = typeof raw === 'string' ? raw : raw.code;
      const refTypes = typeof raw === 'string' ? refTypesOf[path] : raw.refType;
      const variant = variants.get(path);
      const { key } = split(path);
      const name = variant ? variant.base : key;
      this.add(path, {
        name,
        ...(variant ? { ofType: type } : {}),
        step: variant ? `${name}.ofType(${type})` : name,
        type,
        kind: kindOf(type),
        childPath: type === 'BackboneElement' || type === 'Element' ? path : type,
        ...(refTypes ? { refTypes } : {}),
      });
    }
    // content references such as Questionnaire.item.item → Questionnaire.item
    for (const [path, definedAt] of Object.entries(elsewhere)) {
      const target = this.lookupPath(definedAt);
      const name = split(path).key;
      if (target) this.add(path, { ...target, name, step: name, childPath: target.childPath });
    }
    const parents = r4.type2Parent as Record<string, string>;
    const isResource = (t: string): boolean => {
      for (let p = parents[t]; p; p = parents[p]) if (p === 'Resource') return true;
      return false;
    };
    this.resourceTypes = Object.keys(parents).filter((t) => t !== 'DomainResource' && isResource(t)).sort();
    this.resourceTypeSet = new Set(this.resourceTypes);
  }

  isResourceType(t: string): boolean {
    return this.resourceTypeSet.has(t);
  }

  /** The definition of JSON key `key` (with or without `_`) under model path `parent`. */
  child(parent: string, key: string): ChildInfo | undefined {
    const kids = this.children.get(parent);
    if (!kids) return undefined;
    return kids.get(key) ?? (key.charCodeAt(0) === 95 /* _ */ ? kids.get(key.slice(1)) : undefined);
  }

  /** Children of `parent` by JSON key; primitives are also listed under `_key` (hot path: one lookup per property). */
  childrenOf(parent: string): ReadonlyMap<string, ChildInfo> | undefined {
    return this.children.get(parent);
  }

  /** Whether `parent` is a model path with children (a type or backbone element). */
  hasChildren(parent: string): boolean {
    return this.children.has(parent);
  }

  /** JSON keys of each choice element of `parent`, by choice base. */
  choiceKeys(parent: string, base: string): string[] | undefined {
    return this.choiceBases.get(parent)?.get(base);
  }

  /** The type itself and its ancestors, e.g. Observation → [Observation, DomainResource, Resource]. */
  lineage(type: string): string[] {
    const parents = r4.type2Parent as Record<string, string>;
    const out: string[] = [];
    for (let p: string | undefined = type; p && !out.includes(p); p = parents[p]) out.push(p);
    return out;
  }

  /** The JSON keys and types a search path step `name` reaches under `context` (choices expanded, ancestors searched). */
  element(context: string, name: string): ElementKey[] | null {
    return searchElement(context, name);
  }

  /** Mandatory (min ≥ 1) children of a model path (`Observation`, `Bundle.entry.request`). */
  requiredElements(parent: string): readonly RequiredElement[] {
    return this.structure().required.get(parent) ?? [];
  }

  /** Top-level elements of a resource type flagged isSummary, and those that are mandatory. */
  topLevelElements(type: string): { summary: ReadonlySet<string>; mandatory: ReadonlySet<string> } {
    return this.structure().topLevel.get(type) ?? { summary: new Set(), mandatory: new Set() };
  }

  /** Reads the StructureDefinitions now (start-up) rather than at the first request that needs them. */
  structure(): StructureFacts {
    this.facts ??= readStructureFacts(this, this.definitionsPath);
    return this.facts;
  }

  /** FHIRPath step for a JSON key: `name`, or `value.ofType(Quantity)` for a choice. */
  step(info: ChildInfo | undefined, key: string): string {
    if (info) return info.step;
    return key.charCodeAt(0) === 95 ? key.slice(1) : key;
  }

  private lookupPath(path: string): ChildInfo | undefined {
    const { parent, key } = split(path);
    return this.children.get(parent)?.get(key);
  }

  private add(path: string, info: ChildInfo): void {
    const { parent, key } = split(path);
    let m = this.children.get(parent);
    if (!m) this.children.set(parent, (m = new Map<string, ChildInfo>()));
    m.set(key, info);
    if (info.kind === 'primitive') m.set(`_${key}`, info);
  }
}

function split(path: string): { parent: string; key: string } {
  const i = path.lastIndexOf('.');
  return { parent: path.slice(0, i), key: path.slice(i + 1) };
}

function kindOf(type: string): ElementKind {
  if (type === 'Resource') return 'resource';
  const c = type.charCodeAt(0);
  return type.startsWith('System.') || (c >= 97 && c <= 122) ? 'primitive' : 'complex';
}
