/** The server's twin-builder Device (Composition.author), written idempotently under a deterministic id. */
import type { Device, Reference } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { StoreWriter } from '../store/types';
import { sameContent } from './canonical';

export const BUILDER_DEVICE_ID = 'twinfhir-twin-builder';
/** Bumped when the twin's layout changes, so a twin records which builder made it. */
export const BUILDER_VERSION = '1.0.0';

export const builderReference = (): Reference => ({ reference: `Device/${BUILDER_DEVICE_ID}`, display: 'TwinFHIR Digital Twin builder' });

export function builderDevice(): Device & { id: string } {
  return {
    resourceType: 'Device',
    id: BUILDER_DEVICE_ID,
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>TwinFHIR Digital Twin builder (software)</p></div>' },
    status: 'active',
    manufacturer: 'TwinFHIR',
    deviceName: [{ name: 'TwinFHIR Digital Twin builder', type: 'model-name' }],
    type: { text: 'Software that assembles Digital Twin Compositions' },
    version: [{ value: BUILDER_VERSION }],
  };
}

/**
 * Creates or updates the Device only when it is missing or differs, so rebuilds do not add versions.
 * The lock is taken only then: holding it for every rebuild would serialize all patients' rebuilds.
 */
export async function ensureBuilderDevice(tx: StoreWriter, ctx: AccessContext): Promise<void> {
  const wanted = builderDevice();
  const upToDate = async (): Promise<boolean> => {
    const current = await tx.read(ctx, 'Device', BUILDER_DEVICE_ID);
    return !!current && !current.deleted && !!current.resource && sameContent(current.resource, wanted, ['meta']);
  };
  if (await upToDate()) return;
  await tx.lock(`twin:device:${BUILDER_DEVICE_ID}`);
  if (await upToDate()) return;
  await tx.update(ctx, wanted);
}
