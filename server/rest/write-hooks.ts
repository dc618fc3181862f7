/** Runs the registered write hooks inside the writing transaction. */
import type { AccessContext } from '../core/access-context';
import type { StoreWriter, StoredResource } from '../store/types';
import type { ResourceChange, RestDeps } from './deps';

export async function runWriteHooks(deps: RestDeps, tx: StoreWriter, ctx: AccessContext, kind: ResourceChange['kind'], stored: StoredResource): Promise<void> {
  for (const hook of deps.writeHooks) {
    await hook(tx, ctx, { kind, resourceType: stored.resourceType, id: stored.id, stored });
  }
}
