// oidc-provider configuration as a SMART authorization server: authorization code + PKCE (S256) for
// apps, client credentials with private_key_jwt for backend services, JWT access tokens for the FHIR
// base (resource indicators), SMART scopes, and `patient` / `fhirUser` launch context.
import { errors } from 'oidc-provider';
import { grantableScopes } from './smart-scopes.mjs';

const OIDC_SCOPES = ['openid', 'fhirUser', 'profile', 'launch/patient', 'launch', 'offline_access', 'online_access'];

/** Launch context chosen at consent, by grant id (the in-memory adapter loses both on restart alike). */
export function launchContextStore() {
  const byGrant = new Map();
  return { set: (grantId, ctx) => byGrant.set(grantId, ctx), get: (grantId) => byGrant.get(grantId) };
}

function findAccountFor(settings) {
  return async (_ctx, id) => {
    const user = settings.users.find((u) => u.id === id);
    if (!user) return undefined;
    return {
      accountId: user.id,
      claims: async () => ({ sub: user.id, name: user.name, fhirUser: `${settings.fhirBase}/${user.fhirUser}` }),
    };
  };
}

function resourceIndicators(settings) {
  return {
    enabled: true,
    // SMART apps name the FHIR server with `aud`; the token's audience is always the FHIR base.
    defaultResource: async (ctx) => {
      const aud = ctx.oidc.params?.aud;
      if (aud !== undefined && aud !== settings.fhirBase) throw new errors.InvalidTarget(`aud must be ${settings.fhirBase}`);
      return settings.fhirBase;
    },
    useGrantedResource: async () => true,
    getResourceServerInfo: async (ctx, indicator, client) => {
      if (indicator !== settings.fhirBase) throw new errors.InvalidTarget('unknown resource server');
      // Offered scopes: what was asked for and the client is registered for (never more) ...
      const requested = ctx.oidc.params?.scope;
      const forClient = grantableScopes(requested, client.smart_scopes).join(' ') || client.smart_scopes || '';
      // ... and, once the user is known, what that user may have (a user with `smart_scopes` gets no more).
      const user = settings.users.find((u) => u.id === (ctx.oidc.session?.accountId ?? ctx.oidc.entities?.AuthorizationCode?.accountId));
      const scope = user?.smart_scopes === undefined ? forClient : grantableScopes(forClient, user.smart_scopes).join(' ');
      return {
        scope,
        audience: settings.fhirBase,
        accessTokenTTL: settings.accessTokenTtl,
        // JWT by default; a client registered with access_token_format 'opaque' gets introspection-only tokens.
        ...(client.access_token_format === 'opaque' ? { accessTokenFormat: 'opaque' } : { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      };
    },
  };
}

export function providerConfiguration(settings, launch) {
  return {
    clients: settings.clients,
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'RS256' },
    extraClientMetadata: {
      properties: ['smart_scopes', 'access_token_format'],
      validator: (_ctx, key, value) => {
        if (key === 'smart_scopes' && value !== undefined && typeof value !== 'string') throw new errors.InvalidClientMetadata('smart_scopes must be a string');
        if (key === 'access_token_format' && value !== undefined && value !== 'jwt' && value !== 'opaque') throw new errors.InvalidClientMetadata("access_token_format must be 'jwt' or 'opaque'");
      },
    },
    jwks: settings.jwks,
    cookies: { keys: settings.cookieKeys },
    scopes: OIDC_SCOPES,
    responseTypes: ['code'],
    claims: { openid: ['sub'], fhirUser: ['fhirUser'], profile: ['name'] },
    findAccount: findAccountFor(settings),
    pkce: { methods: ['S256'], required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: resourceIndicators(settings),
    },
    enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'RS384', 'PS256', 'ES256', 'ES384'] },
    // SMART launch context in the access token itself: the resource server reads it from there.
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind !== 'AccessToken' || !token.grantId) return undefined;
      const context = launch.get(token.grantId) ?? {};
      const user = settings.users.find((u) => u.id === token.accountId);
      return { ...(context.patient ? { patient: context.patient } : {}), ...(user ? { fhirUser: user.fhirUser } : {}) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Browser apps (the review page) exchange their code from their own origin: allow the origins of the client's redirect URIs.
    clientBasedCORS: (_ctx, origin, client) => (client.redirectUris ?? []).some((uri) => URL.canParse(uri) && new URL(uri).origin === origin),
    ttl: { AccessToken: settings.accessTokenTtl, ClientCredentials: settings.accessTokenTtl, Grant: 14 * 24 * 3600, Session: 8 * 3600, Interaction: 600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 24 * 3600 },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.body = `<!doctype html><title>Error</title><h1>${esc(out.error)}</h1><p>${esc(out.error_description)}</p>`;
    },
  };
}

/** Adds SMART's `patient` (and `fhirUser`) to the token endpoint's answer for a launch with a patient. */
export function tokenResponseContext(provider, launch) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || !ctx.body || typeof ctx.body !== 'object' || !ctx.body.access_token) return;
    const grantId = ctx.oidc.entities?.Grant?.jti ?? ctx.oidc.entities?.AuthorizationCode?.grantId ?? ctx.oidc.entities?.RefreshToken?.grantId;
    const context = grantId ? launch.get(grantId) : undefined;
    if (context?.patient) ctx.body.patient = context.patient;
  });
}
