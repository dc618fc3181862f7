/** Turns a JSON pointer inside a resource into a FHIRPath expression (`/name/0/given/1` → `Patient.name[0].given[1]`). */
import type { ChildInfo, R4Model } from '../core/r4/element-model';

export interface PointerTarget {
  expression: string;
  /** Definition of the last named element on the path (undefined if unknown to R4). */
  info?: ChildInfo;
  /** The value at the pointer (undefined if absent). */
  value: unknown;
}

/** Splits an ajv instancePath (`/a/0/b`) into unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Resolves `segments` starting at `root` (a resource whose own expression is `rootExpr`).
 * Choice elements become `.ofType(T)`, primitive extensions (`_given`) map onto the primitive, and
 * nested resources continue with their own resourceType.
 */
export function resolvePointer(model: R4Model, root: unknown, segments: string[], rootExpr: string): PointerTarget {
  let node: unknown = root;
  let modelPath = resourceTypeOf(root) ?? '';
  let expr = rootExpr;
  let info: ChildInfo | undefined;
  for (const seg of segments) {
    if (Array.isArray(node)) {
      expr += `[${seg}]`;
      node = node[Number(seg)];
    } else {
      info = modelPath ? model.child(modelPath, seg) : undefined;
      expr += `.${model.step(info, seg)}`;
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
      modelPath = info ? info.childPath : '';
      if (seg.charCodeAt(0) === 95) modelPath = 'Element'; // `_x` holds id/extension of primitive x
    }
    if (info?.kind === 'resource' && !Array.isArray(node)) modelPath = resourceTypeOf(node) ?? '';
  }
  return { expression: expr, info, value: node };
}

export function resourceTypeOf(node: unknown): string | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const rt = (node as { resourceType?: unknown }).resourceType;
  return typeof rt === 'string' ? rt : undefined;
}
