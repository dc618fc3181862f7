/** Shared helpers for the validation tests: paths to the public test data and issue filters. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Issue } from '../../server/core/fhir-error';

/** `../shared/data` beside the repo (see /shared/data/README.md); tests fail loudly if it is missing. */
export function sharedData(...parts: string[]): string {
  const p = path.resolve(__dirname, '../../../shared/data', ...parts);
  if (!existsSync(p)) throw new Error(`Test data not found at ${p}: the shared data folder must sit beside the repo as ../shared`);
  return p;
}

export function examplesDir(): string {
  return path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));
}

export const errorsOf = (issues: Issue[]): Issue[] => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');

/** Expressions of the error issues, for compact assertions. */
export const errorPaths = (issues: Issue[]): string[] => errorsOf(issues).map((i) => i.expression?.[0] ?? '');
