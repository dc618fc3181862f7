/** Everything an extraction run needs, passed in from the composition root. */
import type { Resource } from 'fhir/r4';
import type { Clock, IdGenerator } from '../../core/clock';
import type { SearchRegistry } from '../../search/registry';
import type { ResourceStore } from '../../store/types';
import type { ResourceValidator } from '../../validation';
import type { ConceptCoder } from '../coding';
import type { Extractor } from '../finding';
import type { NlpMetrics } from '../metrics';


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
  /** PDF → text off the event loop (a worker-thread pool); absent: on this thread. */
  pdfText?: (bytes: Uint8Array) => Promise<string>;
}

export type Written = Resource & { id: string };
