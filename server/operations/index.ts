/** The one table of $operations: the router dispatches from it and the CapabilityStatement lists it. */
import type { OperationTable } from '../rest/deps';
import type { ExtractionServices } from '../nlp/jobs/services';
import { extractOperation } from './extract';
import { validateOperation } from './validate';
import { documentOperation } from './document';
import { everythingOperation } from './everything';
import { reindexOperations, type ReindexWaker } from './reindex';
import { twinOperation } from './twin';
import { reviewSummaryOperation } from './review-summary';
import { verifyOperations } from './verify';
import { terminologyOperations, type TerminologyOptions } from './terminology';
import type { ExportService } from '../bulk/export/service';
import { exportOperations } from './export';
import { importOperation } from './import';
import type { ImportServiceDeps } from '../bulk/import/import-service';
import { subscriptionEventsOperation, subscriptionStatusOperation, type SubscriptionOperationOptions, wsBindingTokenOperation } from './subscription';

export interface OperationServices {
  /** Nudges the runner of $reindex jobs; without it $reindex is not offered. */
  reindex?: ReindexWaker;
  /** The NLP pipeline; without it $extract is not offered. */
  extraction?: ExtractionServices;
  /** Digital Twin: $twin, $document, $everything; offered when true. */
  twin?: boolean;
  /** $lookup, $validate-code, $expand, $subsumes, $translate settings (defaults when unset). */
  terminology?: TerminologyOptions;
  /** Bulk Data export; without it $export is not offered. */
  bulkExport?: ExportService;
  /** Bulk $import jobs; without it $import is not offered. */
  bulkImport?: ImportServiceDeps;
  /** Subscription $status, $events, $get-ws-binding-token; offered when set. */
  subscriptions?: SubscriptionOperationOptions;
}

export function operationTable(services: OperationServices = {}): OperationTable {
  return [validateOperation, ...verifyOperations, reviewSummaryOperation, ...(services.reindex ? reindexOperations(services.reindex) : []),
    ...(services.extraction ? [extractOperation(services.extraction)] : []), ...(services.twin ? [twinOperation, documentOperation, everythingOperation] : []),
    ...terminologyOperations(services.terminology), ...(services.bulkExport ? exportOperations(services.bulkExport) : []),
    ...(services.bulkImport ? [importOperation(services.bulkImport)] : []),
    ...(services.subscriptions ? [subscriptionStatusOperation, subscriptionEventsOperation, wsBindingTokenOperation(services.subscriptions)] : [])];
}
