/** R4 element definitions for FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html), read from the R4 model's fhirpath context. */
import type { Model } from 'fhirpath';

/** Where an element sits in the model: fhirpath's node path (e.g. `Observation.component`, `HumanName`) and type. */
export interface ModelCtx {
  path: string | null;
  type: string | null;
}

/** What the model says about one child element. */
export interface ChildDef {
  /** Element name without a choice suffix (`value` for `valueQuantity`). */
  name: string;
  repeating: boolean;
  /** Declared type (`HumanName`, `date`, `BackboneElement`, `Resource`); absent for choice elements. */
  type?: string;
  /** Allowed type suffixes (`Quantity`, `String`, …) when the element is a choice `[x]`. */
  choiceTypes?: string[];
  /** Model context of the child's own content, for building it from nested parts. */
  content?: ModelCtx;
}

const FHIR_PRIMITIVES = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer',
  'markdown', 'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

/** R4 content references that repeat although the element they reuse does not. */
const REUSED_AS_LIST = new Set([
  'Consent.provision.provision', 'ImplementationGuide.definition.page.page',
  'MedicinalProductAuthorization.procedure.application', 'SubstanceSpecification.molecularWeight',
]);

export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
export const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** True for FHIR primitive type names and fhirpath's `System.*` types. */
export function isPrimitiveType(type: string): boolean {
  return FHIR_PRIMITIVES.has(type) || type.startsWith('System.');
}

/** What FHIRPath Patch asks of the R4 model, answered from its fhirpath context (`R4Model.fhirpath`). */
export class PatchModel {
  constructor(readonly fhirpath: Model) {}

  /** `type` followed by its ancestors (Age → Quantity → Element). */
  typeChain(type: string | null | undefined): string[] {
    const out: string[] = [];
    for (let t = type ?? undefined; t && !out.includes(t); t = this.fhirpath.type2Parent[t]) out.push(t);
    return out;
  }

  /** Model paths under which the children of `ctx` may be declared, most specific first. */
  private bases(ctx: ModelCtx): string[] {
    const out: string[] = [];
    const push = (p: string | null | undefined): void => {
      if (p && !out.includes(p)) out.push(p);
    };
    push(ctx.path);
    if (ctx.path) push(this.fhirpath.pathsDefinedElsewhere[ctx.path]);
    // Inherited children (extension, id, contained, …) are declared on ancestor types only.
    for (const t of [...this.typeChain(ctx.type), ...this.typeChain(ctx.path)]) push(t);
    return out;
  }

  /** The choice base of a concrete name (`value` for `valueQuantity`) if `base.<name>` is a choice element. */
  private choiceBase(base: string, name: string): string | undefined {
    for (let i = name.length - 1; i > 0; i--) {
      if (name[i] !== name[i].toUpperCase() || name[i] === name[i].toLowerCase()) continue;
      const types = this.fhirpath.choiceTypePaths[`${base}.${name.slice(0, i)}`];
      if (types?.includes(name.slice(i))) return name.slice(0, i);
    }
    return undefined;
  }

  private defAt(base: string, name: string): ChildDef | undefined {
    const full = `${base}.${name}`;
    const choices = this.fhirpath.choiceTypePaths[full];
    if (choices) return { name, repeating: false, choiceTypes: choices };
    const cb = this.choiceBase(base, name);
    if (cb) return { name: cb, repeating: false, choiceTypes: this.fhirpath.choiceTypePaths[`${base}.${cb}`] };
    const repeating = this.fhirpath.path2Repeating[full] === true;
    // Recursive backbone elements (Questionnaire.item.item) point at the definition they reuse; the
    // model has no cardinality for them, so borrow the target's (right except for REUSED_AS_LIST).
    const elsewhere = this.fhirpath.pathsDefinedElsewhere[full];
    if (elsewhere) {
      const listy = repeating || REUSED_AS_LIST.has(full) || this.fhirpath.path2Repeating[elsewhere] === true;
      return { name, repeating: listy, type: 'BackboneElement', content: { path: elsewhere, type: 'BackboneElement' } };
    }
    const type = this.fhirpath.path2Type[full];
    if (!type) return undefined;
    const anonymous = type === 'BackboneElement' || type === 'Element';
    return { name, repeating, type, content: anonymous ? { path: full, type } : { path: type, type } };
  }

  /** The definition of child `name` (plain or choice-suffixed) of an element at `ctx`, if the model knows it. */
  childDef(ctx: ModelCtx, name: string): ChildDef | undefined {
    for (const base of this.bases(ctx)) {
      const def = this.defAt(base, name);
      if (def) return def;
    }
    return undefined;
  }

  /** Whether the model can describe children of `ctx` at all (otherwise callers fall back to leniency). */
  isKnownCtx(ctx: ModelCtx): boolean {
    return this.bases(ctx).some((b) => this.fhirpath.path2Type[`${b}.id`] !== undefined || this.fhirpath.path2Type[`${b}.extension`] !== undefined);
  }

  /** Whether a value of type `actual` may stand where the model declares `expected` (same type or related by derivation). */
  isCompatibleType(expected: string, actual: string): boolean {
    return this.typeChain(actual).includes(expected) || this.typeChain(expected).includes(actual);
  }
}
