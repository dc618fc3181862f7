/**
 * Working out who may match a resource's full text judges every nested resource (~0.2 ms each, on the event
 * loop): past NESTED_BUDGET nested resources the write takes the safe answer instead — no patient-context
 * token matches its full text — so a huge Bundle cannot hold the process (an 80,000-entry one took ~15 s).
 */
import type { Bundle } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { NESTED_BUDGET, textOwnershipOf } from '../../server/search/text-ownership';

const registry = createSearchRegistry();

function collection(entries: number, nestedInContained = false): Bundle {
  const obs = (i: number) => ({ resourceType: 'Observation' as const, id: `o${i}`, status: 'final' as const, code: { text: 'heart rate' }, subject: { reference: 'Patient/p1' } });
  if (nestedInContained) {
    // the budget counts nested resources at any depth, here one entry holding the rest as contained
    return { resourceType: 'Bundle', id: 'b', type: 'collection', entry: [{ resource: { ...obs(0), contained: Array.from({ length: entries - 1 }, (_, i) => obs(i + 1)) } }] };
  }
  return { resourceType: 'Bundle', id: 'b', type: 'collection', entry: Array.from({ length: entries }, (_, i) => ({ resource: obs(i) })) };
}

describe('text ownership of resources with many nested resources', () => {
  it('within the budget: worked out (every entry names Patient/p1 → her full text)', () => {
    const own = textOwnershipOf(registry, collection(NESTED_BUDGET));
    expect(own.owner).toBe('p1');
    expect(own.sharedContent).toEqual(expect.any(String));
  });

  it.each([false, true])('past the budget (contained: %s): nobody\'s full text, the safe answer', (contained) => {
    expect(textOwnershipOf(registry, collection(NESTED_BUDGET + 2, contained))).toEqual({ owner: '', targets: [], idents: [], sharedContent: null });
  });
});
