/**
 * bulk/pseudonymize: the de-identification step of the research export. Load a profile by name, key
 * it with the secret (PSEUDONYMIZATION_KEY) and apply it to each resource while streaming.
 */
export { loadPseudonymizationProfile, parsePseudonymizationProfile, pseudonymizationProfileNames } from './load-profile';
export { createPseudonymizer, type Pseudonymizer, type PseudonymizerOptions } from './pseudonymizer';
export type { PseudonymizationProfile, ProfileRule, TypeDefault, LeafAction } from './profile-schema';
export { MIN_SECRET_BYTES, requirePseudonymizationKey } from './keys';
