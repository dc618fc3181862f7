/** Everything an extraction run needs, passed in from the composition root. */
import type { Resource } from 'fhir/r4';
import type { Clock, IdGenerator } from '../../core/clock';
import type { SearchRegistry } from '../../search/registry';
import type { ResourceStore } from '../../store/types';
import type { ResourceValidator } from '../../validation';
import type { EngineSource } from '../catalogue-engine';
import type { NlpMetrics } from '../metrics';


export interface ExtractionServices {
  store: ResourceStore;
  registry: SearchRegistry;
  validator: ResourceValidator;
  ids: IdGenerator;
  clock: Clock;
  /** The engine and coder over the catalogue as stored now (recompiled when it changes). */
  engine: EngineSource;
  /** Mask patient identifiers before the text reaches the engine (LLM endpoint not on loopback). */
  maskIdentifiers: boolean;
  /** The server's own base URL: attachment URLs under it resolve to local Binaries. */
  baseUrl?: string;
  metrics: NlpMetrics;
  /** PDF → text off the event loop (a worker-thread pool); absent: on this thread. */
  pdfText?: (bytes: Uint8Array) => Promise<string>;
}

export type Written = Resource & { id: string };
