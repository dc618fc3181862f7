/**
 * The pseudonymised research export (`$export?_pseudonymize=<profile>`, issue 14): the profile and the key
 * are checked at kick-off; the job stores only the profile's name, and this factory rebuilds the same
 * transform whenever the job (re)starts — same key, same pseudonyms, so a resumed export stays linkable
 * with what it already wrote. Patients whose Consent denies research are left out with everything of theirs.
 */
import type { Resource } from 'fhir/r4';
import type { R4Model } from '../../core/r4/element-model';
import type { SearchRegistry } from '../../search/registry';
import type { ExportJobRecord, StoreReader } from '../../store/types';
import { researchExclusions } from '../consent';
import { createPseudonymizer, loadPseudonymizationProfile, requirePseudonymizationKey } from '../pseudonymize';
import { jobContext, jobParams } from './job-params';
import type { ExportTransform, ExportTransformFactory } from './transform';

export interface ResearchExportDeps {
  /** PSEUDONYMIZATION_KEY; absent = every `_pseudonymize` kick-off is a 400. */
  key: Uint8Array | undefined;
  model: R4Model;
  registry: SearchRegistry;
}

/** Kick-off check: the profile exists and compiles, and a key is configured (400 otherwise; the key is never shown). */
export function checkPseudonymize(d: ResearchExportDeps, profile: string): void {
  loadPseudonymizationProfile(profile, { model: d.model });
  requirePseudonymizationKey(d.key);
}

/** The transform of a `_pseudonymize` job: consent exclusions (judged at the job's transactionTime), then the profile. */
export function researchTransformFactory(d: ResearchExportDeps & { reader: StoreReader }): ExportTransformFactory {
  return async (job: ExportJobRecord): Promise<ExportTransform | undefined> => {
    const p = jobParams(job);
    if (!p.pseudonymize) return undefined;
    const profile = loadPseudonymizationProfile(p.pseudonymize.profile, { model: d.model });
    const pseudonymizer = createPseudonymizer(profile, requirePseudonymizationKey(d.key), { model: d.model, registry: d.registry, baseUrls: [p.pseudonymize.baseUrl] });
    const cohort = Array.isArray(p.cohort) ? p.cohort : undefined;
    const excludedPatients = await researchExclusions(d.reader, jobContext(job), cohort, { registry: d.registry, now: job.transactionTime });
    return {
      excludedPatients,
      apply(resource: Resource): Resource | undefined {
        // Also at system level, where no cohort filters the reads: nothing of an excluded patient leaves.
        const patient = pseudonymizer.patientOf(resource);
        if (patient !== undefined && excludedPatients.has(patient)) return undefined;
        return pseudonymizer.apply(resource);
      },
    };
  };
}
