/** String index rows (normalised + exact) from string-like values, HumanName and Address parts. */
import type { StringIndex } from './types';
import type { TypedNode } from './path-compiler';
import { clip, normalizeString } from './normalize';

type Obj = Record<string, unknown>;

const NAME_PARTS = ['family', 'given', 'prefix', 'suffix', 'text'];
const ADDRESS_PARTS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];
const STRING_TYPES = new Set(['string', 'markdown', 'code', 'id', 'uri', 'url', 'canonical', 'uuid', 'oid']);

function push(param: string, v: unknown, out: StringIndex[]): void {
  if (typeof v !== 'string') return;
  const norm = normalizeString(v);
  if (norm.length === 0) return;
  out.push({ param, norm, exact: clip(v) });
}

function parts(param: string, o: Obj, keys: string[], out: StringIndex[]): void {
  for (const k of keys) {
    const v = o[k];
    if (Array.isArray(v)) for (const item of v) push(param, item, out);
    else push(param, v, out);
  }
}

/** Appends the string rows for one value of a string parameter. */
export function stringRows(param: string, node: TypedNode, out: StringIndex[]): void {
  const v = node.value;
  if (STRING_TYPES.has(node.type)) return push(param, v, out);
  if (!v || typeof v !== 'object') return;
  const o = v as Obj;
  if (node.type === 'HumanName') parts(param, o, NAME_PARTS, out);
  else if (node.type === 'Address') parts(param, o, ADDRESS_PARTS, out);
  else if (node.type === 'CodeableConcept') push(param, o.text, out);
  else if (node.type === 'Coding') push(param, o.display, out);
  else if (node.type === 'Annotation') push(param, o.text, out);
}
