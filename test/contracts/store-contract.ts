/**
 * runStoreContract({ newStore }): the ResourceStore contract as one suite that every implementation
 * (pg and PGlite today) must pass. Call it inside a describe that names the implementation.
 */
import { compartmentContract } from './store-compartment-contract';
import { jobQueueContract } from './store-jobs-contract';
import { maskContract } from './store-mask-contract';
import { resourceContract } from './store-resources-contract';
import { twinConstraintContract } from './store-twin-contract';
import type { StoreContractOptions } from './types';

export type { StoreContractOptions, StoreUnderTest, NewStoreOptions } from './types';

export function runStoreContract(opts: StoreContractOptions): void {
  describe('resources', () => resourceContract(opts));
  describe('job queue', () => jobQueueContract(opts));
  describe('one twin per patient', () => twinConstraintContract(opts));
  describe('patient compartment row restriction', () => compartmentContract(opts));
  describe('element masking for patient-context reads', () => maskContract(opts));
}
