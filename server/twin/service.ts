/**
 * twin/ owns the Digital Twin (DESIGN.md §1 flow 3): assembling a patient's twin Composition from the store,
 * the outbox hook that queues a rebuild in the transaction of every write to the patient's data, and the
 * 'twin' queue that rebuilds it. createTwinService wires those for the composition root.
 */
import type { Clock } from '../core/clock';
import type { QueueHandler } from '../jobs/types';
import type { SearchRegistry } from '../search/registry';
import type { ResourceStore, WriteHook } from '../store/types';
import type { ResourceValidator } from '../validation';
import { twinOutboxHook } from './outbox-hook';
import { twinRefreshQueue } from './refresher';

export interface TwinServiceOptions {
  registry: SearchRegistry;
  validator: ResourceValidator;
  clock: Clock;
  /** Delay between a write and its twin rebuild; writes meanwhile join the same rebuild (default 250 ms). */
  debounceMs?: number;
  /** Concurrent rebuilds in this process; 0 = this process only queues, other servers rebuild (default 2). */
  workers?: number;
  leaseMs?: number;
  pollMs?: number;
  maxAttempts?: number;
  /** Nudges the runner's twin queue after a transaction that queued a rebuild committed. */
  wake?: () => void;
}

export interface TwinService {
  /** Register with the store (openStore hooks): queues twin rebuilds in the writing transaction. */
  hook: WriteHook;
  /** The job runner's handler that rebuilds queued twins (built once the store is open: hooks come first). */
  queue(store: Pick<ResourceStore, 'transaction'>): QueueHandler;
}

export function createTwinService(o: TwinServiceOptions): TwinService {
  return {
    hook: twinOutboxHook({ registry: o.registry, clock: o.clock, debounceMs: o.debounceMs ?? 250, maxAttempts: o.maxAttempts, wake: o.wake }),
    queue: (store) => twinRefreshQueue({
      store, clock: o.clock, workers: o.workers ?? 2,
      leaseMs: o.leaseMs ?? 30_000, pollMs: o.pollMs ?? 1_000, backoffMs: 1_000, maxBackoffMs: 60_000,
      rebuild: { validate: (c) => o.validator.validate(c) },
    }),
  };
}
