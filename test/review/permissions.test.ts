/** Who may verify: canVerify over constructed access contexts (SMART v1 and v2 scopes, fhirUser types). */
import type { AccessContext } from '../../server/core/access-context';
import { anonymousContext, systemContext } from '../../server/core/access-context';
import { canVerify, practitionerOf, scopeAllowsUpdate, verifyDenial } from '../../server/review/permissions';

const ctx = (user: string | undefined, scopes: string[], extra: Partial<AccessContext> = {}): AccessContext =>
  ({ clientId: 'review-app', user, scopes, authDisabled: false, requestId: 't', ...extra });

describe('canVerify', () => {
  test.each([
    ['user/Condition.write'], ['user/Condition.*'], ['user/*.write'], ['user/*.*'],
    ['user/Condition.u'], ['user/Condition.cruds'], ['user/Condition.rus'], ['user/*.cud'],
  ])('a Practitioner with %s may verify a Condition', (scope) => {
    expect(canVerify(ctx('Practitioner/p1', ['openid', 'fhirUser', scope]), 'Condition')).toBe(true);
  });

  test.each([
    ['user/Condition.read'], ['user/Condition.rs'], ['user/Observation.write'], ['patient/Condition.write'], ['patient/*.*'],
    ['system/*.*'], ['system/Condition.u'], ['user/Condition.u?category=problem-list-item'], ['user/Condition.ur'], ['launch/patient'],
  ])('%s does not allow verifying a Condition', (scope) => {
    expect(canVerify(ctx('Practitioner/p1', [scope]), 'Condition')).toBe(false);
  });

  test('fhirUser must be a Practitioner', () => {
    const scopes = ['user/*.*'];
    expect(canVerify(ctx('Practitioner/p1', scopes), 'Observation')).toBe(true);
    expect(canVerify(ctx('https://ehr.example.org/fhir/Practitioner/p1', scopes), 'Observation')).toBe(true);
    expect(canVerify(ctx('Patient/p1', scopes, { patient: 'p1' }), 'Observation')).toBe(false);
    expect(canVerify(ctx('RelatedPerson/r1', scopes), 'Observation')).toBe(false);
    expect(canVerify(ctx('PractitionerRole/r1', scopes), 'Observation')).toBe(false);
    expect(canVerify(ctx(undefined, scopes), 'Observation')).toBe(false);
    expect(verifyDenial(ctx('Patient/p1', scopes), 'Observation')).toMatch(/Only a Practitioner/);
  });

  test('system and anonymous contexts carry no Practitioner', () => {
    expect(canVerify(systemContext(), 'Condition')).toBe(false);
    expect(canVerify(anonymousContext('r'), 'Condition')).toBe(false);
    expect(verifyDenial(systemContext(), 'Condition')).toMatch(/fhirUser is a Practitioner/);
  });

  test('scope grammar', () => {
    expect(scopeAllowsUpdate('user/Condition.write', 'Observation')).toBe(false);
    expect(scopeAllowsUpdate('user/Condition.dc', 'Condition')).toBe(false); // v2 letters must be in c r u d s order
    expect(scopeAllowsUpdate('user/condition.u', 'Condition')).toBe(false);
    expect(practitionerOf('Practitioner/abc')).toBe('Practitioner/abc');
    expect(practitionerOf('https://ehr/fhir/Practitioner/abc')).toBe('Practitioner/abc');
    expect(practitionerOf('Foo/Practitioner/abc')).toBeUndefined();
    expect(practitionerOf('Practitioner/abc/_history/1')).toBeUndefined();
  });
});
