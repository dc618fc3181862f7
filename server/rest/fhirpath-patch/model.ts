/** R4 element definitions for FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html), read from fhirpath's R4 model. */
import type { Model } from 'fhirpath';
import * as r4 from 'fhirpath/fhir-context/r4';

export const r4Model: Model = r4;

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

/** `type` followed by its ancestors (Age → Quantity → Element). */
export function typeChain(type: string | null | undefined): string[] {
  const out: string[] = [];
  for (let t = type ?? undefined; t && !out.includes(t); t = r4Model.type2Parent[t]) out.push(t);
  return out;
}

/** Model paths under which the children of `ctx` may be declared, most specific first. */
function bases(ctx: ModelCtx): string[] {
  const out: string[] = [];
  const push = (p: string | null | undefined): void => {
    if (p && !out.includes(p)) out.push(p);
  };
  push(ctx.path);
  if (ctx.path) push(r4Model.pathsDefinedElsewhere[ctx.path]);
  // Inherited children (extension, id, contained, …) are declared on ancestor types only.
  for (const t of [...typeChain(ctx.type), ...typeChain(ctx.path)]) push(t);
  return out;
}

/** The choice base of a concrete name (`value` for `valueQuantity`) if `base.<name>` is a choice element. */
function choiceBase(base: string, name: string): string | undefined {
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== name[i].toUpperCase() || name[i] === name[i].toLowerCase()) continue;
    const types = r4Model.choiceTypePaths[`${base}.${name.slice(0, i)}`];
    if (types?.includes(name.slice(i))) return name.slice(0, i);
  }
  return undefined;
}

function defAt(base: string, name: string): ChildDef | undefined {
  const full = `${base}.${name}`;
  const choices = r4Model.choiceTypePaths[full];
  if (choices) return { name, repeating: false, choiceTypes: choices };
  const cb = choiceBase(base, name);
  if (cb) return { name: cb, repeating: false, choiceTypes: r4Model.choiceTypePaths[`${base}.${cb}`] };
  const repeating = r4Model.path2Repeating[full] === true;
  // Recursive backbone elements (Questionnaire.item.item) point at the definition they reuse; the
  // model has no cardinality for them, so borrow the target's (right except for REUSED_AS_LIST).
  const elsewhere = r4Model.pathsDefinedElsewhere[full];
  if (elsewhere) {
    const listy = repeating || REUSED_AS_LIST.has(full) || r4Model.path2Repeating[elsewhere] === true;
    return { name, repeating: listy, type: 'BackboneElement', content: { path: elsewhere, type: 'BackboneElement' } };
  }
  const type = r4Model.path2Type[full];
  if (!type) return undefined;
  const anonymous = type === 'BackboneElement' || type === 'Element';
  return { name, repeating, type, content: anonymous ? { path: full, type } : { path: type, type } };
}

/** The definition of child `name` (plain or choice-suffixed) of an element at `ctx`, if the model knows it. */
export function childDef(ctx: ModelCtx, name: string): ChildDef | undefined {
  for (const base of bases(ctx)) {
    const def = defAt(base, name);
    if (def) return def;
  }
  return undefined;
}

/** Whether the model can describe children of `ctx` at all (otherwise callers fall back to leniency). */
export function isKnownCtx(ctx: ModelCtx): boolean {
  return bases(ctx).some((b) => r4Model.path2Type[`${b}.id`] !== undefined || r4Model.path2Type[`${b}.extension`] !== undefined);
}

/** Whether a value of type `actual` may stand where the model declares `expected` (same type or related by derivation). */
export function isCompatibleType(expected: string, actual: string): boolean {
  return typeChain(actual).includes(expected) || typeChain(expected).includes(actual);
}
