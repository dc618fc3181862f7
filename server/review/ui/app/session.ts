/**
 * Who uses the page. Auth on (`config.json` names a SMART client): a SMART App Launch 2.x standalone
 * launch with PKCE through the official client (`fhirclient`), endpoints discovered from the server's
 * `.well-known/smart-configuration`; the reviewer is the token's `fhirUser`. Auth off: an open session
 * whose reviewer is chosen with the Practitioner picker and remembered for the browser tab.
 */
import type { Reference } from 'fhir/r4';
import FHIR from 'fhirclient/lib/entry/browser';
import { practitionerOf, scopeAllowsUpdate } from '../../permissions';

const REVIEWER_KEY = 'twinfhir.review.reviewer';
/** Where fhirclient keeps the key of its current state in sessionStorage. */
const SMART_KEY = 'SMART_KEY';
/** A stored token this close to expiry (seconds) is not revived: the user signs in again instead. */
const EXPIRY_MARGIN_SEC = 30;

/** The page's runtime settings, served by server/http/review-page.ts. */
export interface PageConfig {
  smart: { clientId: string; scope: string } | null;
}

export interface SmartSession {
  kind: 'smart';
  /** The access token for the next FHIR call (refreshed first when a refresh token allows). */
  token(): Promise<string | undefined>;
  /** `Practitioner/id` of the signed-in user, when the token's fhirUser is one. */
  practitioner?: string;
  /** The raw fhirUser (for the header when it is not a Practitioner). */
  fhirUser?: string;
  scopes: string[];
  signOut(): void;
}

export interface OpenSession {
  kind: 'open';
}

export type Session = SmartSession | OpenSession;

/** May this session record a decision on a `resourceType`? Mirrors the server's rule (review/permissions.ts), which still decides. */
export function canDecide(session: Session, resourceType: string): boolean {
  if (session.kind === 'open') return true;
  return session.practitioner !== undefined && session.scopes.some((s) => scopeAllowsUpdate(s, resourceType));
}

export async function loadPageConfig(): Promise<PageConfig> {
  const res = await fetch('config.json', { cache: 'no-cache' });
  if (!res.ok) throw new Error(`config.json answered ${res.status}`);
  return (await res.json()) as PageConfig;
}

/** A revived state whose token is about to expire and cannot be refreshed is dropped, so init() launches again. */
function dropStaleState(): void {
  const key = sessionStorage.getItem(SMART_KEY);
  const raw = key ? sessionStorage.getItem(JSON.parse(key) as string) : null;
  if (!raw) return;
  try {
    const state = JSON.parse(raw) as { expiresAt?: number; tokenResponse?: { refresh_token?: string; access_token?: string } };
    const stale = !state.tokenResponse?.access_token || (state.expiresAt !== undefined && state.expiresAt - EXPIRY_MARGIN_SEC < Date.now() / 1000);
    if (stale && !state.tokenResponse?.refresh_token) sessionStorage.removeItem(SMART_KEY);
  } catch {
    sessionStorage.removeItem(SMART_KEY);
  }
}

/**
 * Starts or finishes the SMART launch. Without a session this navigates to the authorization server
 * and never resolves; back on the redirect URI (this page) it exchanges the code and resolves.
 */
export async function smartSession(cfg: { clientId: string; scope: string }): Promise<SmartSession> {
  dropStaleState();
  const client = await FHIR.oauth2.init({
    iss: new URL('../fhir', location.href).href,
    clientId: cfg.clientId,
    scope: cfg.scope,
    redirectUri: new URL('./', location.href).href,
    pkceMode: 'required',
  });
  const fhirUser = client.getFhirUser() ?? undefined;
  return {
    kind: 'smart',
    async token() {
      if (client.state.tokenResponse?.refresh_token) await client.refreshIfNeeded();
      return client.state.tokenResponse?.access_token;
    },
    practitioner: practitionerOf(fhirUser),
    fhirUser,
    scopes: (client.state.tokenResponse?.scope ?? '').split(/\s+/).filter(Boolean),
    signOut() {
      sessionStorage.clear();
      location.assign(new URL('./', location.href).href);
    },
  };
}

export function loadReviewer(): Reference | undefined {
  try {
    const raw = sessionStorage.getItem(REVIEWER_KEY);
    const ref = raw ? (JSON.parse(raw) as Reference) : undefined;
    return ref?.reference?.startsWith('Practitioner/') ? ref : undefined;
  } catch {
    return undefined;
  }
}

export function saveReviewer(ref: Reference): void {
  sessionStorage.setItem(REVIEWER_KEY, JSON.stringify(ref));
}
