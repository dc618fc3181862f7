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
  /** True when authentication is disabled (development). */
  authDisabled: boolean;
  /** Request id for correlation in logs. */
  requestId: string;
}

export function systemContext(requestId = 'system'): AccessContext {
  return { clientId: 'system', scopes: ['system/*.*'], authDisabled: true, requestId };
}

export function anonymousContext(requestId: string): AccessContext {
  return { clientId: 'anonymous', scopes: ['user/*.*'], authDisabled: true, requestId };
}
