/**
 * A FHIR request and response that know nothing of express, so interactions are testable without
 * HTTP and batch/transaction entries run through the very same code as top-level requests.
 */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { Issue } from '../core/fhir-error';

export interface FhirRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the FHIR base, without leading slash or query: 'Patient/123/_history/2'. */
  path: string;
  /** Query parameters in order; repeated names kept (AND semantics in search). */
  query: [string, string][];
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** Parsed JSON body (already checked for size and depth). */
  body?: unknown;
  /** A large JSON body left unparsed for a worker thread ($validate); `body` is then undefined. */
  deferredJson?: { bytes: Uint8Array; maxDepth: number };
  /** Issues of validating `body` as a resource, when a worker thread already did (large bodies). */
  bodyIssues?: Issue[];
  /** A worker thread already checked a batch/transaction body against MAX_BUNDLE_ENTRIES and MAX_RESOURCE_BYTES. */
  bodyLimitsChecked?: boolean;
  /** Content type of the body, lower-case, without parameters. */
  contentType?: string;
  /** Absolute base URL of the FHIR endpoint, no trailing slash. */
  baseUrl: string;
  ctx: AccessContext;
}

export interface FhirResponse {
  status: number;
  headers: Record<string, string>;
  body?: Resource;
  /** The body exactly as stored, when it needs no reshaping: sent without parse/serialize. */
  rawJson?: string;
}
