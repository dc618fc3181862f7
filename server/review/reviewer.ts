/**
 * Who records a decision: the authenticated user's fhirUser, or — while auth is off — the `reviewer`
 * parameter, which is then required. Either way it must be a known Practitioner allowed to verify.
 */
import type { HumanName, Practitioner, Reference } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { FhirError, badRequest, forbidden } from '../core/fhir-error';
import type { StoreReader } from '../store/types';
import { practitionerOf, verifyDenial } from './permissions';

function nameText(names: HumanName[] | undefined): string | undefined {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return undefined;
  const text = n.text ?? [...(n.prefix ?? []), ...(n.given ?? []), n.family].filter(Boolean).join(' ');
  return text || undefined;
}

/** The Practitioner the `reviewer` parameter names; 400 when it names anything else. */
function givenPractitioner(given: Reference | undefined): string | undefined {
  if (given === undefined) return undefined;
  const p = practitionerOf(given.reference);
  if (!p) throw badRequest("'reviewer' must be a Reference to a Practitioner, e.g. { \"reference\": \"Practitioner/123\" }", ['reviewer']);
  return p;
}

/** The access context the decision is made under: the token's fhirUser, or `reviewer` while auth is off. */
function effectiveContext(ctx: AccessContext, given: string | undefined): AccessContext {
  if (ctx.user || !ctx.authDisabled) return ctx;
  if (!given) throw badRequest("'reviewer' (a Reference to a Practitioner) is required while authentication is off", ['reviewer']);
  return { ...ctx, user: given };
}

/** Checks the reviewer may decide on every type in `types` and exists; returns the reference to record. */
export async function resolveReviewer(reader: StoreReader, ctx: AccessContext, given: Reference | undefined, types: readonly string[]): Promise<Reference> {
  const named = givenPractitioner(given);
  const effective = effectiveContext(ctx, named);
  for (const t of types) {
    const denial = verifyDenial(effective, t);
    if (denial) throw forbidden(denial);
  }
  const reference = practitionerOf(effective.user) as string;
  if (named && named !== reference) {
    throw forbidden(`'reviewer' ${named} differs from the authenticated user ${reference}: a decision is recorded under the user who makes it`);
  }
  const [, id] = reference.split('/');
  const stored = await reader.read(ctx, 'Practitioner', id);
  if (!stored?.resource || stored.deleted) throw new FhirError(422, 'processing', `The reviewer ${reference} is not known on this server`, ['reviewer']);
  const display = nameText((stored.resource as Practitioner).name);
  return { reference, ...(display ? { display } : {}) };
}
