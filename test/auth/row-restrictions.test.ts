/** Which tokens the store confines to their patient's compartment, for reads and for writes (auth/row-restrictions). */
import { rowRestrictionsOf } from '../../server/auth/row-restrictions';
import { parseScopes } from '../../server/auth/scopes';

const of = (scope: string) => rowRestrictionsOf(parseScopes(scope.split(' ')), 'p1');

describe('rowRestrictionsOf', () => {
  test('patient/ scopes with a patient in context confine reads and writes to that patient', () => {
    expect(of('patient/*.cruds')).toEqual({ readRestriction: { patient: 'p1', exemptTypes: [] }, writeRestriction: { patient: 'p1', exemptTypes: [] } });
    expect(of('patient/Observation.rs')).toEqual({ readRestriction: { patient: 'p1', exemptTypes: [] } });
    expect(of('patient/Observation.read patient/Condition.write')).toEqual({
      readRestriction: { patient: 'p1', exemptTypes: [] }, writeRestriction: { patient: 'p1', exemptTypes: [] },
    });
  });

  test('types a user/ or system/ scope grants for the same kind of access are exempt; a broad grant on every type lifts it', () => {
    expect(of('patient/*.rs user/Practitioner.rs user/Organization.r')).toEqual({ readRestriction: { patient: 'p1', exemptTypes: ['Organization', 'Practitioner'] } });
    expect(of('patient/*.cruds user/*.rs')).toEqual({ writeRestriction: { patient: 'p1', exemptTypes: [] } });
    expect(of('patient/*.cruds user/Observation.c')).toEqual({ readRestriction: { patient: 'p1', exemptTypes: [] }, writeRestriction: { patient: 'p1', exemptTypes: ['Observation'] } });
    expect(of('patient/*.rs system/*.read')).toEqual({});
  });

  test('no patient in context, or no patient/ scope: nothing to confine to', () => {
    expect(rowRestrictionsOf(parseScopes('patient/*.rs'), undefined)).toEqual({});
    expect(of('user/*.cruds launch/patient openid')).toEqual({});
    expect(of('')).toEqual({});
  });
});
