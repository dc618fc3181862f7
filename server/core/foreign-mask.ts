/**
 * Element-level masking for patient-context tokens. A resource in two patients' compartments (a Group with
 * members A and B, a Provenance targeting both, Patient.link, an Encounter or CareTeam with several patient
 * participants) is visible to A's token, but B's ids in it are not A's to see. Every reference to a Patient
 * other than the token's (and to any resource the caller names as foreign-only) is replaced in place by a
 * Reference carrying only the data-absent-reason `masked` (so 1..1 elements keep their cardinality), the
 * narrative (which may repeat the hidden names) is dropped, and meta.security gets v3 MASKED. Pure: the
 * store's read seam applies it to every read it answers; bulk export and other streams may call it too.
 */
import type { Coding, Resource } from 'fhir/r4';
import type { RowRestriction } from './access-context';

export const MASKED_LABEL: Readonly<Coding> = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'MASKED', display: 'masked' };
export const DATA_ABSENT_REASON = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** `Type/id` of a literal reference, relative or absolute, with or without `/_history/n`; undefined otherwise. */
const LITERAL = /(?:^|\/)([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

export function referenceTarget(reference: string): { type: string; id: string } | undefined {
  if (reference.startsWith('#') || reference.startsWith('urn:')) return undefined;
  const m = LITERAL.exec(reference);
  return m ? { type: m[1], id: m[2] } : undefined;
}

/** Decides per referenced `Type/id` whether it is foreign (hidden from this token). */
export type ForeignTest = (type: string, id: string) => boolean;

/** Patient ids other than the token's are foreign, unless a broad scope exempts Patient; `alsoForeign` adds looked-up targets (`Type/id`). */
export function foreignTestOf(restriction: RowRestriction, alsoForeign: ReadonlySet<string> = new Set()): ForeignTest {
  const patientsExempt = restriction.exemptTypes.includes('Patient');
  return (type, id) => (type === 'Patient' ? !patientsExempt && id !== restriction.patient : alsoForeign.has(`${type}/${id}`));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function maskedReference(type: string): Record<string, unknown> {
  return { extension: [{ url: DATA_ABSENT_REASON, valueCode: 'masked' }], type };
}

/** Copy of `node` with foreign references masked, or `node` itself when nothing in it changed. */
function maskNode(node: unknown, foreign: ForeignTest, top: boolean): unknown {
  if (Array.isArray(node)) {
    let changed = false;
    const out = node.map((v) => {
      const m = maskNode(v, foreign, false);
      if (m !== v) changed = true;
      return m;
    });
    return changed ? out : node;
  }
  if (!isObject(node)) return node;
  // A contained resource is masked like any other (its own id is local, never a Patient id of ours).
  if (!top && typeof node.reference === 'string') {
    const target = referenceTarget(node.reference);
    if (target && foreign(target.type, target.id)) return maskedReference(target.type);
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(node)) {
    const m = maskNode(v, foreign, false);
    // defineProperty: a hostile `__proto__` key stays a plain key of the copy.
    if (m !== v) Object.defineProperty((out ??= { ...node }), k, { value: m, enumerable: true, writable: true, configurable: true });
  }
  return out ?? node;
}

/** `resource` with foreign references masked and labelled; the same object when it names nothing foreign. */
export function maskForeign<T extends Resource>(resource: T, foreign: ForeignTest): T {
  const masked = maskNode(resource, foreign, true) as T & { text?: unknown };
  if (masked === resource) return resource;
  const security = (masked.meta?.security ?? []).filter((c) => !(c.system === MASKED_LABEL.system && c.code === MASKED_LABEL.code));
  // The narrative may spell out what the references named: it goes with them.
  const { text: _narrative, ...rest } = masked;
  return { ...rest, meta: { ...masked.meta, security: [...security, { ...MASKED_LABEL }] } } as unknown as T;
}

/** Does the resource carry the MASKED label (a masked copy, which must not be written back as data)? */
export function isMaskedCopy(resource: Resource): boolean {
  return (resource.meta?.security ?? []).some((c) => c.system === MASKED_LABEL.system && c.code === MASKED_LABEL.code);
}

/** Literal `Type/id` targets of every reference in `resource` (for looking up which are foreign). */
export function referenceTargets(resource: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(resource)) for (const v of resource) referenceTargets(v, out);
  else if (isObject(resource)) {
    if (typeof resource.reference === 'string') {
      const t = referenceTarget(resource.reference);
      if (t) out.add(`${t.type}/${t.id}`);
    }
    for (const v of Object.values(resource)) referenceTargets(v, out);
  }
  return out;
}
