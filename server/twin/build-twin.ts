/** buildTwin: reads a patient's data through StoreReader and assembles the twin; rebuildTwin: writes it as the one current version. */
import type { Composition, Patient } from 'fhir/r4';
import { type AccessContext, asOrigin } from '../core/access-context';
import { FhirError, type Issue, gone, notFound } from '../core/fhir-error';
import type { StoreReader, StoreWriter, StoredResource } from '../store/types';
import { assembleTwin } from './assemble';
import { sameContent } from './canonical';
import { builderReference, ensureBuilderDevice } from './device';
import { loadPatientData } from './patient-data';
import { twinIdFor } from './twin-id';

export interface BuildOptions {
  /** Composition.date. */
  now: Date;
  /** Search page size (≤ 1,000, the store's cap). */
  pageSize?: number;
}

export interface RebuildOptions extends BuildOptions {
  /** Checks the built twin before it is written (errors abort the rebuild). */
  validate?: (twin: Composition) => Issue[];
}

export interface RebuildResult {
  twinId: string;
  /** The current twin after the rebuild; null when the patient does not exist (any old twin was deleted). */
  stored: StoredResource | null;
  /** A new version (or a delete) was written. */
  changed: boolean;
}

type LivePatient = Patient & { id: string };

async function livePatient(reader: StoreReader, ctx: AccessContext, patientId: string): Promise<LivePatient | null | 'deleted'> {
  const stored = await reader.read(ctx, 'Patient', patientId);
  if (!stored) return null;
  if (stored.deleted || !stored.resource) return 'deleted';
  return stored.resource as LivePatient;
}

/** The twin as it would be now (not written). 404/410 when the patient is unknown or deleted. */
export async function buildTwin(reader: StoreReader, ctx: AccessContext, patientId: string, opts: BuildOptions): Promise<Composition & { id: string }> {
  const patient = await livePatient(reader, ctx, patientId);
  if (patient === null) throw notFound(`Patient/${patientId} is not known`);
  if (patient === 'deleted') throw gone(`Patient/${patientId} was deleted`);
  return assembleTwin(await loadPatientData(reader, ctx, patient, opts.pageSize), { now: opts.now, author: builderReference() });
}

/** Twin content is compared without meta and date: an unchanged picture writes no version. */
const TRANSIENT = ['meta', 'date'];

/**
 * Rebuilds in `tx` under the patient's twin lock, so concurrent rebuilds of one patient serialize and each
 * compares against the latest version; writes with update-as-create on the deterministic id.
 */
export async function rebuildTwin(tx: StoreWriter, callerCtx: AccessContext, patientId: string, opts: RebuildOptions): Promise<RebuildResult> {
  // Marked so the twin outbox hook does not queue another rebuild for the builder's own writes (no loop).
  const ctx = asOrigin(callerCtx, 'twin-builder');
  const twinId = twinIdFor(patientId);
  await tx.lock(`twin:${patientId}`);
  const [patient, current] = [await livePatient(tx, ctx, patientId), await tx.read(ctx, 'Composition', twinId)];
  const live = current && !current.deleted ? current : null;
  if (patient === null || patient === 'deleted') {
    // No patient, no twin: a deleted patient's twin is deleted with it.
    if (!live) return { twinId, stored: null, changed: false };
    await tx.delete(ctx, 'Composition', twinId);
    return { twinId, stored: null, changed: true };
  }
  await ensureBuilderDevice(tx, ctx);
  const twin = assembleTwin(await loadPatientData(tx, ctx, patient, opts.pageSize), { now: opts.now, author: builderReference() });
  if (live?.resource && sameContent(live.resource, twin, TRANSIENT)) return { twinId, stored: live, changed: false };
  const errors = (opts.validate?.(twin) ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length) {
    throw new FhirError(500, 'invariant', `The built twin of Patient/${patientId} is invalid: ${errors.map((e) => e.diagnostics).join('; ').slice(0, 1000)}`);
  }
  const { stored } = await tx.update(ctx, twin);
  return { twinId, stored, changed: true };
}
