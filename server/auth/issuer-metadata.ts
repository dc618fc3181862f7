/**
 * The authorization server's metadata (OpenID Connect discovery, else SMART's
 * `.well-known/smart-configuration`), fetched once and kept; a failed fetch is retried on the next
 * request instead of being cached, so the server recovers when the issuer comes up after it.
 */

/** The authorization server's endpoints: what its metadata and our smart-configuration both carry. */
export interface AuthorizationEndpoints {
  issuer: string;
  jwks_uri?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  registration_endpoint?: string;
  userinfo_endpoint?: string;
}

export interface IssuerMetadata extends AuthorizationEndpoints {
  scopes_supported?: string[];
  response_types_supported?: string[];
  grant_types_supported?: string[];
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  token_endpoint_auth_signing_alg_values_supported?: string[];
  [k: string]: unknown;
}

const WELL_KNOWN = ['/.well-known/openid-configuration', '/.well-known/smart-configuration'];
const MAX_METADATA_BYTES = 256 * 1024;

async function fetchJson(url: string, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) return undefined;
  const text = await res.text();
  if (text.length > MAX_METADATA_BYTES) return undefined;
  const json: unknown = JSON.parse(text);
  return json && typeof json === 'object' && !Array.isArray(json) ? json as Record<string, unknown> : undefined;
}

export type MetadataSource = () => Promise<IssuerMetadata>;

/** Memoised discovery of `issuer`'s metadata; the `issuer` it reports must be the configured one. */
export function issuerMetadata(issuer: string, timeoutMs = 5_000): MetadataSource {
  let pending: Promise<IssuerMetadata> | undefined;
  const load = async (): Promise<IssuerMetadata> => {
    const base = issuer.replace(/\/+$/, '');
    const failures: string[] = [];
    for (const path of WELL_KNOWN) {
      try {
        const json = await fetchJson(base + path, timeoutMs);
        if (!json) { failures.push(`${path}: not found`); continue; }
        // SMART's document need not repeat the issuer; OIDC's must match exactly (OIDC Discovery §4.3).
        if (json.issuer !== undefined && json.issuer !== issuer) throw new Error(`${path} names issuer '${JSON.stringify(json.issuer).slice(0, 200)}', expected '${issuer}'`);
        return { ...json, issuer };
      } catch (err) {
        failures.push(`${path}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    throw new Error(`metadata of ${issuer} unavailable (${failures.join('; ')})`);
  };
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
