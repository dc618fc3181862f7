/**
 * review/ owns the human step: $verify decisions, the review guard (only $verify changes review state),
 * the review queue and the clinician review page (ui/).
 *
 * Records clinicians' decisions on provisional findings: each decision writes the decided version and
 * its Provenance inside the caller's transaction (a batch is one transaction: all or nothing). Only
 * provisional findings can be decided; a finding already verified or refuted is a 409, so a second
 * reviewer never silently overwrites the first one's decision.
 */
import type { Provenance, Reference, Resource } from 'fhir/r4';
import { type AccessContext, asOrigin } from '../core/access-context';
import type { Clock, IdGenerator } from '../core/clock';
import { FhirError, conflict, gone, notFound } from '../core/fhir-error';
import type { SearchRegistry } from '../search/registry';
import type { StoreWriter, StoredResource } from '../store/types';
import type { ResourceValidator } from '../validation';
import { type Finding, applyDecision } from './apply-decision';
import { decisionProvenance, findExtractionProvenance } from './decision-provenance';
import { findingRuleIssues } from './finding-rules';
import { type Decision, type FindingType, reviewStateOf } from './review-codes';

export interface ReviewServices {
  registry: SearchRegistry;
  validator: ResourceValidator;
  ids: IdGenerator;
  clock: Clock;
}

export interface VerifyRequest {
  resourceType: FindingType;
  id: string;
  /** The version the reviewer saw; the decision fails with 409 if the finding has moved on. */
  version?: number;
  decision: Decision;
  /** The clinician's version (decision 'amend' only). */
  resource?: unknown;
  note?: string;
}

export interface VerifyResult {
  decision: Decision;
  /** The version that records the decision. */
  finding: StoredResource;
  provenance: StoredResource;
}

/** Rejects with 422 (one issue per problem) unless `resource` passes the R4 schema, our profiles and the finding invariants. */
function rejectInvalid(svc: ReviewServices, resource: Resource): void {
  const issues = [...svc.validator.validate(resource), ...findingRuleIssues(resource)];
  if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw FhirError.withIssues(422, issues);
}

/** The reviewed version, checked: it exists, is provisional and is the version the reviewer saw. */
async function reviewedVersion(tx: StoreWriter, ctx: AccessContext, req: VerifyRequest): Promise<{ finding: Finding; version: number }> {
  const ref = `${req.resourceType}/${req.id}`;
  const stored = await tx.read(ctx, req.resourceType, req.id);
  if (!stored) throw notFound(`${ref} is not known`);
  if (stored.deleted || !stored.resource) throw gone(`${ref} was deleted`);
  const state = reviewStateOf(stored.resource);
  if (state === undefined) throw new FhirError(422, 'business-rule', `${ref} is not an NLP finding (no review-state tag): there is nothing to verify`);
  if (state !== 'provisional') {
    throw conflict(`${ref} was already ${state} (now at version ${stored.versionId}); a decision is final — reload to see it`);
  }
  if (req.version !== undefined && req.version !== stored.versionId) {
    throw conflict(`${ref} changed since version ${req.version} was reviewed (now at version ${stored.versionId}); reload and review again`);
  }
  return { finding: stored.resource as Finding, version: stored.versionId };
}

/** Writes the decided version; a concurrent writer between our read and this write becomes a 409 too. */
async function writeDecided(svc: ReviewServices, tx: StoreWriter, ctx: AccessContext, decided: Finding, expectedVersion: number): Promise<StoredResource> {
  try {
    const { stored } = await tx.update(ctx, decided, { expectedVersion });
    return stored;
  } catch (err) {
    if (err instanceof FhirError && err.status === 412) throw conflict(`${decided.resourceType}/${decided.id} was decided or changed concurrently by another request; reload and review again`);
    throw err;
  }
}

async function decideOne(svc: ReviewServices, tx: StoreWriter, ctx: AccessContext, reviewer: Reference, req: VerifyRequest): Promise<VerifyResult> {
  const { finding, version } = await reviewedVersion(tx, ctx, req);
  const decided = applyDecision(finding, req.decision, req.resource);
  rejectInvalid(svc, decided);
  const extraction = await findExtractionProvenance(tx, ctx, svc.registry, req.resourceType, req.id);
  const stored = await writeDecided(svc, tx, ctx, decided, version);
  const provenance: Provenance & { id: string } = {
    ...decisionProvenance({
      resourceType: req.resourceType, id: req.id, previousVersion: version, newVersion: stored.versionId,
      decision: req.decision, reviewer, note: req.note, extraction, recorded: svc.clock.now(),
    }),
    id: svc.ids.newId(),
  };
  rejectInvalid(svc, provenance);
  const storedProvenance = await tx.create(ctx, provenance);
  return { decision: req.decision, finding: stored, provenance: storedProvenance };
}

/** Prefixes an entry's error with which target failed, keeping its status (the whole batch fails with it). */
function entryError(err: unknown, index: number, req: VerifyRequest): unknown {
  if (!(err instanceof FhirError)) return err;
  const where = `target[${index}] ${req.resourceType}/${req.id}: `;
  return FhirError.withIssues(err.status, err.issues.map((i) => ({ ...i, diagnostics: where + i.diagnostics })));
}

/** Applies every decision in order inside `tx`; any failure throws, so the caller's transaction rolls back all of them. */
export async function verifyFindings(
  svc: ReviewServices, tx: StoreWriter, ctx: AccessContext, reviewer: Reference, requests: readonly VerifyRequest[],
): Promise<VerifyResult[]> {
  const results: VerifyResult[] = [];
  // The decision's writes are the only client-initiated ones the review guard lets change review state.
  const reviewCtx = asOrigin(ctx, 'review-decision');
  for (const [i, req] of requests.entries()) {
    try {
      results.push(await decideOne(svc, tx, reviewCtx, reviewer, req));
    } catch (err) {
      throw requests.length > 1 ? entryError(err, i, req) : err;
    }
  }
  return results;
}
