/** Token and uri index rows from typed values (Coding, CodeableConcept, Identifier, ContactPoint, code, boolean…). */
import type { TokenIndex, UriIndex } from './types';
import type { TypedNode } from './path-compiler';
import { clip, normalizeString } from './normalize';

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? clip(v) : null);
const norm = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? normalizeString(v) : null);

const PLAIN_TOKEN_TYPES = new Set(['code', 'string', 'id', 'uri', 'url', 'canonical', 'uuid', 'oid', 'markdown', 'integer', 'decimal', 'positiveInt', 'unsignedInt']);

function coding(param: string, c: Obj, fallbackDisplay: string | null, out: TokenIndex[]): void {
  const system = str(c.system);
  const code = str(c.code);
  if (system === null && code === null) return;
  out.push({ param, system, code, display: norm(c.display) ?? fallbackDisplay });
}

function identifier(param: string, id: Obj, out: TokenIndex[]): void {
  const system = str(id.system);
  const code = str(id.value);
  if (system === null && code === null) return;
  const typeCodings = ((id.type as Obj | undefined)?.coding as Obj[] | undefined) ?? [];
  if (typeCodings.length === 0) {
    out.push({ param, system, code, display: norm((id.type as Obj | undefined)?.text) });
    return;
  }
  // One row per identifier-type coding so that :of-type can match any of them.
  for (const t of typeCodings) out.push({ param, system, code, display: null, typeSystem: str(t.system), typeCode: str(t.code) });
}

/** Appends the token rows for one value of a token parameter. */
export function tokenRows(param: string, node: TypedNode, out: TokenIndex[]): void {
  const v = node.value;
  if (node.type === 'boolean') {
    if (typeof v === 'boolean') out.push({ param, system: null, code: String(v), display: null });
    return;
  }
  if (PLAIN_TOKEN_TYPES.has(node.type)) {
    if (typeof v === 'string' || typeof v === 'number') out.push({ param, system: null, code: clip(String(v)), display: null });
    return;
  }
  if (!v || typeof v !== 'object') return;
  const o = v as Obj;
  switch (node.type) {
    case 'Coding':
      return coding(param, o, null, out);
    case 'CodeableConcept': {
      const text = norm(o.text);
      for (const c of (o.coding as Obj[] | undefined) ?? []) if (c) coding(param, c, text, out);
      // The concept text alone, so that :text matches it even without codings.
      if (text) out.push({ param, system: null, code: null, display: text });
      return;
    }
    case 'Identifier':
      return identifier(param, o, out);
    case 'ContactPoint': {
      const code = str(o.value);
      if (code) out.push({ param, system: str(o.system), code, display: null });
      return;
    }
  }
}

const URI_TYPES = new Set(['uri', 'url', 'canonical', 'uuid', 'oid', 'string', 'code', 'id']);

/** Appends the uri row for one value of a uri parameter. */
export function uriRows(param: string, node: TypedNode, out: UriIndex[]): void {
  if (URI_TYPES.has(node.type) && typeof node.value === 'string' && node.value.length > 0) {
    out.push({ param, value: clip(node.value) });
  }
}
