/** validation/ owns checking FHIR R4 resources: the official JSON schema (ajv), spec rules it misses, and our profiles in profiles/. */
import type { Issue } from '../core/fhir-error';
import type { R4Model } from '../core/r4/element-model';
import { FhirValidator, defaultProfilesDir } from './validator';

export interface ValidateOptions {
  /** Extra profile canonicals to check besides meta.profile. */
  profiles?: string[];
}

export interface ResourceValidator {
  /** All problems found; empty array = valid. Severity 'error' means reject. */
  validate(resource: unknown, opts?: ValidateOptions): Issue[];
  /** Resource type names the R4 schema knows. */
  resourceTypes(): string[];
  /** Canonical URLs of the profiles loaded from profiles/ (for the CapabilityStatement). */
  profileUrls(): string[];
}

/**
 * Builds a validator (reads the R4 definitions and profiles/: about a second; create one and share it).
 * Per-type schema validators compile on first use.
 */
export function createValidator(opts?: { profilesDir?: string; model?: R4Model }): ResourceValidator {
  const v = new FhirValidator(opts?.profilesDir ?? defaultProfilesDir(), opts?.model);
  return {
    validate: (resource, o) => v.validate(resource, o?.profiles ?? []),
    resourceTypes: () => v.resourceTypes(),
    profileUrls: () => v.profileUrls(),
  };
}
