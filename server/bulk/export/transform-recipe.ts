/**
 * What a job's transform is made of, as plain data: the `_pseudonymize` profile and base, the patients it
 * leaves out, `_elements`. Built once per (re)start from the job and the store (the Consent exclusions),
 * it rebuilds the same transform wherever it runs — in the job runner's thread or in the export's worker.
 */
import type { ExportJobRecord, StoreReader } from '../../store/types';
import { jobParams, type ExportJobParams } from './job-params';
import { researchExclusionsOf, researchTransform, type ResearchExportDeps } from './research-transform';
import { composeTransforms, elementsTransform, type ExportTransform } from './transform';

export interface TransformRecipe {
  pseudonymize?: NonNullable<ExportJobParams['pseudonymize']>;
  /** Patient id → reason: never exported. */
  excludedPatients: [string, string][];
  elements?: string[];
}

/** The job's recipe; undefined for a plain export (stored JSON written as is). */
export async function recipeOf(reader: StoreReader, deps: ResearchExportDeps, job: ExportJobRecord): Promise<TransformRecipe | undefined> {
  const p = jobParams(job);
  if (!p.pseudonymize && !p.elements) return undefined;
  const excluded = await researchExclusionsOf(reader, deps.registry, job);
  return { ...(p.pseudonymize ? { pseudonymize: p.pseudonymize } : {}), excludedPatients: [...excluded], ...(p.elements ? { elements: p.elements } : {}) };
}

/** The transform a recipe describes: consent exclusions and the profile first, then `_elements` on what is left. */
export function transformOf(recipe: TransformRecipe, deps: ResearchExportDeps): ExportTransform | undefined {
  const excluded = new Map(recipe.excludedPatients);
  const research = recipe.pseudonymize ? researchTransform(deps, recipe.pseudonymize, excluded) : undefined;
  return composeTransforms(research, recipe.elements ? elementsTransform(recipe.elements) : undefined);
}
