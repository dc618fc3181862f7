/**
 * The shape of one entry of the interaction table (interaction-table.ts): what a FHIR interaction is
 * called, where it is routed from, who handles it and what it adds to the CapabilityStatement.
 */
import type { CapabilityStatementRestResource } from 'fhir/r4';
import type { Exec, FhirRequestHandler, RequestGuard, RestDeps } from './deps';
import type { FhirRequest, FhirResponse } from './types';

/** What the interaction is (also the `interaction` label of the request metrics). */
export type InteractionKind =
  | 'read' | 'vread' | 'update' | 'conditional-update' | 'patch' | 'conditional-patch' | 'delete' | 'conditional-delete'
  | 'history-instance' | 'history-type' | 'history-system' | 'create' | 'search-type' | 'search-compartment' | 'search-system'
  | 'capabilities' | 'batch' | 'operation';

/** HTTP method of an entry; `*` = any (operations decide themselves which methods they take). HEAD routes as GET. */
export type InteractionMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | '*';

/** Values a path pattern captured: `:type`, `:id`, `:vid`, `:compartment`, `:cid` and `$op` (without the `$`). */
export interface RouteParams {
  type?: string;
  id?: string;
  vid?: string;
  compartment?: string;
  cid?: string;
  op?: string;
}

/** Type-level interaction codes (CapabilityStatement.rest.resource.interaction). */
export type TypeInteractionCode = NonNullable<CapabilityStatementRestResource['interaction']>[number]['code'];
/** System-level interaction codes (CapabilityStatement.rest.interaction). */
export type SystemInteractionCode = 'transaction' | 'batch' | 'search-system' | 'history-system';

/** Flags an interaction sets on every resource entry of the CapabilityStatement. */
export type ResourceFlags = Partial<Pick<CapabilityStatementRestResource,
  'versioning' | 'readHistory' | 'updateCreate' | 'conditionalCreate' | 'conditionalRead' | 'conditionalUpdate' | 'conditionalDelete'>>;

/** What an interaction adds to the CapabilityStatement (none for `capabilities` and `operation`: operations list themselves). */
export interface CapabilityContribution {
  type?: TypeInteractionCode;
  system?: SystemInteractionCode[];
  flags?: ResourceFlags;
}

/** Everything a handler is called with; each interaction takes from `deps` only what its own type names. */
export interface InteractionCall {
  deps: RestDeps;
  req: FhirRequest;
  exec: Exec;
  params: RouteParams;
  /** The request handler itself, for interactions that run other requests (batch/transaction entries). */
  handle: FhirRequestHandler;
  /** The access check alone, for bundle entries answered without `handle`. */
  guard: RequestGuard;
}

export interface InteractionSpec {
  kind: InteractionKind;
  method: InteractionMethod;
  /** Segments below the base joined by '/': literals, `:name` captures one segment, `$op` one starting with '$'. '' is the base itself. */
  path: string;
  handler(call: InteractionCall): Promise<FhirResponse>;
  capability?: CapabilityContribution;
}
