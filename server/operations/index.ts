/** The one table of $operations: the router dispatches from it and the CapabilityStatement lists it. */
import type { OperationTable } from '../rest/deps';
import { validateOperation } from './validate';
import { reindexOperations, type ReindexRunner } from './reindex';

export interface OperationServices {
  /** Runs $reindex jobs; without it $reindex is not offered. */
  reindex?: ReindexRunner;
}

export function operationTable(services: OperationServices = {}): OperationTable {
  return [validateOperation, ...(services.reindex ? reindexOperations(services.reindex) : [])];
}
