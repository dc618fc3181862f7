/** What the REST layer needs, passed in from the composition root (app.ts); no module singletons. */
import type { CapabilityStatementRestResource } from 'fhir/r4';
import type { Clock, IdGenerator } from '../core/clock';
import type { R4Model } from '../core/r4/element-model';
import type { SearchRegistry } from '../search/registry';
import type { ResourceStore, StoreReader, StoreWriter } from '../store/types';
import type { ResourceValidator } from '../validation';
import type { BodyJudge } from '../validation/off-thread';
import type { FhirRequest, FhirResponse } from './types';

export interface Limits {
  maxBundleEntries: number;
  defaultCount: number;
  maxCount: number;
  /** MAX_RESOURCE_BYTES: largest JSON of one resource (a PATCH result, a batch/transaction entry). */
  maxResourceBytes?: number;
}

export interface RestDeps {
  store: ResourceStore;
  registry: SearchRegistry;
  validator: ResourceValidator;
  /** Parses and validates large $validate bodies in worker threads (absent: inline). */
  bodyJudge?: BodyJudge;
  /** The one R4 model (also inside registry and validator): _summary reads its summary flags. */
  model: R4Model;
  ids: IdGenerator;
  clock: Clock;
  limits: Limits;
  operations: OperationTable;
  /** SMART security advertised in the CapabilityStatement; absent or disabled: auth is off. */
  security?: RestSecurity;
  /** What services add to the CapabilityStatement (e.g. the Subscriptions Backport profile and topics). */
  capabilityAdditions?: CapabilityAdditions;
  /** Where unexpected failures go when they cannot become the response (e.g. one batch entry). */
  reportError: (err: unknown, context: string) => void;
}

export interface CapabilityAdditions {
  /** CapabilityStatement.instantiates: canonical statements this server conforms to. */
  instantiates: string[];
  /** Merged into the resource entry of each type. */
  resources: Record<string, Pick<CapabilityStatementRestResource, 'supportedProfile' | 'extension'>>;
}

export interface RestSecurity {
  enabled: boolean;
  /** OAuth endpoints (authorize, token, introspect, …) from the authorization server's metadata. */
  oauthUris?: () => Promise<Record<string, string>>;
}

/** Runs a write: its own transaction at top level and in batches, the bundle's in a transaction Bundle. */
export type TxRunner = <T>(fn: (tx: StoreWriter) => Promise<T>) => Promise<T>;

export interface Exec {
  reader: StoreReader;
  write: TxRunner;
  /** True inside a transaction Bundle (for urn:uuid references already resolved by the bundle). */
  inTransaction: boolean;
}

export function topLevelExec(store: ResourceStore): Exec {
  return { reader: store, write: (fn) => store.transaction(fn), inTransaction: false };
}

export function txExec(tx: StoreWriter): Exec {
  return { reader: tx, write: (fn) => fn(tx), inTransaction: true };
}

/** Handles one FHIR request; bundles receive it instead of importing the handler (no import cycle). */
export type FhirRequestHandler = (deps: RestDeps, req: FhirRequest, exec: Exec) => Promise<FhirResponse>;
/** The access check alone (throws 401/403/404), injected into bundles like the handler. */
export type RequestGuard = (deps: RestDeps, req: FhirRequest, exec: Exec) => Promise<void>;


// ---- $operations: operations/ builds the table, rest/ routes to it and lists it ----

export type OperationScope = 'system' | 'type' | 'instance';

export interface OperationTarget {
  scope: OperationScope;
  resourceType?: string;
  id?: string;
}

export interface OperationSpec {
  /** Name without '$'. */
  name: string;
  /** Canonical of the OperationDefinition (for the CapabilityStatement). */
  definition: string;
  scopes: OperationScope[];
  /** Resource types it applies to; undefined = all. */
  resourceTypes?: string[];
  methods: ('GET' | 'POST')[];
  /** True if it changes data (not allowed via GET, runs in a transaction). */
  affectsState: boolean;
  handler(deps: RestDeps, req: FhirRequest, target: OperationTarget, exec: Exec): Promise<FhirResponse>;
}

export type OperationTable = readonly OperationSpec[];
