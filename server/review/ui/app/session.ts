/** What the page keeps for the browser tab: the bearer token (SMART in spirit) and the chosen reviewer. */
import type { Reference } from 'fhir/r4';

const TOKEN_KEY = 'twinfhir.review.token';
const REVIEWER_KEY = 'twinfhir.review.reviewer';

/**
 * Takes `#access_token=…` from the URL into sessionStorage and removes it from the address bar
 * (so it is not bookmarked or shared), then answers the stored token.
 */
export function captureToken(): string | undefined {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = params.get('access_token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
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
