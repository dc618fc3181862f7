/** Migration 006 in the store contract: the database itself refuses a second live Digital Twin for one patient. */
import type { Composition } from 'fhir/r4';
import { systemContext } from '../../server/core/access-context';
import { FhirError } from '../../server/core/fhir-error';
import type { ResourceStore } from '../../server/store/types';
import type { StoreContractOptions, StoreUnderTest } from './types';

const ctx = systemContext('test');
const twin = (id: string, patient: string, code = 'digital-twin'): Composition & { id: string } => ({
  resourceType: 'Composition', id, status: 'preliminary', date: '2026-01-01', title: 'Digital Twin', author: [{ reference: 'Device/x' }],
  subject: { reference: `Patient/${patient}` },
  type: { coding: [{ system: 'https://twinfhir.org/fhir/CodeSystem/twinfhir', code }, { system: 'http://loinc.org', code: '60591-5' }] },
});

export function twinConstraintContract({ newStore }: StoreContractOptions): void {
  let t: StoreUnderTest;
  let store: ResourceStore;
  beforeAll(async () => {
    t = await newStore({ poolSize: 2 });
    store = t.store;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  test('a second live twin for the same subject is refused; other subjects, other types and deleted twins are not affected', async () => {
    await store.transaction((tx) => tx.create(ctx, twin('twin-a', 'a')));
    const second = store.transaction((tx) => tx.create(ctx, twin('other-id', 'a')));
    await expect(second).rejects.toBeInstanceOf(FhirError);
    await expect(second).rejects.toMatchObject({ status: 422, message: expect.stringContaining('Patient/a already has a Digital Twin') });
    await store.transaction((tx) => tx.create(ctx, twin('twin-b', 'b')));
    await store.transaction((tx) => tx.create(ctx, twin('summary-a', 'a', 'not-a-twin')));
    // updating the one twin is fine; after deleting it a new one may exist
    const final: Composition & { id: string } = { ...twin('twin-a', 'a'), status: 'final' };
    await store.transaction((tx) => tx.update(ctx, final));
    await store.transaction((tx) => tx.delete(ctx, 'Composition', 'twin-a'));
    await store.transaction((tx) => tx.create(ctx, twin('twin-a2', 'a')));
  });
}
