/**
 * Index extraction in steps (registry.extractSteps): the writer gives the event loop a turn between
 * steps, so a resource with 20,000 names is indexed in many short runs instead of one long one.
 * Counted in steps (units of work between which the caller may pause), never timed.
 */
import type { FhirResource, Patient, Resource } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { runSteps } from '../../server/search/extract';

const registry = createSearchRegistry();

function countSteps(r: Resource): { steps: number; values: ReturnType<typeof registry.extract> } {
  const gen = registry.extractSteps(r);
  let steps = 0;
  for (let s = gen.next(); ; s = gen.next(), steps++) if (s.done) return { steps, values: s.value };
}

const patient = (names: number, contained: FhirResource[] = []): Patient => ({
  resourceType: 'Patient', id: 'p1', birthDate: '1970-01-01',
  name: Array.from({ length: names }, (_, i) => ({ family: `Family${i}`, given: [`Given${i}`] })),
  ...(contained.length ? { contained } : {}),
});

describe('extraction in steps', () => {
  it('gives the caller a pause point per search parameter, however many names the resource has', () => {
    const params = registry.forType('Patient').length;
    const small = countSteps(patient(1));
    const huge = countSteps(patient(20_000));
    // one step per parameter at least: the work between two pauses is one parameter's, not the resource's
    expect(small.steps).toBeGreaterThanOrEqual(params - 5);
    expect(huge.steps).toBe(small.steps);
    expect(huge.values.string.filter((r) => r.param === 'family')).toHaveLength(20_000);
  });

  it('extracts contained resources step by step too, with the same rows as in one go', () => {
    const contained: FhirResource[] = [{ resourceType: 'Organization', id: 'o1', name: 'Clinic' }, { resourceType: 'Practitioner', id: 'd1', name: [{ family: 'Doe' }] }];
    const withContained = countSteps(patient(3, contained));
    expect(withContained.steps).toBeGreaterThan(countSteps(patient(3)).steps + 2);
    expect(withContained.values).toEqual(registry.extract(patient(3, contained)));
    expect(withContained.values.string.some((r) => r.param === '#Organization:name')).toBe(true);
  });

  it('runSteps drives a generator to its value', () => {
    function* three(): Generator<void, number> { yield; yield; yield; return 3; }
    expect(runSteps(three())).toBe(3);
  });
});
