// Settings of the development SMART authorization server: env + an optional JSON file (IDP_CONFIG),
// with development defaults (two users, two patients, a public app and a backend client).
import { readFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

const DEV_USERS = [
  { id: 'dr-keller', name: 'Dr. Anna Keller', password: 'dev-password', fhirUser: 'Practitioner/dr-keller' },
  { id: 'patient-maria', name: 'Maria Keller (patient)', password: 'dev-password', fhirUser: 'Patient/maria' },
  // May read findings but not decide on them: her grants never include write/update scopes.
  { id: 'nurse-lee', name: 'Nurse Kim Lee (read only)', password: 'dev-password', fhirUser: 'Practitioner/nurse-lee', smart_scopes: 'user/*.rs' },
];
const DEV_PATIENTS = [{ id: 'maria', name: 'Maria Keller' }, { id: 'sofia', name: 'Sofia Marin' }];

function devClients(fhirBase) {
  const origin = new URL(fhirBase).origin;
  return [
    {
      client_id: 'review-app', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
      // The review page (REVIEW_CLIENT_ID): a public SMART app launched at /review/.
      redirect_uris: [`${origin}/review/`, 'http://127.0.0.1:9999/callback'],
      smart_scopes: 'patient/*.cruds user/*.cruds',
    },
  ];
}

function intEnv(env, name, dflt) {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got '${raw}'`);
  return n;
}

/** A signing key made at start: tokens die with the process (fine for development). */
function ephemeralJwks() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: `dev-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' }] };
}

export function loadIdpConfig(env = process.env) {
  const file = env.IDP_CONFIG ? JSON.parse(readFileSync(env.IDP_CONFIG, 'utf8')) : {};
  const port = intEnv(env, 'IDP_PORT', file.port ?? 8090);
  const issuer = env.IDP_ISSUER ?? file.issuer ?? `http://127.0.0.1:${port}`;
  const fhirBase = env.IDP_FHIR_BASE ?? file.fhirBase ?? 'http://127.0.0.1:8080/fhir';
  return {
    port,
    // Only loopback: this is a development/test server, never a public one.
    host: '127.0.0.1',
    issuer,
    fhirBase,
    users: file.users ?? DEV_USERS,
    patients: file.patients ?? DEV_PATIENTS,
    clients: file.clients ?? devClients(fhirBase),
    jwks: file.jwks ?? ephemeralJwks(),
    cookieKeys: file.cookieKeys ?? [randomBytes(32).toString('base64url')],
    accessTokenTtl: file.accessTokenTtl ?? 3600,
  };
}
