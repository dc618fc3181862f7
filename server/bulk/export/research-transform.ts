/**
 * The pseudonymised research export (`$export?_pseudonymize=<profile>`, issue 14): the profile and the key
 * are checked at kick-off; the job stores only the profile's name, and the same transform is rebuilt
 * whenever the job (re)starts — same key, same pseudonyms, so a resumed export stays linkable with what it
 * already wrote. Patients whose Consent denies research are left out with everything of theirs.
 */
import type { Resource } from 'fhir/r4';
import type { R4Model } from '../../core/r4/element-model';
import type { SearchRegistry } from '../../search/registry';
import type { ExportJobRecord, StoreReader } from '../../store/types';
import { researchExclusions } from '../consent';
import { createPseudonymizer, loadPseudonymizationProfile, requirePseudonymizationKey } from '../pseudonymize';
import { jobContext, jobParams, type ExportJobParams } from './job-params';
import type { ExportTransform } from './transform';

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

/** The patients a `_pseudonymize` job leaves out (Consent judged at the job's transactionTime), id → reason; empty otherwise. */
export async function researchExclusionsOf(reader: StoreReader, registry: SearchRegistry, job: ExportJobRecord): Promise<Map<string, string>> {
  const p = jobParams(job);
  if (!p.pseudonymize) return new Map();
  const cohort = Array.isArray(p.cohort) ? p.cohort : undefined;
  return researchExclusions(reader, jobContext(job), cohort, { registry, now: job.transactionTime });
}

/** The transform of a `_pseudonymize` job: the excluded patients' resources left out, the rest through the profile. */
export function researchTransform(d: ResearchExportDeps, pseudonymize: NonNullable<ExportJobParams['pseudonymize']>, excludedPatients: ReadonlyMap<string, string>): ExportTransform {
  const profile = loadPseudonymizationProfile(pseudonymize.profile, { model: d.model });
  const pseudonymizer = createPseudonymizer(profile, requirePseudonymizationKey(d.key), { model: d.model, registry: d.registry, baseUrls: [pseudonymize.baseUrl] });
  return {
    excludedPatients,
    apply(resource: Resource): Resource | undefined {
      // Also at system level, where no cohort filters the reads: nothing of an excluded patient leaves.
      const patient = pseudonymizer.patientOf(resource);
      if (patient !== undefined && excludedPatients.has(patient)) return undefined;
      return pseudonymizer.apply(resource);
    },
  };
}
