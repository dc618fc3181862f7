/** Routing derived from the interaction table: every FHIR URL shape maps to the interaction the spec names. */
import fc from 'fast-check';
import { FhirError } from '../../server/core/fhir-error';
import { routeOf } from '../../server/rest/route';
import type { FhirRequest } from '../../server/rest/types';

type Method = FhirRequest['method'];
const route = (method: Method, path: string): string => {
  const { spec, params } = routeOf({ method, path });
  const captured = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
  return captured ? `${spec.kind} ${captured}` : spec.kind;
};
const statusOf = (method: Method, path: string): number => {
  try {
    routeOf({ method, path });
    return 200;
  } catch (err) {
    return err instanceof FhirError ? err.status : -1;
  }
};

describe('routeOf', () => {
  test.each<[Method, string, string]>([
    ['GET', '', 'search-system'],
    ['POST', '', 'batch'],
    ['GET', 'metadata', 'capabilities'],
    ['GET', '_history', 'history-system'],
    ['POST', '_search', 'search-system'],
    ['GET', 'Patient', 'search-type type=Patient'],
    ['HEAD', 'Patient', 'search-type type=Patient'],
    ['POST', 'Patient', 'create type=Patient'],
    ['PUT', 'Patient', 'conditional-update type=Patient'],
    ['PATCH', 'Patient', 'conditional-patch type=Patient'],
    ['DELETE', 'Patient', 'conditional-delete type=Patient'],
    ['POST', 'Patient/_search', 'search-type type=Patient'],
    ['GET', 'Patient/_history', 'history-type type=Patient'],
    ['GET', 'Patient/1', 'read type=Patient id=1'],
    ['PUT', 'Patient/1', 'update type=Patient id=1'],
    ['PATCH', 'Patient/1', 'patch type=Patient id=1'],
    ['DELETE', 'Patient/1', 'delete type=Patient id=1'],
    ['GET', 'Patient/1/_history', 'history-instance type=Patient id=1'],
    ['GET', 'Patient/1/_history/2', 'vread type=Patient id=1 vid=2'],
    ['GET', 'Patient/1/Observation', 'search-compartment compartment=Patient cid=1 type=Observation'],
    ['GET', 'Patient/1/*', 'search-compartment compartment=Patient cid=1 type=*'],
    ['POST', 'Patient/1/Observation/_search', 'search-compartment compartment=Patient cid=1 type=Observation'],
    ['POST', '$verify', 'operation op=verify'],
    ['GET', 'Patient/$everything', 'operation type=Patient op=everything'],
    ['PUT', 'Patient/1/$everything', 'operation type=Patient id=1 op=everything'],
    // literal segments win over captures, whatever their position in the table
    ['PUT', '_history', 'conditional-update type=_history'],
    ['GET', 'Patient/_search', 'read type=Patient id=_search'],
    ['GET', 'Patient/%24x', 'operation type=Patient op=x'],
    ['GET', '$', 'search-type type=$'],
  ])('%s /%s → %s', (method, path, expected) => {
    expect(route(method, path)).toBe(expected);
  });

  test.each<[Method, string, number]>([
    ['PUT', '', 405],
    ['POST', 'metadata/_history', 405],
    ['POST', 'Patient/1/_history', 405],
    ['DELETE', 'Patient/1/_history/2', 405],
    ['GET', 'a/b/c/d/e', 404],
    ['GET', 'Patient/%E0%A4%A', 400],
  ])('%s /%s → %d', (method, path, status) => {
    expect(statusOf(method, path)).toBe(status);
  });

  test('any path either routes or fails with a FHIR 400/404/405, never anything else', () => {
    const segment = fc.oneof(fc.constantFrom('_history', '_search', 'metadata', '$op', '*', '%', '%2F', ''), fc.string({ maxLength: 6 }));
    const method = fc.constantFrom<Method>('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE');
    fc.assert(fc.property(method, fc.array(segment, { maxLength: 6 }), (m, segs) => {
      expect([200, 400, 404, 405]).toContain(statusOf(m, segs.join('/')));
    }));
  });
});
