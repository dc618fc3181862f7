/** Everything an extraction run needs, passed in from the composition root. */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import type { Clock, IdGenerator } from '../../core/clock';
import type { SearchRegistry } from '../../search/registry';
import type { ResourceStore, StoreWriter, StoredResource } from '../../store/types';
import type { ResourceValidator } from '../../validation';
import type { ConceptCoder } from '../coding';
import type { Extractor } from '../finding';
import type { NlpMetrics } from '../metrics';

/** A write seen by the server's write hooks (structurally the REST layer's WriteHook). */
export type ChangeHook = (
  tx: StoreWriter, ctx: AccessContext, change: { kind: 'create' | 'update' | 'delete'; resourceType: string; id: string; stored: StoredResource },
) => Promise<void>;

export interface ExtractionServices {
  store: ResourceStore;
  registry: SearchRegistry;
  validator: ResourceValidator;
  coder: ConceptCoder;
  ids: IdGenerator;
  clock: Clock;
  extractor: Extractor;
  /** Mask patient identifiers before the text reaches the engine (LLM endpoint not on loopback). */
  maskIdentifiers: boolean;
  /** The server's own base URL: attachment URLs under it resolve to local Binaries. */
  baseUrl?: string;
  metrics: NlpMetrics;
  /** The server's write hooks, run for every resource the extraction writes (e.g. the twin outbox). */
  hooks: () => readonly ChangeHook[];
}

export type Written = Resource & { id: string };
