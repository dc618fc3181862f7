/** The one table of $operations: the router dispatches from it and the CapabilityStatement lists it. */
import type { OperationTable } from '../rest/deps';
import type { ExtractionServices } from '../nlp/jobs/services';
import { extractOperation } from './extract';
import { validateOperation } from './validate';
import { reindexOperations, type ReindexRunner } from './reindex';
import type { TwinService } from './twin';
import { reviewSummaryOperation } from './review-summary';
import { verifyOperations } from './verify';

export interface OperationServices {
  /** Runs $reindex jobs; without it $reindex is not offered. */
  reindex?: ReindexRunner;
  /** The NLP pipeline; without it $extract is not offered. */
  extraction?: ExtractionServices;
  /** Digital Twin: $twin, $document, $everything; without it they are not offered. */
  twin?: Pick<TwinService, 'operations'>;
}

export function operationTable(services: OperationServices = {}): OperationTable {
  return [validateOperation, ...verifyOperations, reviewSummaryOperation, ...(services.reindex ? reindexOperations(services.reindex) : []),
    ...(services.extraction ? [extractOperation(services.extraction)] : []), ...(services.twin?.operations ?? [])];
}
