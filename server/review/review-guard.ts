/**
 * The write hook that makes the human step impossible to skip: every write in the system passes it,
 * inside its transaction, so REST, PATCH, Bundles (one entry or many) and anything else that writes are
 * refused alike when they would decide a machine finding without `$verify`. The server's own review
 * and extraction services mark their writes (AccessContext.origin) and pass.
 * A reviewer may DELETE a provisional finding; that is recorded as a refutation with a Provenance.
 */
import type { Provenance, Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { Clock, IdGenerator } from '../core/clock';
import { FhirError, forbidden } from '../core/fhir-error';
import type { ResourceChange, StoreWriter, WriteHook } from '../store/types';
import { decisionProvenance } from './decision-provenance';
import { practitionerOf, verifyDenial } from './permissions';
import { reviewStateOf } from './review-codes';
import { createRefusal, isMachineFinding, updateRefusal } from './review-rules';

export interface ReviewGuardDeps {
  clock: Clock;
  ids: IdGenerator;
}

const refuse = (reason: string, type: string): FhirError => new FhirError(422, 'business-rule', reason, [type]);

/** The version before this change, or undefined for a first version or one written over a delete. */
async function previousOf(tx: StoreWriter, ctx: AccessContext, change: ResourceChange): Promise<Resource | undefined> {
  if (change.stored.versionId <= 1) return undefined;
  const prev = await tx.vread(ctx, change.resourceType, change.id, change.stored.versionId - 1);
  return prev && !prev.deleted ? prev.resource : undefined;
}

/** Deleting a provisional finding is a refutation: only a clinician who may verify, and it leaves a Provenance. */
async function guardDelete(deps: ReviewGuardDeps, tx: StoreWriter, ctx: AccessContext, change: ResourceChange): Promise<void> {
  const ref = `${change.resourceType}/${change.id}`;
  if (!ctx.user) {
    throw refuse(`${ref} is a provisional machine finding; refute it with POST [base]/${ref}/$verify (decision=refute) instead of deleting it`, change.resourceType);
  }
  const denial = verifyDenial(ctx, change.resourceType);
  if (denial) throw forbidden(`Deleting a provisional finding refutes it, which needs a reviewer: ${denial}`);
  const provenance: Provenance & { id: string } = {
    ...decisionProvenance({
      resourceType: change.resourceType, id: change.id, previousVersion: change.stored.versionId - 1, newVersion: change.stored.versionId,
      decision: 'refute', reviewer: { reference: practitionerOf(ctx.user) ?? ctx.user }, note: `Refuted by deleting ${ref}`,
      recorded: deps.clock.now(),
    }),
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'DELETE', display: 'delete' }], text: 'refute' },
    id: deps.ids.newId(),
  };
  await tx.create(ctx, provenance);
}

async function guard(deps: ReviewGuardDeps, tx: StoreWriter, ctx: AccessContext, change: ResourceChange): Promise<void> {
  // $verify and extraction runs enforce their own rules (the twin builder writes no findings: it is guarded too)
  if (ctx.origin === 'review-decision' || ctx.origin === 'nlp-extraction') return;
  const next = change.stored.resource;
  if (change.kind === 'create' && next && change.stored.versionId <= 1) {
    const reason = createRefusal(next);
    if (reason) throw refuse(reason, change.resourceType);
    return;
  }
  const prev = await previousOf(tx, ctx, change);
  if (change.kind === 'delete' || !next) {
    if (prev && isMachineFinding(prev) && reviewStateOf(prev) === 'provisional') await guardDelete(deps, tx, ctx, change);
    return;
  }
  const reason = updateRefusal(prev, next);
  if (reason) throw refuse(reason, change.resourceType);
}

/** Register first, so a refused write never reaches the outboxes (extraction, twin) at all. */
export function createReviewGuard(deps: ReviewGuardDeps): WriteHook {
  return (tx, ctx, change) => guard(deps, tx, ctx, change);
}
