/**
 * The twin outbox: every write to a resource in a Patient's compartment queues a rebuild of that patient's twin
 * in the writing transaction (durable, and only if the write commits). The queue keeps one waiting job per
 * patient, so a burst of writes within the debounce delay yields one rebuild.
 */
import type { Composition, Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { Clock } from '../core/clock';
import { FhirError } from '../core/fhir-error';
import type { SearchRegistry } from '../search/registry';
import type { ResourceChange, StoreWriter, WriteHook } from '../store/types';
import { TWINFHIR_CODESYSTEM } from '../core/canonical-urls';
import { hasCoding } from './codes';
import { referenceKey } from './fhir-values';
import { twinIdFor } from './twin-id';

export const TWIN_QUEUE = 'twin';


export interface TwinOutboxOptions {
  registry: Pick<SearchRegistry, 'compartmentParams' | 'extract'>;
  clock: Clock;
  /** Delay before a queued rebuild runs: writes arriving meanwhile join it. */
  debounceMs: number;
  /** Called once per committed transaction that queued a rebuild (nudges an in-process refresher). */
  wake?: () => void;
  maxAttempts?: number;
}

/** Writes that never change what a twin shows (audit trail, the twin's own author). */
const IGNORED_TYPES = new Set(['Provenance', 'AuditEvent', 'Device']);

export const isTwin = (r: Resource | undefined): r is Composition =>
  r?.resourceType === 'Composition' && hasCoding((r as Composition).type, TWINFHIR_CODESYSTEM, ['digital-twin']);

/** Queues a rebuild of one patient's twin in `tx` (tests, benchmarks, a forced refresh). */
export async function enqueueTwinRefresh(tx: StoreWriter, patientId: string, runAt: Date, maxAttempts?: number): Promise<void> {
  await tx.enqueueJob({ queue: TWIN_QUEUE, key: patientId, payload: { patientId }, runAt, ...(maxAttempts ? { maxAttempts } : {}) });
}

/** Patients whose compartment holds `r`, by the CompartmentDefinition's parameters; a Patient is its own. */
function patientsOf(registry: TwinOutboxOptions['registry'], r: Resource | undefined): string[] {
  if (!r) return [];
  if (r.resourceType === 'Patient') return r.id ? [r.id] : [];
  const params = registry.compartmentParams('Patient', r.resourceType);
  if (params.length === 0) return [];
  return registry.extract(r).reference
    .filter((x) => x.targetType === 'Patient' && x.targetId && params.includes(x.param))
    .map((x) => x.targetId as string);
}

/** A Digital Twin written through the API must sit at its patient's one twin id, or a second "current twin" could exist. */
function guardTwinId(change: ResourceChange): void {
  const twin = change.stored.resource;
  if (!isTwin(twin)) return;
  const subject = referenceKey(twin.subject);
  const expected = subject?.startsWith('Patient/') ? twinIdFor(subject.slice('Patient/'.length)) : undefined;
  if (change.id !== expected) {
    throw new FhirError(422, 'business-rule', `A Digital Twin Composition must have a Patient subject and the id ${expected ?? 'twin-{patient id}'}: one twin per patient`, ['Composition.id']);
  }
}

/** The patients a change touches: those of the new content and of the version it replaced (a resource may move). */
async function affectedPatients(opts: TwinOutboxOptions, tx: StoreWriter, ctx: AccessContext, change: ResourceChange): Promise<string[]> {
  const current = change.stored.resource;
  const ids = new Set(patientsOf(opts.registry, current));
  if (change.kind !== 'create' && change.stored.versionId > 1) {
    const previous = await tx.vread(ctx, change.resourceType, change.id, change.stored.versionId - 1);
    for (const id of patientsOf(opts.registry, previous?.resource)) ids.add(id);
  }
  return [...ids];
}

export function twinOutboxHook(opts: TwinOutboxOptions): WriteHook {
  // Patients already queued per transaction: a 2,000-resource bundle for one patient queues one job, not 2,000.
  const queued = new WeakMap<StoreWriter, Set<string>>();
  return async (tx, ctx, change) => {
    // The rebuild's own writes (the twin, its author Device) must not queue another rebuild: no loop.
    if (IGNORED_TYPES.has(change.resourceType) || ctx.origin === 'twin-builder') return;
    // A twin edited or deleted through the API is queued too: the rebuild puts the server's twin back.
    guardTwinId(change);
    const patients = await affectedPatients(opts, tx, ctx, change);
    if (patients.length === 0) return;
    let done = queued.get(tx);
    if (!done) {
      done = new Set();
      queued.set(tx, done);
      if (opts.wake) tx.onCommit(opts.wake);
    }
    const runAt = new Date(opts.clock.now().getTime() + opts.debounceMs);
    for (const id of patients) {
      if (done.has(id)) continue;
      done.add(id);
      await enqueueTwinRefresh(tx, id, runAt, opts.maxAttempts);
    }
  };
}
