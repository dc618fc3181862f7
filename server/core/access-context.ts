/**
 * Who is asking. Built for every request (even with auth off) and passed down to the store's
 * read/search paths so SMART scopes and patient compartments can be enforced in SQL later
 * without rewiring.
 */
export interface AccessContext {
  /** OAuth client id, or 'anonymous' while auth is off. */
  clientId: string;
  /** fhirUser of the token, e.g. 'Practitioner/123'; undefined when unknown. */
  user?: string;
  /** Granted scopes, e.g. ['user/*.read', 'patient/Observation.rs']. */
  scopes: string[];
  /** Patient in context (launch/patient), limiting access to that compartment. */
  patient?: string;
  /**
   * Set from the token's scopes when its reads reach data only through patient/ scopes: the store shows
   * only rows of this patient's compartment (in the SQL of every read, search, count, include, history).
   */
  readRestriction?: RowRestriction;
  /** The same for writes: the store refuses (403) to create, change or delete a resource outside the compartment. */
  writeRestriction?: RowRestriction;
  /** Subject (`sub`) of the token: the user, or the client for backend services. */
  subject?: string;
  /** Token id (`jti`), for audit correlation; never the token itself. */
  tokenId?: string;
  /** When the token expires (epoch seconds). */
  expiresAt?: number;
  /** True when auth is on and the request carried no token: only public endpoints (metadata, discovery) answer. */
  anonymous?: boolean;
  /** True when authentication is disabled (development). */
  authDisabled: boolean;
  /** Request id for correlation in logs. */
  requestId: string;
  /**
   * Set only by the server's own services on the context they write with, never from a request. Write
   * hooks see it: the review guard lets only review decisions and extraction runs change a machine
   * finding's review state; the twin outbox does not queue a rebuild for the twin builder's own writes.
   */
  origin?: WriteOrigin;
}

/**
 * A patient-context token's row restriction: Patient/{patient} itself and the resources that refer to it
 * through a parameter the official R4 Patient CompartmentDefinition lists for their type.
 */
export interface RowRestriction {
  patient: string;
  /** Types a user/ or system/ scope grants outright (for this kind of access): not confined. */
  exemptTypes: readonly string[];
}

/**
 * The server-internal writers that mark their writes for the write hooks: review decisions and
 * extraction runs may create, decide and replace machine-made findings; only the audit recorder may
 * write AuditEvents; subscription delivery moves a Subscription's status (requested → active → error).
 */
export type WriteOrigin = 'review-decision' | 'nlp-extraction' | 'twin-builder' | 'audit' | 'subscription-delivery';

/** The same caller, marked as writing on behalf of one of the server's own services. */
export function asOrigin(ctx: AccessContext, origin: WriteOrigin): AccessContext {
  return { ...ctx, origin };
}

export function systemContext(requestId = 'system'): AccessContext {
  return { clientId: 'system', scopes: ['system/*.*'], authDisabled: true, requestId };
}

export function anonymousContext(requestId: string): AccessContext {
  return { clientId: 'anonymous', scopes: ['user/*.*'], authDisabled: true, requestId };
}

/** Auth is on and no token was sent: the guard lets only public endpoints through. */
export function unauthenticatedContext(requestId: string): AccessContext {
  return { clientId: 'anonymous', scopes: [], anonymous: true, authDisabled: false, requestId };
}
