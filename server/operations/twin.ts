/**
 * POST /fhir/Patient/{id}/$twin — rebuilds the patient's Digital Twin now and returns it (DESIGN.md §4), and
 * createTwinService: the outbox write hook, the refresher and the twin operations wired together.
 */
import type { Composition } from 'fhir/r4';
import type { Clock, IdGenerator } from '../core/clock';
import { gone, notFound } from '../core/fhir-error';
import type { OperationSpec, WriteHook } from '../rest/deps';
import { versionHeaders } from '../rest/headers';
import { checkId } from '../rest/resource-body';
import type { SearchRegistry } from '../search/registry';
import type { ResourceStore } from '../store/types';
import { rebuildTwin } from '../twin/build-twin';
import { twinOutboxHook } from '../twin/outbox-hook';
import { type TwinLogger, type TwinRefresher, startTwinRefresher } from '../twin/refresher';
import type { ResourceValidator } from '../validation';
import { documentOperation } from './document';
import { everythingOperation } from './everything';

export const twinOperation: OperationSpec = {
  name: 'twin',
  definition: 'https://twinfhir.org/fhir/OperationDefinition/Patient-twin',
  scopes: ['instance'],
  resourceTypes: ['Patient'],
  methods: ['POST'],
  affectsState: true,
  async handler(deps, req, target, exec) {
    const id = checkId(target.id ?? '');
    const patient = await exec.reader.read(req.ctx, 'Patient', id);
    if (!patient) throw notFound(`Patient/${id} is not known`);
    if (patient.deleted) throw gone(`Patient/${id} was deleted`);
    const result = await exec.write((tx) => rebuildTwin(tx, req.ctx, id, { now: deps.clock.now(), validate: (c: Composition) => deps.validator.validate(c) }));
    // The patient was deleted between the read and the rebuild's lock.
    if (!result.stored?.resource) throw gone(`Patient/${id} was deleted`);
    return { status: 200, headers: { ...versionHeaders(result.stored), 'Content-Location': `${req.baseUrl}/Composition/${result.twinId}/_history/${result.stored.versionId}` }, body: result.stored.resource };
  },
};

export interface TwinServiceOptions {
  store: ResourceStore;
  registry: SearchRegistry;
  validator: ResourceValidator;
  ids: IdGenerator;
  clock: Clock;
  logger: TwinLogger;
  /** Delay between a write and its twin rebuild; writes meanwhile join the same rebuild (default 250 ms). */
  debounceMs?: number;
  /** Concurrent rebuilds in this process; 0 = this process only queues, other servers rebuild (default 2). */
  workers?: number;
  leaseMs?: number;
  pollMs?: number;
  maxAttempts?: number;
}

export interface TwinService {
  /** Register in RestDeps.writeHooks: queues twin rebuilds in the writing transaction. */
  hook: WriteHook;
  /** $twin, $document and $everything. */
  operations: OperationSpec[];
  /** Starts the refresher (no-op with workers = 0 or when already started). */
  start(): void;
  /** Stops the refresher after the rebuilds in flight. */
  close(): Promise<void>;
}

export function createTwinService(o: TwinServiceOptions): TwinService {
  let refresher: TwinRefresher | undefined;
  const workers = o.workers ?? 2;
  const hook = twinOutboxHook({ registry: o.registry, clock: o.clock, debounceMs: o.debounceMs ?? 250, maxAttempts: o.maxAttempts, wake: () => refresher?.wake() });
  return {
    hook,
    operations: [twinOperation, documentOperation, everythingOperation],
    start() {
      if (refresher || workers <= 0) return;
      refresher = startTwinRefresher({
        store: o.store, logger: o.logger, clock: o.clock, owner: `twin-${o.ids.newId()}`, workers,
        leaseMs: o.leaseMs ?? 30_000, pollMs: o.pollMs ?? 1_000, backoffMs: 1_000, maxBackoffMs: 60_000,
        rebuild: { validate: (c) => o.validator.validate(c) },
      });
    },
    async close() {
      await refresher?.close();
      refresher = undefined;
    },
  };
}
