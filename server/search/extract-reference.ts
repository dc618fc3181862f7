/** Reference index rows: target type/id (from relative or absolute references), url, identifier. */
import type { ReferenceIndex } from './types';
import type { TypedNode } from './path-compiler';
import { parseReference } from './reference-parts';
import { clip } from './normalize';

type Obj = Record<string, unknown>;
const s = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? clip(v) : null);

function fromString(param: string, ref: string, out: ReferenceIndex[]): void {
  if (ref.length === 0) return;
  // A local reference (#id) points at a contained resource: kept as written, for chains into it.
  if (ref.startsWith('#')) {
    out.push({ param, targetType: null, targetId: null, targetVersion: null, url: clip(ref) });
    return;
  }
  const p = parseReference(ref);
  out.push({ param, targetType: p.type, targetId: p.id, targetVersion: p.version, url: p.url === null ? null : clip(p.url) });
}

/** Appends the reference rows for one value of a reference parameter. */
export function referenceRows(param: string, node: TypedNode, out: ReferenceIndex[]): void {
  const v = node.value;
  if (typeof v === 'string') {
    if (node.type === 'canonical' || node.type === 'uri' || node.type === 'url' || node.type === 'string') fromString(param, v, out);
    return;
  }
  if (node.type !== 'Reference' || !v || typeof v !== 'object') return;
  const r = v as Obj;
  const before = out.length;
  if (typeof r.reference === 'string') fromString(param, r.reference, out);
  const ident = r.identifier as Obj | undefined;
  if (ident && typeof ident === 'object' && (ident.value || ident.system)) {
    const identifierSystem = s(ident.system);
    const identifierValue = s(ident.value);
    if (out.length > before) Object.assign(out[out.length - 1], { identifierSystem, identifierValue });
    else out.push({ param, targetType: s(r.type), targetId: null, url: null, identifierSystem, identifierValue });
  }
}
