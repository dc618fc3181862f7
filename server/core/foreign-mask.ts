/**
 * Element-level masking for patient-context tokens. A resource in two patients' compartments (a Group with
 * members A and B, a Provenance targeting both, Patient.link, an Encounter or CareTeam with several patient
 * participants) is visible to A's token, but B's ids in it are not A's to see. Every reference to a Patient
 * other than the token's (and to any resource the caller names as foreign-only) is replaced in place by a
 * Reference carrying only the data-absent-reason `masked` (so 1..1 elements keep their cardinality), the
 * narrative (which may repeat the hidden names) is dropped, and meta.security gets v3 MASKED. Identifiers
 * name patients as well as ids do: a Reference by identifier (with or without a literal reference) whose type
 * is Patient or unknown is masked unless the identifier is one of the token patient's own, and a Patient
 * nested in the resource (contained, a Bundle entry) is cut to a labelled stub unless all its identifiers are
 * hers (a contained one keeps its local id, so `#id` references resolve). A Reference typed as another resource keeps its identifier (it names that resource, not a patient).
 * Other nested resources are judged as if they were stored (their Patient compartments, from the caller):
 * a Bundle entry's (a stored document or collection carries resources of any patient) is shown only when its
 * type is exempt or it is in the token patient's compartment, else it is cut to a stub and the entry's url
 * strings (fullUrl, request url, response location) go with it (core/bundle-urls.ts); a contained one, part
 * of the resource that holds it, is cut only when it is in other patients' compartments and not hers.
 * Pure: the store's read seam applies it to every read it answers; bulk export and other streams may call it too.
 */
import type { Resource } from 'fhir/r4';
import type { RowRestriction } from './access-context';
import { bundleUrls, maskEntryUrls, maskLinks, namedTargets } from './bundle-urls';
import { DATA_ABSENT_REASON, MASKED_LABEL } from './masking-labels';

export { DATA_ABSENT_REASON, MASKED_LABEL };

/** `Type/id` of a literal reference, relative or absolute, with or without `/_history/n`; undefined otherwise. */
const LITERAL = /(?:^|\/)([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

export function referenceTarget(reference: string): { type: string; id: string } | undefined {
  if (reference.startsWith('#') || reference.startsWith('urn:')) return undefined;
  const m = LITERAL.exec(reference);
  return m ? { type: m[1], id: m[2] } : undefined;
}

/** Decides per referenced `Type/id` whether it is foreign (hidden from this token). */
export type ForeignTest = (type: string, id: string) => boolean;

/**
 * What is foreign to one token: literal `Type/id` targets, and identifiers (of an identifier-only or
 * identifier-carrying reference to a Patient or to an unknown type, and of a nested Patient resource).
 */
export interface ForeignRules {
  target: ForeignTest;
  /** True unless the identifier is one of the token patient's own (or a broad scope shows every patient). */
  identifier: (identifier: unknown) => boolean;
  /** A broad scope exempts Patient: no patient is foreign. */
  allPatients: boolean;
  /** The token's patient (a Bundle entry's Patient with this id is hers). */
  patient: string;
  /** Is a nested resource other than a Patient another patient's (cut to a stub)? `contained` when it is a contained one. */
  nestedForeign: (resource: Record<string, unknown>, contained: boolean) => boolean;
}

/** The Patient compartments a nested resource belongs to (the store computes them as it does for stored versions). */
export type CompartmentsOf = (resource: Record<string, unknown>) => readonly string[];

/** An identifier of the token's patient (from the Patient resource's `identifier`). */
export interface OwnIdentifier { system?: string; value?: string }

/**
 * Patient ids other than the token's are foreign, unless a broad scope exempts Patient; `alsoForeign` adds
 * looked-up targets (`Type/id`). An identifier is the patient's own when system and value both match one of
 * `ownIdentifiers`, or it has no system and its value is one of theirs (a value she holds reveals nothing new).
 */
export function foreignRulesOf(
  restriction: RowRestriction, alsoForeign: ReadonlySet<string> = new Set(), ownIdentifiers: readonly OwnIdentifier[] = [], compartmentsOf: CompartmentsOf = () => [],
): ForeignRules {
  const patientsExempt = restriction.exemptTypes.includes('Patient');
  const own = ownIdentifiers.filter((i) => typeof i.value === 'string');
  const ownKeys = new Set(own.map((i) => `${typeof i.system === 'string' ? i.system : ''}|${i.value as string}`));
  const ownValues = new Set(own.map((i) => i.value as string));
  return {
    allPatients: patientsExempt,
    patient: restriction.patient,
    nestedForeign: (resource, contained) => {
      if (restriction.exemptTypes.includes(String(resource.resourceType))) return false;
      const patients = compartmentsOf(resource);
      // A contained resource belongs to its holder: cut only when it is someone else's; an entry must be hers.
      return !patients.includes(restriction.patient) && (!contained || patients.length > 0);
    },
    target: (type, id) => (type === 'Patient' ? !patientsExempt && id !== restriction.patient : alsoForeign.has(`${type}/${id}`)),
    identifier: (identifier) => {
      if (patientsExempt) return false;
      if (!isObject(identifier) || typeof identifier.value !== 'string') return true;
      return typeof identifier.system === 'string' ? !ownKeys.has(`${identifier.system}|${identifier.value}`) : !ownValues.has(identifier.value);
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function maskedReference(type: string | undefined): Record<string, unknown> {
  return { extension: [{ url: DATA_ABSENT_REASON, valueCode: 'masked' }], ...(type ? { type } : {}) };
}

/** The elements of the Reference datatype: an object with only these (and an identifier) is an identifier reference. */
const REFERENCE_KEYS = new Set(['id', 'extension', 'reference', 'type', 'identifier', 'display']);
const STRUCTURE_DEFINITION = 'http://hl7.org/fhir/StructureDefinition/';

/** The referenced type of a Reference: its `type` (a uri relative to the core StructureDefinitions), else its literal target's; undefined when unknown. */
function referencedType(node: Record<string, unknown>): string | undefined {
  if (typeof node.type === 'string') return node.type.startsWith(STRUCTURE_DEFINITION) ? node.type.slice(STRUCTURE_DEFINITION.length) : node.type;
  return typeof node.reference === 'string' ? referenceTarget(node.reference)?.type : undefined;
}

/** A Reference that identifies its target by identifier, to a Patient or to a type it does not say: the identifier may be another patient's. */
function isPatientIdentifierReference(node: Record<string, unknown>): boolean {
  if (node.identifier === undefined || Array.isArray(node.identifier) || typeof node.resourceType === 'string') return false;
  if (!Object.keys(node).every((k) => REFERENCE_KEYS.has(k))) return false;
  const type = referencedType(node);
  return type === undefined || type === 'Patient';
}

/** A Patient resource nested in another (contained, a Bundle entry, a Parameters part): a patient's demographics. */
const isNestedPatient = (node: Record<string, unknown>): boolean => node.resourceType === 'Patient';

/**
 * A nested Patient is the token patient's own when every identifier is hers (one of another's makes it his)
 * and it has one; a Bundle entry's Patient carries a server id, which must then be hers (her identifiers under
 * his id would still show his id), and with her id it needs no identifier.
 */
function isOwnNestedPatient(node: Record<string, unknown>, rules: ForeignRules, contained: boolean): boolean {
  if (rules.allPatients) return true;
  if (node.identifier !== undefined && !Array.isArray(node.identifier)) return false;
  const identifiers: unknown[] = node.identifier ?? [];
  if (!identifiers.every((i) => !rules.identifier(i))) return false;
  if (contained || node.id === undefined) return identifiers.length > 0;
  return node.id === rules.patient;
}

/** Stubs made by this module: a Bundle entry whose resource became one loses its url strings too. */
const STUBS = new WeakSet<object>();

/** What stays of another patient's nested resource: its type, and a contained one its local id (so `#id` references still resolve). */
function maskedNested(node: Record<string, unknown>, contained: boolean): Record<string, unknown> {
  const stub = { resourceType: node.resourceType, ...(contained && typeof node.id === 'string' ? { id: node.id } : {}), meta: { security: [{ ...MASKED_LABEL }] } };
  STUBS.add(stub);
  return stub;
}

/**
 * The masked replacement of `node` when it is a foreign reference or another patient's nested resource; undefined otherwise.
 * Exported for search/masked-content.ts, which walks a resource taking maskNode's decisions without building the copy.
 */
export function maskedElement(node: Record<string, unknown>, rules: ForeignRules, contained: boolean): Record<string, unknown> | undefined {
  if (isNestedPatient(node)) return isOwnNestedPatient(node, rules, contained) ? undefined : maskedNested(node, contained);
  if (typeof node.resourceType === 'string') return rules.nestedForeign(node, contained) ? maskedNested(node, contained) : undefined;
  if (typeof node.reference === 'string') {
    const target = referenceTarget(node.reference);
    if (target && rules.target(target.type, target.id)) return maskedReference(target.type);
  }
  if (isPatientIdentifierReference(node) && rules.identifier(node.identifier)) return maskedReference(referencedType(node));
  return undefined;
}

/** Copy of `node` with foreign references masked, or `node` itself when nothing in it changed. */
function maskNode(node: unknown, rules: ForeignRules, top: boolean, contained = false): unknown {
  if (Array.isArray(node)) {
    let changed = false;
    const out = node.map((v) => {
      const m = maskNode(v, rules, false, contained);
      if (m !== v) changed = true;
      return m;
    });
    return changed ? out : node;
  }
  if (!isObject(node)) return node;
  // A contained resource's references are masked like any other (its own id is local, never a Patient id of ours).
  const replaced = top ? undefined : maskedElement(node, rules, contained);
  if (replaced) return replaced;
  let out: Record<string, unknown> | undefined;
  const bundle = node.resourceType === 'Bundle';
  for (const [k, v] of Object.entries(node)) {
    const m = bundle && (k === 'entry' || k === 'link') ? maskBundlePart(k, v, rules) : maskNode(v, rules, false, k === 'contained');
    // defineProperty: a hostile `__proto__` key stays a plain key of the copy.
    if (m !== v) Object.defineProperty((out ??= { ...node }), k, { value: m, enumerable: true, writable: true, configurable: true });
  }
  return out ?? node;
}

/** Does a url string of a Bundle name a target foreign to this token? */
const namesForeign = (rules: ForeignRules) => (s: string): boolean => namedTargets(s).some((t) => rules.target(t.type, t.id));

/** A Bundle's entries (each masked, then its url strings) or links (their urls). */
function maskBundlePart(key: 'entry' | 'link', value: unknown, rules: ForeignRules): unknown {
  if (key === 'link') return maskLinks(maskNode(value, rules, false), namesForeign(rules));
  if (!Array.isArray(value)) return maskNode(value, rules, false);
  const out = value.map((entry) => {
    const masked = maskNode(entry, rules, false);
    if (!isObject(masked)) return masked;
    const hidden = isObject(masked.resource) && STUBS.has(masked.resource);
    return maskEntryUrls(masked, hidden, namesForeign(rules));
  });
  return out.some((e, i) => e !== value[i]) ? out : value;
}

/** `resource` with foreign references and other patients' nested Patients masked and labelled; the same object when it names nothing foreign. */
export function maskForeign<T extends Resource>(resource: T, rules: ForeignRules): T {
  const masked = maskNode(resource, rules, true) as T & { text?: unknown };
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

/**
 * What masking a resource needs looked up: its literal `Type/id` targets, and whether it has identifiers to judge (the token
 * patient's own are then needed); `nested` tells whether it holds other resources (contained, Bundle entries).
 */
export interface MaskInputs { targets: Set<string>; identifiers: boolean; nested?: boolean }

export function maskInputs(resource: unknown, out: MaskInputs = { targets: new Set(), identifiers: false }, top = true): MaskInputs {
  if (Array.isArray(resource)) for (const v of resource) maskInputs(v, out, false);
  else if (isObject(resource)) {
    noteMaskInputs(resource, out, top);
    for (const v of Object.values(resource)) maskInputs(v, out, false);
  }
  return out;
}

/** What one object (not its children) adds to `out`: maskInputs' step, for a walk that visits the objects itself in the same order. */
export function noteMaskInputs(node: Record<string, unknown>, out: MaskInputs, top: boolean): void {
  if (typeof node.reference === 'string') {
    const t = referenceTarget(node.reference);
    if (t) out.targets.add(`${t.type}/${t.id}`);
  }
  if (!top && (isNestedPatient(node) || isPatientIdentifierReference(node))) out.identifiers = true;
  if (!top && typeof node.resourceType === 'string') out.nested = true;
  if (node.resourceType === 'Bundle') {
    for (const url of bundleUrls(node)) for (const t of namedTargets(url)) out.targets.add(`${t.type}/${t.id}`);
  }
}

/** Literal `Type/id` targets of every reference in `resource`. */
export function referenceTargets(resource: unknown, out: Set<string> = new Set()): Set<string> {
  return maskInputs(resource, { targets: out, identifiers: false }).targets;
}
