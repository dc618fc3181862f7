/**
 * The real development authorization server (server/idp, oidc-provider) as a child process for the
 * benchmarks, with one backend-services client; access tokens come from its real token endpoint
 * (client credentials, private_key_jwt), signed by its own key and checked against its own JWKS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type KeyLike, SignJWT, exportJWK, generateKeyPair } from 'jose';

// dist/bench/lib → the repository's server/idp (plain .mjs, not compiled)
const MAIN = path.resolve(__dirname, '../../../server/idp/main.mjs');
const CLIENT = 'bench-backend';

export interface BenchIdp { issuer: string; child: ChildProcess; token(scope: string): Promise<string>; stop(): Promise<void> }

async function privateJwk(kid: string): Promise<{ privateKey: KeyLike; jwk: Record<string, unknown>; publicJwk: Record<string, unknown> }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' }, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Starts the IdP for `fhirBase` (the tokens' audience); `cpus`: taskset CPU list to pin it to. */
export async function startBenchIdp(fhirBase: string, port: number, cpus?: string): Promise<BenchIdp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twinfhir-bench-idp-'));
  const issuer = `http://127.0.0.1:${port}`;
  const signing = await privateJwk('bench-idp-key');
  const client = await privateJwk('bench-client-key');
  const config = {
    port, issuer, fhirBase, accessTokenTtl: 7200, jwks: { keys: [signing.jwk] }, users: [], patients: [],
    clients: [{
      client_id: CLIENT, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'RS256',
      grant_types: ['client_credentials'], response_types: [], redirect_uris: [], jwks: { keys: [client.publicJwk] }, smart_scopes: 'system/*.rs',
    }],
  };
  writeFileSync(path.join(dir, 'idp.json'), JSON.stringify(config));
  const [cmd, args] = cpus ? ['taskset', ['-c', cpus, process.execPath, MAIN]] : [process.execPath, [MAIN]];
  const child = spawn(cmd, args, { env: { ...process.env, IDP_CONFIG: path.join(dir, 'idp.json') }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  for (let i = 0; !out.includes('authorization server: issuer'); i++) {
    if (child.exitCode !== null || i > 600) throw new Error(`the IdP did not start: ${out.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const tokenUrl = `${issuer}/token`;
  return {
    issuer, child,
    async token(scope) {
      const assertion = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'bench-client-key' })
        .setIssuer(CLIENT).setSubject(CLIENT).setAudience(tokenUrl).setJti(randomBytes(16).toString('hex')).setIssuedAt().setExpirationTime('2m')
        .sign(client.privateKey);
      const res = await fetch(tokenUrl, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }).toString(),
      });
      const body = (await res.json()) as { access_token?: string; error?: string };
      if (!res.ok || !body.access_token) throw new Error(`the IdP's token endpoint answered ${res.status} ${body.error ?? ''}`);
      return body.access_token;
    },
    async stop() {
      if (child.exitCode === null) await new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
