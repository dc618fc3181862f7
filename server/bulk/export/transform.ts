/**
 * The seam for a per-job transform in the export stream (pseudonymisation, consent exclusions): each
 * resource passes `apply` before it is written; `undefined` leaves it out (counted per type). Patients in
 * `excludedPatients` are left out of Patient/Group-level exports before any of their data is read, and the
 * manifest reports how many were excluded and why. `_elements` is a transform of the same shape.
 */
import type { Resource } from 'fhir/r4';
import { V3_OBSERVATION_VALUE } from '../../core/canonical-urls';

export interface ExportTransform {
  /** Patient id → reason (e.g. 'consent-denied'); never exported. */
  readonly excludedPatients: ReadonlyMap<string, string>;
  /** The resource as it is to be exported, or undefined to leave it out. */
  apply(resource: Resource): Resource | undefined;
}

const SUBSETTED = { system: V3_OBSERVATION_VALUE, code: 'SUBSETTED' };
/** Elements every resource keeps under `_elements` (search.html#elements: mandatory and modifier elements at least). */
const ALWAYS = new Set(['resourceType', 'id', 'meta', 'implicitRules', 'modifierExtension']);

/** `_elements`: only the named top-level elements (those named `Type.element` only on that type), tagged SUBSETTED. */
export function elementsTransform(elements: readonly string[]): ExportTransform {
  const general = new Set(elements.filter((e) => !e.includes('.')));
  const typed = elements.filter((e) => e.includes('.')).map((e) => e.split('.') as [string, string]);
  return {
    excludedPatients: new Map(),
    apply(resource) {
      const keep = new Set([...general, ...typed.filter(([t]) => t === resource.resourceType).map(([, e]) => e)]);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(resource)) if (ALWAYS.has(k) || keep.has(k) || keep.has(k.replace(/^value.*/, 'value[x]'))) out[k] = v;
      const meta = resource.meta ?? {};
      out.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
      return out as unknown as Resource;
    },
  };
}

/** Applies `first`, then `second` to what is left. */
export function composeTransforms(first: ExportTransform | undefined, second: ExportTransform | undefined): ExportTransform | undefined {
  if (!first || !second) return first ?? second;
  return {
    excludedPatients: new Map([...first.excludedPatients, ...second.excludedPatients]),
    apply: (r) => {
      const a = first.apply(r);
      return a === undefined ? undefined : second.apply(a);
    },
  };
}
