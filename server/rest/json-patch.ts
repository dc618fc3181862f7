/**
 * JSON Patch (RFC 6902) on a stored resource, bounded: at most MAX_PATCH_OPERATIONS operations, and
 * before each operation the resource's projected size (what `add`/`replace` bring in, what `copy`
 * duplicates) is checked against the resource size limit and copies against MAX_COPY_BYTES, so twenty
 * `copy /name → /name/-` can never grow memory past a bounded multiple of MAX_BODY (nor burn seconds of CPU). The whole resource (path "") cannot be replaced,
 * removed or moved: a patch edits a resource, it does not swap it for another value.
 */
import type { Resource } from 'fhir/r4';
import { type Operation, applyOperation, getValueByPointer } from 'fast-json-patch';
import { FhirError, badRequest } from '../core/fhir-error';

export const MAX_PATCH_OPERATIONS = 1000;
/** `copy` is the one amplifier (it duplicates data the request did not send): 1 MB of copies per patch. */
export const MAX_COPY_BYTES = 1024 * 1024;
const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);
type Op = Operation & { op: string; path: string; from?: string; value?: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const jsonSize = (v: unknown): number => (v === undefined ? 0 : (JSON.stringify(v)?.length ?? 0));

/** Applies `body` (already parsed JSON) to a copy of `current`; `maxBytes` bounds the result. */
export function applyJsonPatch(current: Resource, body: unknown, maxBytes: number): Resource {
  const ops = checkOperations(body);
  let projected = jsonSize(current);
  let copied = 0;
  const doc = structuredClone(current);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const grows = growth(doc, op);
    projected += grows;
    if (op.op === 'copy') copied += grows;
    if (copied > MAX_COPY_BYTES) {
      throw new FhirError(413, 'too-costly', `JSON Patch operation ${i} would copy more than ${MAX_COPY_BYTES} bytes in one patch; refused before applying it`, [`/${i}`]);
    }
    if (projected > maxBytes) {
      throw new FhirError(413, 'too-costly', `JSON Patch operation ${i} (${op.op}) would grow the resource past ${maxBytes} bytes (MAX_RESOURCE_BYTES); refused before applying it`, [`/${i}`]);
    }
    try {
      applyOperation(doc, op, true, true, true, i);
    } catch (err) {
      throw new FhirError(422, 'processing', `JSON Patch failed at operation ${i}: ${(err as Error).message.split('\n')[0].slice(0, 200)}`, [`/${i}`]);
    }
  }
  return doc;
}

/** Upper bound of what an operation adds (a replace is not credited with what it removes). */
function growth(doc: Resource, op: Op): number {
  if (op.op === 'add' || op.op === 'replace') return jsonSize(op.value);
  if (op.op !== 'copy' || op.from === undefined) return 0;
  try {
    return jsonSize(getValueByPointer(doc, op.from));
  } catch {
    return 0; // a bad pointer: applyOperation reports it
  }
}

function checkOperations(body: unknown): Op[] {
  if (!Array.isArray(body)) throw badRequest('A JSON Patch body must be an array of operations');
  if (body.length > MAX_PATCH_OPERATIONS) throw new FhirError(413, 'too-costly', `A JSON Patch may hold at most ${MAX_PATCH_OPERATIONS} operations (got ${body.length})`);
  return body.map((op, i) => checkOperation(op, i));
}

function checkOperation(op: unknown, i: number): Op {
  const at = [`/${i}`];
  if (!isObject(op)) throw badRequest(`JSON Patch operation ${i} must be an object`, at);
  if (typeof op.op !== 'string' || !OPS.has(op.op)) throw badRequest(`JSON Patch operation ${i}: 'op' must be one of ${[...OPS].join(', ')}`, at);
  if (!isPointer(op.path)) throw badRequest(`JSON Patch operation ${i}: 'path' must be a JSON Pointer ("" or starting with "/")`, at);
  if (op.path === '' && op.op !== 'test') throw new FhirError(422, 'processing', `JSON Patch operation ${i}: '${op.op}' cannot target the whole resource (path "")`, at);
  if (op.op === 'move' || op.op === 'copy') {
    if (!isPointer(op.from)) throw badRequest(`JSON Patch operation ${i}: '${op.op}' needs 'from', a JSON Pointer`, at);
    if (op.op === 'move' && op.from === '') throw new FhirError(422, 'processing', `JSON Patch operation ${i}: the whole resource cannot be moved`, at);
  }
  if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) throw badRequest(`JSON Patch operation ${i}: '${op.op}' needs a 'value'`, at);
  return op as unknown as Op;
}

const isPointer = (p: unknown): p is string => typeof p === 'string' && (p === '' || p.startsWith('/'));
