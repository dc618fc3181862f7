/**
 * The SMART scope model (pure): v1 and v2 syntax, query restrictions, launch/identity scopes, the
 * access decision, and property-based tests for the scope parser and the Authorization header parser.
 */
import fc from 'fast-check';
import { decide } from '../../server/auth/access-policy';
import { challenge, readBearer } from '../../server/auth/bearer';
import { type Permission, formatScope, parseResourceScope, parseScopes } from '../../server/auth/scopes';

const compartment = new Set(['Patient', 'Observation', 'Condition', 'Encounter']);
const subject = (scopes: string, patient?: string) => ({ scopes: parseScopes(scopes), patient, patientCompartment: compartment });
const perms = (s: string) => [...(parseResourceScope(s)?.permissions ?? [])].sort().join('');

describe('scope parser', () => {
  test('SMART v1: read = rs, write = cud, * = cruds', () => {
    expect(perms('patient/Observation.read')).toBe('rs');
    expect(perms('user/*.write')).toBe('cdu');
    expect(perms('user/*.*')).toBe('cdrsu');
    expect(parseResourceScope('patient/Observation.read')).toMatchObject({ level: 'patient', type: 'Observation', version: 1 });
  });

  test('SMART v2: permission letters in canonical order only', () => {
    expect(perms('patient/Observation.rs')).toBe('rs');
    expect(perms('user/Condition.cruds')).toBe('cdrsu');
    expect(parseResourceScope('user/Condition.cruds')?.version).toBe(2);
    for (const bad of ['patient/Observation.sr', 'patient/Observation.rr', 'patient/Observation.x', 'patient/Observation.', 'user/observation.rs', 'admin/*.rs', 'patient/Obs-ervation.rs']) {
      expect([bad, parseResourceScope(bad)]).toEqual([bad, undefined]);
    }
  });

  test('query-restricted v2 scopes keep their name/value pairs; v1 cannot be restricted', () => {
    expect(parseResourceScope('patient/Observation.rs?category=laboratory')?.restriction).toEqual([['category', 'laboratory']]);
    expect(parseResourceScope('patient/Observation.rs?code=http%3A%2F%2Floinc.org%7C1234-5&status=final')?.restriction)
      .toEqual([['code', 'http://loinc.org|1234-5'], ['status', 'final']]);
    expect(parseResourceScope('patient/Observation.read?category=laboratory')).toBeUndefined();
    expect(parseResourceScope('patient/Observation.rs?category')).toBeUndefined();
  });

  test('launch and identity scopes; unknown scopes ignored', () => {
    const p = parseScopes('openid fhirUser launch/patient offline_access system/*.rs made-up/scope');
    expect(p).toMatchObject({ openid: true, fhirUser: true, launchPatient: true, offlineAccess: true, launch: false });
    expect(p.resources.map((r) => r.raw)).toEqual(['system/*.rs']);
  });

  test('property: never throws, and every parsed scope is well-formed', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      const p = parseScopes(s);
      for (const r of p.resources) {
        expect(['patient', 'user', 'system']).toContain(r.level);
        expect(r.permissions.size).toBeGreaterThan(0);
      }
    }), { numRuns: 2000 });
  });

  const permArb = fc.subarray<Permission>(['c', 'r', 'u', 'd', 's'], { minLength: 1 });
  const restrictionArb = fc.option(fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z-]{0,10}$/), fc.string({ minLength: 1, maxLength: 20 })), { minLength: 1, maxLength: 3 }), { nil: undefined });
  test('property: formatScope → parseResourceScope round-trips level, type, permissions and restriction', () => {
    fc.assert(fc.property(fc.constantFrom('patient', 'user', 'system') as fc.Arbitrary<'patient' | 'user' | 'system'>, fc.constantFrom('*', 'Observation', 'Condition'), permArb, restrictionArb,
      (level, type, p, restriction) => {
        const raw = formatScope(level, type, p, restriction);
        const parsed = parseResourceScope(raw);
        expect(parsed).toMatchObject({ level, type, version: 2 });
        expect([...(parsed?.permissions ?? [])].sort()).toEqual([...p].sort());
        expect(parsed?.restriction).toEqual(restriction);
      }), { numRuns: 1000 });
  });
});

describe('access decision', () => {
  test('type and permission must both be granted', () => {
    expect(decide(subject('user/Observation.rs'), { permission: 'r', type: 'Observation' }).allowed).toBe(true);
    expect(decide(subject('user/Observation.rs'), { permission: 'c', type: 'Observation' })).toMatchObject({ allowed: false, status: 403 });
    expect(decide(subject('user/Observation.rs'), { permission: 'r', type: 'Condition' })).toMatchObject({ allowed: false, status: 403 });
    expect(decide(subject('user/*.write'), { permission: 'd', type: 'Condition' }).allowed).toBe(true);
  });

  test('patient/ scopes: need a patient, confine to it, 404 for reads and 403 for writes outside the compartment', () => {
    expect(decide(subject('patient/*.rs'), { permission: 'r', type: 'Observation' })).toMatchObject({ allowed: false, status: 403 });
    expect(decide(subject('patient/*.rs', 'p1'), { permission: 'r', type: 'Observation' })).toEqual({ allowed: true, compartmentPatient: 'p1' });
    expect(decide(subject('patient/*.rs', 'p1'), { permission: 'r', type: 'Organization' })).toMatchObject({ allowed: false, status: 404 });
    expect(decide(subject('patient/*.cruds', 'p1'), { permission: 'c', type: 'Organization' })).toMatchObject({ allowed: false, status: 403 });
    expect(decide(subject('patient/*.rs', 'p1'), { permission: 's', type: '*' })).toMatchObject({ allowed: false, status: 403 });
    // a user-level grant is not confined
    expect(decide(subject('patient/*.rs user/Observation.rs', 'p1'), { permission: 'r', type: 'Observation' })).toEqual({ allowed: true });
  });

  test('administrative access needs system/ (or a user/ scope naming the type): user/*.* is not enough', () => {
    const admin = { permission: 'c' as const, type: 'SearchParameter', admin: true };
    expect(decide(subject('user/*.*'), admin).allowed).toBe(false);
    expect(decide(subject('user/*.cruds'), admin).allowed).toBe(false);
    expect(decide(subject('system/*.cruds'), admin).allowed).toBe(true);
    expect(decide(subject('system/SearchParameter.c'), admin).allowed).toBe(true);
    expect(decide(subject('user/SearchParameter.c'), admin).allowed).toBe(true);
    expect(decide(subject('patient/*.cruds', 'p1'), admin).allowed).toBe(false);
  });

  test('query restrictions are returned when every grant is restricted', () => {
    expect(decide(subject('user/Observation.rs?category=laboratory'), { permission: 's', type: 'Observation' }))
      .toEqual({ allowed: true, restrictions: [[['category', 'laboratory']]] });
    expect(decide(subject('user/Observation.rs?category=laboratory user/Observation.r'), { permission: 'r', type: 'Observation' })).toEqual({ allowed: true });
  });
});

describe('Authorization header', () => {
  test('Bearer tokens and the challenges', () => {
    expect(readBearer(undefined)).toEqual({ kind: 'none' });
    expect(readBearer('Bearer abc.def-ghi_jkl')).toEqual({ kind: 'token', token: 'abc.def-ghi_jkl' });
    expect(readBearer('bearer   abc')).toEqual({ kind: 'token', token: 'abc' });
    expect(readBearer('Basic dXNlcjpwYXNz').kind).toBe('invalid');
    expect(readBearer('Bearer').kind).toBe('invalid');
    expect(readBearer('Bearer a b').kind).toBe('invalid');
    expect(readBearer(['Bearer a', 'Bearer b']).kind).toBe('invalid');
    expect(challenge('https://x/fhir')).toBe('Bearer realm="https://x/fhir"');
    expect(challenge('r', 'invalid_token', 'say "hi"\n')).toBe('Bearer realm="r", error="invalid_token", error_description="say  hi  "');
  });

  test('property: any header value is classified without throwing; a challenge stays one header line', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 10_000 }), fc.constant(undefined), fc.array(fc.string(), { maxLength: 3 })), (h) => {
      const r = readBearer(h);
      expect(['none', 'token', 'invalid']).toContain(r.kind);
      if (r.kind === 'token') expect(r.token).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/);
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.string(), fc.string(), (realm, desc) => {
      expect(challenge(realm, 'invalid_token', desc)).not.toMatch(/[\r\n]/);
    }));
  });
});
