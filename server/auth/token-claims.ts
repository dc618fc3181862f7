/** What a verified access token (JWT claims or an introspection answer) says, read defensively. */

export interface TokenClaims {
  clientId: string;
  subject?: string;
  scopes: string[];
  patient?: string;
  fhirUser?: string;
  tokenId?: string;
  /** Epoch seconds. */
  expiresAt?: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v.length <= 1024 ? v : undefined);

/** `scope` (RFC 8693/9068: space-separated) or `scp` (an array, as some servers emit). */
function scopesOf(claims: Record<string, unknown>): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(/\s+/).filter(Boolean);
  if (Array.isArray(claims.scp)) return claims.scp.filter((s): s is string => typeof s === 'string');
  if (typeof claims.scp === 'string') return claims.scp.split(/\s+/).filter(Boolean);
  return [];
}

/** A patient id from `patient` (SMART) — 'Patient/123' is accepted as well as '123'. */
function patientOf(v: unknown): string | undefined {
  const p = str(v)?.replace(/^Patient\//, '');
  return p && /^[A-Za-z0-9\-.]{1,64}$/.test(p) ? p : undefined;
}

/** fhirUser as a relative reference ('Practitioner/123'), also when the server sends an absolute URL. */
function fhirUserOf(v: unknown): string | undefined {
  const m = /(?:^|\/)((?:Practitioner|Patient|RelatedPerson|Person)\/[A-Za-z0-9\-.]{1,64})$/.exec(str(v) ?? '');
  return m?.[1];
}

export function claimsOf(raw: Record<string, unknown>): TokenClaims {
  const clientId = str(raw.client_id) ?? str(raw.azp) ?? str(raw.cid) ?? str(raw.sub) ?? 'unknown-client';
  return {
    clientId,
    subject: str(raw.sub),
    scopes: scopesOf(raw),
    patient: patientOf(raw.patient),
    fhirUser: fhirUserOf(raw.fhirUser ?? raw.fhir_user),
    tokenId: str(raw.jti),
    expiresAt: typeof raw.exp === 'number' && Number.isFinite(raw.exp) ? raw.exp : undefined,
  };
}
