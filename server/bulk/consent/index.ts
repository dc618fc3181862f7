/** bulk/consent: which patients a research export leaves out, and why, from their stored Consents. */
export { researchExclusions, periodContains, DENY_RESEARCH, CONSENT_SCOPE_RESEARCH, CONSENT_CATEGORY_RESEARCH, type ResearchExclusionOptions } from './research-exclusions';
