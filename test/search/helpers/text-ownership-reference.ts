/**
 * Text ownership as first written (search/text-ownership.ts before it walked the resource once): the copy masked
 * for a token of no patient is built, and its words are extracted again. Kept as the plain statement of what the
 * write path must store, for text-ownership-equivalence.test.ts to hold the faster walk to it.
 */
import type { Resource } from 'fhir/r4';
import { foreignRulesOf, maskForeign, maskInputs } from '../../../server/core/foreign-mask';
import { contentText } from '../../../server/search/extract';
import { nestedCompartments } from '../../../server/search/patient-compartment';
import type { SearchRegistry } from '../../../server/search/registry';
import {
  EVERYONE, NESTED_BUDGET, type TextOwnership, firstShownOwner, literalTargets, nestedOver, provisional, soleNamedOwner,
} from '../../../server/search/text-ownership';

// The steps the faster walk did not change (budget, reference split, candidate order) are shared with the server;
// what stays here is what it replaced: the masked copy built and its text extracted again, each candidate masked whole.
export function referenceTextOwnership(registry: SearchRegistry, resource: Resource): TextOwnership {
  if (nestedOver(resource, NESTED_BUDGET)) return { owner: '', targets: [], idents: [], sharedContent: null };
  const compartments = nestedCompartments(registry);
  const nobody = foreignRulesOf({ patient: '', exemptTypes: [] }, new Set(), [], compartments);
  const allMasked = maskForeign(resource, { ...nobody, target: () => true });
  if (allMasked === resource) return { owner: EVERYONE, targets: [], idents: [], sharedContent: null };
  const inputs = maskInputs(resource);
  const { targets, named } = literalTargets(registry, inputs);
  const sharedContent = contentText(allMasked);
  if (!inputs.nested && !inputs.identifiers) return { owner: soleNamedOwner(named), targets, idents: [], sharedContent };
  const { owner, idents } = firstShownOwner(resource, named, (patient, seen) => maskForeign(resource, provisional(patient, seen, compartments)) === resource);
  return { owner, targets, idents, sharedContent };
}
