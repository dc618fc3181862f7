/**
 * One SMART world for the auth suites: the real authorization server (oidc-provider child process)
 * and the real express app listening on a loopback port with AUTH_ISSUER/AUTH_AUDIENCE pointing at it.
 * Tokens come from the provider's real endpoints.
 */
import type { Server } from 'node:http';
import type { DriverKind } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import {
  type IdpProcess, type LaunchChoice, type SigningKey, type TokenResponse, authorizationCodeToken, clientCredentialsToken, newSigningKey, startIdp,
} from '../support/idp-process';
import { reservedServer } from '../support/free-port';

// A throw-away secret of a throw-away test provider.
const INTROSPECTION_SECRET = 'test-only-introspection-secret-0123456789';

export interface SmartWorld {
  idp: IdpProcess;
  app: TestApp;
  server: Server;
  origin: string;
  fhirBase: string;
  idpKey: SigningKey;
  backendKey: SigningKey;
  app_: { clientId: string; redirectUri: string; aud: string };
  /** Backend services token (client credentials, private_key_jwt). */
  system(scope: string, clientId?: string): Promise<TokenResponse>;
  /** User token through authorization code + PKCE (login + consent, patient chosen when launch/patient). */
  user(choice: LaunchChoice): Promise<TokenResponse>;
  /** fetch against the FHIR base with a bearer token. */
  fhir(path: string, token: string | undefined, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startSmartWorld(env: Record<string, string> = {}, opts: { accessTokenTtl?: number; redirectUri?: string; kind?: DriverKind } = {}): Promise<SmartWorld> {
  const { server, port, serve } = await reservedServer();
  const origin = `http://127.0.0.1:${port}`;
  const fhirBase = `${origin}/fhir`;
  const idpKey = await newSigningKey('idp-key-1');
  const backendKey = await newSigningKey('backend-key-1', 'RS384');
  const appClient = { clientId: 'test-app', redirectUri: opts.redirectUri ?? 'http://127.0.0.1:9/callback', smartScopes: 'patient/*.cruds user/*.cruds' };
  const idp = await startIdp({
    fhirBase, signingKey: idpKey, appClient, accessTokenTtl: opts.accessTokenTtl,
    backendClients: [
      { clientId: 'backend', publicJwk: backendKey.publicJwk, smartScopes: 'system/*.cruds' },
      { clientId: 'backend-opaque', publicJwk: backendKey.publicJwk, smartScopes: 'system/*.rs', opaque: true },
    ],
    secretClients: [{ clientId: 'fhir-server', secret: INTROSPECTION_SECRET }],
  });
  const app = await startTestApp(opts.kind ?? 'pglite', {
    AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: fhirBase,
    AUTH_INTROSPECTION_URL: `${idp.issuer}/token/introspection`, AUTH_INTROSPECTION_CLIENT_ID: 'fhir-server', AUTH_INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET, ...env,
  });
  serve(app.http);
  const app_ = { clientId: appClient.clientId, redirectUri: appClient.redirectUri, aud: fhirBase };
  return {
    idp, app, server, origin, fhirBase, idpKey, backendKey, app_,
    system: (scope, clientId = 'backend') => clientCredentialsToken(idp.issuer, clientId, backendKey, scope),
    user: (choice) => authorizationCodeToken(idp.issuer, app_, choice),
    async fhir(path, token, init = {}) {
      const res = await fetch(`${fhirBase}/${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { 'Content-Type': 'application/fhir+json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...init.headers },
        body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
      });
      const text = await res.text();
      let body: unknown;
      try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await app.dispose();
      await idp.stop();
    },
  };
}
