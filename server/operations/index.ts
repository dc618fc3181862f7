/** The one table of $operations: the router dispatches from it and the CapabilityStatement lists it. */
import type { OperationTable } from '../rest/deps';
import { validateOperation } from './validate';

export function operationTable(): OperationTable {
  return [validateOperation];
}
