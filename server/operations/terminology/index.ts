/** The terminology operations on stored CodeSystems, ValueSets and ConceptMaps (R4 terminology service). */
import type { OperationSpec } from '../../rest/deps';
import { expandOperation } from './expand';
import { lookupOperation } from './lookup';
import { subsumesOperation } from './subsumes';
import { translateOperation } from './translate';
import { codeSystemValidateCode, valueSetValidateCode } from './validate-code';

export interface TerminologyOptions {
  /** $expand refuses (400 too-costly) expansions with more codes than this. */
  maxExpansion: number;
}

export const DEFAULT_MAX_EXPANSION = 10_000;

export function terminologyOperations(opts: TerminologyOptions = { maxExpansion: DEFAULT_MAX_EXPANSION }): OperationSpec[] {
  return [lookupOperation, codeSystemValidateCode, valueSetValidateCode, expandOperation(opts.maxExpansion), subsumesOperation, translateOperation];
}
