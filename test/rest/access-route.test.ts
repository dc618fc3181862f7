/** accessRouteOf: the access guard's view of a routed request, derived from the interaction table's { spec, params }. */
import { accessRouteOf } from '../../server/rest/access-route';
import { routeOf } from '../../server/rest/route';

const view = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string): ReturnType<typeof accessRouteOf> => accessRouteOf(routeOf({ method, path }));

describe('accessRouteOf', () => {
  test.each([
    ['GET', 'metadata', { kind: 'capabilities' }],
    ['POST', '', { kind: 'batch' }],
    ['GET', '', { kind: 'search' }],
    ['POST', '_search', { kind: 'search' }],
    ['GET', 'Observation', { kind: 'search', type: 'Observation' }],
    ['POST', 'Observation/_search', { kind: 'search', type: 'Observation' }],
    ['GET', 'Patient/p1/Observation', { kind: 'search', type: 'Observation', compartment: { resourceType: 'Patient', id: 'p1' } }],
    ['GET', 'Patient/p1/*', { kind: 'search', compartment: { resourceType: 'Patient', id: 'p1' } }],
    ['GET', '_history', { kind: 'history' }],
    ['GET', 'Patient/_history', { kind: 'history', type: 'Patient' }],
    ['GET', 'Patient/p1/_history', { kind: 'history', type: 'Patient', id: 'p1' }],
    ['GET', 'Patient/p1', { kind: 'read', type: 'Patient', id: 'p1' }],
    ['GET', 'Patient/p1/_history/2', { kind: 'vread', type: 'Patient', id: 'p1', vid: '2' }],
    ['POST', 'Patient', { kind: 'create', type: 'Patient' }],
    ['PUT', 'Patient/p1', { kind: 'update', type: 'Patient', id: 'p1' }],
    ['PUT', 'Patient', { kind: 'conditional-update', type: 'Patient' }],
    ['PATCH', 'Patient/p1', { kind: 'patch', type: 'Patient', id: 'p1' }],
    ['PATCH', 'Patient', { kind: 'conditional-patch', type: 'Patient' }],
    ['DELETE', 'Patient/p1', { kind: 'delete', type: 'Patient', id: 'p1' }],
    ['DELETE', 'Patient', { kind: 'conditional-delete', type: 'Patient' }],
    ['POST', '$reindex', { kind: 'operation', name: 'reindex' }],
    ['GET', 'Condition/$review-summary', { kind: 'operation', name: 'review-summary', type: 'Condition' }],
    ['POST', 'Patient/p1/$twin', { kind: 'operation', name: 'twin', type: 'Patient', id: 'p1' }],
  ] as const)('%s /%s', (method, path, expected) => {
    expect(view(method, path)).toEqual(expected);
  });
});
