/**
 * The real development authorization server (server/idp, oidc-provider) as a child process on a free
 * loopback port, and clients of its real endpoints: authorization code + PKCE driven headlessly over
 * plain HTTP (redirects followed by hand, login and consent forms submitted, cookies kept), and client
 * credentials with a private_key_jwt client assertion.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type JWK, type KeyLike, SignJWT, exportJWK, generateKeyPair } from 'jose';

import { addressInUse, freePort } from './free-port';


const MAIN = path.resolve(__dirname, '../../server/idp/main.mjs');

export interface SigningKey { privateKey: KeyLike; publicJwk: JWK; privateJwk: JWK; kid: string }

export async function newSigningKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { privateKey, publicJwk, privateJwk, kid };
}

export interface AppClient { clientId: string; redirectUri: string; smartScopes: string }

export interface IdpOptions {
  fhirBase: string;
  /** The IdP's own token-signing key (the test keeps it to forge tokens with the real key). */
  signingKey: SigningKey;
  /** Backend services: client id → public key and allowed scopes. */
  backendClients?: { clientId: string; publicJwk: JWK; smartScopes: string; opaque?: boolean }[];
  /** Confidential clients with a secret (e.g. the FHIR server itself, for introspection). */
  secretClients?: { clientId: string; secret: string }[];
  /** Public app: redirect URI and allowed scopes. */
  appClient?: AppClient;
  /** More public apps (e.g. the review page next to a test app). */
  appClients?: AppClient[];
  /** `smart_scopes`: the most this user may be granted (absent: whatever the client may have). */
  users?: { id: string; name: string; password: string; fhirUser: string; smart_scopes?: string }[];
  patients?: { id: string; name: string }[];
  accessTokenTtl?: number;
}

export interface IdpProcess {
  issuer: string;
  child: ChildProcess;
  stop(): Promise<void>;
  output(): string;
}

/** Starts the provider on a kernel-picked port; one taken before the child binds it (EADDRINUSE) is retried on another. */
export async function startIdp(opts: IdpOptions): Promise<IdpProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startIdpOn(await freePort(), opts);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt >= 3) throw err;
    }
  }
}

class PortTaken extends Error {}

async function startIdpOn(port: number, opts: IdpOptions): Promise<IdpProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twinfhir-idp-'));
  const issuer = `http://127.0.0.1:${port}`;
  const clients = [
    ...[...(opts.appClient ? [opts.appClient] : []), ...(opts.appClients ?? [])].map((app) => ({
      client_id: app.clientId, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
      redirect_uris: [app.redirectUri], smart_scopes: app.smartScopes,
    })),
    ...(opts.backendClients ?? []).map((c) => ({
      client_id: c.clientId, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'RS384',
      grant_types: ['client_credentials'], response_types: [], redirect_uris: [], jwks: { keys: [c.publicJwk] }, smart_scopes: c.smartScopes,
      ...(c.opaque ? { access_token_format: 'opaque' } : {}),
    })),
    ...(opts.secretClients ?? []).map((c) => ({
      client_id: c.clientId, client_secret: c.secret, token_endpoint_auth_method: 'client_secret_basic', grant_types: [], response_types: [], redirect_uris: [],
    })),
  ];
  const config = {
    port, issuer, fhirBase: opts.fhirBase, clients, jwks: { keys: [opts.signingKey.privateJwk] }, accessTokenTtl: opts.accessTokenTtl ?? 300,
    users: opts.users ?? [{ id: 'dr-keller', name: 'Dr. Anna Keller', password: 'test-password', fhirUser: 'Practitioner/dr-keller' }],
    patients: opts.patients ?? [{ id: 'maria', name: 'Maria Keller' }, { id: 'sofia', name: 'Sofia Marin' }],
  };
  writeFileSync(path.join(dir, 'idp.json'), JSON.stringify(config));
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, IDP_CONFIG: path.join(dir, 'idp.json') }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let closed = false; // 'close', not 'exit': by then the child's stderr (the reason) has been read
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  child.once('close', () => { closed = true; });
  for (let i = 0; !out.includes('authorization server: issuer'); i++) {
    if (closed) {
      rmSync(dir, { recursive: true, force: true });
      throw new (addressInUse(out) ? PortTaken : Error)(`idp exited: ${out.slice(0, 1000)}`);
    }
    if (i > 300) throw new Error(`idp did not start in 30 s: ${out.slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    issuer, child, output: () => out,
    async stop() {
      if (child.exitCode === null) await new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TokenResponse { access_token: string; token_type: string; expires_in: number; scope?: string; patient?: string; id_token?: string; refresh_token?: string }

/** client_credentials with a private_key_jwt assertion (SMART Backend Services). */
export async function clientCredentialsToken(issuer: string, clientId: string, key: SigningKey, scope: string): Promise<TokenResponse> {
  const tokenUrl = `${issuer}/token`;
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS384', kid: key.kid, typ: 'JWT' })
    .setIssuer(clientId).setSubject(clientId).setAudience(tokenUrl).setJti(randomBytes(16).toString('hex')).setIssuedAt().setExpirationTime('2m')
    .sign(key.privateKey);
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    }).toString(),
  });
  const body = await res.json() as TokenResponse & { error?: string; error_description?: string };
  if (!res.ok) throw new Error(`token endpoint ${res.status}: ${body.error} ${body.error_description ?? ''}`);
  return body;
}

/** A cookie jar good enough for one provider on one host. */
export class Jar {
  private cookies = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}

async function step(jar: Jar, url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), Cookie: jar.header() } });
  jar.take(res);
  return res;
}

export interface LaunchChoice { scope: string; user?: string; password?: string; patient?: string; deny?: boolean }

/**
 * Authorization code + PKCE (S256), headless: authorize → login form → consent form (choosing the
 * patient) → redirect with the code → token. Returns the redirect's query when no code came back.
 */
export async function authorizationCodeToken(issuer: string, app: { clientId: string; redirectUri: string; aud: string }, choice: LaunchChoice): Promise<TokenResponse> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const authorize = new URL(`${issuer}/auth`);
  authorize.search = new URLSearchParams({
    response_type: 'code', client_id: app.clientId, redirect_uri: app.redirectUri, scope: choice.scope, state, aud: app.aud,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).toString();
  const redirect = await driveInteractions(new Jar(), authorize.toString(), app.redirectUri, choice);
  if (redirect.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code: ${redirect.searchParams.get('error')} ${redirect.searchParams.get('error_description') ?? ''}`);
  const res = await fetch(`${issuer}/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, client_id: app.clientId, code_verifier: verifier }).toString(),
  });
  const body = await res.json() as TokenResponse & { error?: string };
  if (!res.ok) throw new Error(`token endpoint ${res.status}: ${body.error}`);
  return body;
}

/** Follows redirects and answers the login/consent forms until the provider redirects to the app. */
export async function driveInteractions(jar: Jar | undefined, start: string, redirectUri: string, choice: LaunchChoice): Promise<URL> {
  const cookies = jar ?? new Jar();
  let url = start;
  for (let hops = 0; hops < 20; hops++) {
    if (url.startsWith(redirectUri)) return new URL(url);
    const res = await step(cookies, url);
    if (res.status >= 300 && res.status < 400) { url = new URL(res.headers.get('location') as string, url).toString(); continue; }
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`unexpected page ${res.status} at ${url}: ${html.slice(0, 300)}`);
    const form: Record<string, string> = action.endsWith('/login')
      ? { user: choice.user ?? 'dr-keller', password: choice.password ?? 'test-password' }
      : { decision: choice.deny ? 'deny' : 'allow', ...(choice.patient ? { patient: choice.patient } : {}) };
    const posted = await step(cookies, new URL(action, url).toString(), {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(),
    });
    if (posted.status < 300 || posted.status >= 400) throw new Error(`form ${action} answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
    url = new URL(posted.headers.get('location') as string, url).toString();
  }
  throw new Error('too many redirects');
}
