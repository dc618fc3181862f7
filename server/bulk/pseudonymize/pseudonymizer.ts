/** createPseudonymizer: a profile compiled once with a secret, applied to resource after resource while streaming. */
import type { Resource } from 'fhir/r4';
import { R4Model } from '../../core/r4/element-model';
import { createSearchRegistry, type SearchRegistry } from '../../search/registry';
import { keyedFunctions } from './keys';
import { applyLeafAction } from './leaf-actions';
import { patientFinder } from './patient-of';
import type { LeafAction, PseudonymizationProfile } from './profile-schema';
import { referenceRewriter } from './references';
import { compileRules } from './rule-compiler';
import { type WalkEnv, walkResource } from './walker';

export interface Pseudonymizer {
  /** The profile's name (for the export manifest). */
  readonly profile: string;
  /** The de-identified copy of `resource` (the input is not changed); undefined = leave it out of the export. */
  apply(resource: Resource): Resource | undefined;
  /**
   * The (source) id of the patient `resource` belongs to by the R4 Patient compartment, or undefined:
   * what the export checks against researchExclusions before it applies.
   */
  patientOf(resource: Resource): string | undefined;
}

export interface PseudonymizerOptions {
  /** The one R4 model of the composition root (built when absent). */
  model?: R4Model;
  /** The search registry (its Patient compartment finds each resource's patient); built when absent. */
  registry?: SearchRegistry;
  /** This server's FHIR bases: absolute references to them are rewritten like relative ones. */
  baseUrls?: readonly string[];
}

/**
 * Compiles `profile` (400 on a rule that does not compile) and keys it with `secret` (≥ 32 bytes).
 * Same secret → same pseudonyms and offsets in every run; another secret → unlinkable ones.
 */
export function createPseudonymizer(profile: PseudonymizationProfile, secret: Uint8Array, opts: PseudonymizerOptions = {}): Pseudonymizer {
  const keyed = keyedFunctions(secret);
  const model = opts.model ?? new R4Model();
  const registry = opts.registry ?? createSearchRegistry(model);
  const rules = compileRules(profile, model);
  const dropTypes = new Set(profile.dropResourceTypes);
  const references = referenceRewriter({
    keyed, pseudonymizeIds: profile.pseudonymizeIds, dropTypes, isResourceType: (t) => model.isResourceType(t), baseUrls: opts.baseUrls ?? [],
  });
  const patientOf = patientFinder(registry, model);
  const offsets = new Map<string, number>();
  const defaultAction: LeafAction = { action: profile.defaultAction };
  const env: WalkEnv = {
    model, rules, references, dropTypes, defaultAction,
    applyLeaf: (a, value, type, offsetDays) => applyLeafAction(a, value, type, offsetDays, keyed),
    offsetOf(resource) {
      // a patient's resources share the patient's offset; a resource of nobody's (Practitioner) its own
      const patient = patientOf(resource);
      const subject = patient !== undefined ? `Patient/${patient}` : `${resource.resourceType}/${typeof resource.id === 'string' ? resource.id : ''}`;
      let days = offsets.get(subject);
      if (days === undefined) {
        if (offsets.size >= 100_000) offsets.clear();
        offsets.set(subject, (days = keyed.dateOffsetDays(subject, profile.dateShiftMaxDays)));
      }
      return days;
    },
  };
  return {
    profile: profile.name,
    apply: (resource) => walkResource(env, resource) as Resource | undefined,
    patientOf,
  };
}
