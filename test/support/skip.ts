/**
 * Conditional suites and tests that say why they did not run: a silent `describe.skip` hides lost
 * coverage, so every skip names its reason in the test title and in the console output.
 */

type SuiteFn = (name: string, fn: () => void) => void;
type TestFn = (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;

/** The skip reason as it appears in titles and the console. */
export function skipNote(name: string, reason: string): string {
  return `${name} [skipped: ${reason}]`;
}

function announce(name: string, reason: string): void {
  // through console (not a bare write) so jest prints it under the suite's result, with the file
  console.info(`SKIPPED ${name}: ${reason}`);
}

/** `describe` when `cond` holds; otherwise a skipped suite whose title and console note give `reason`. */
export function describeIf(cond: boolean, reason: string): SuiteFn {
  if (cond) return describe;
  return (name, fn) => {
    announce(name, reason);
    describe.skip(skipNote(name, reason), fn);
  };
}

/** `test` when `cond` holds; otherwise a skipped test whose title and console note give `reason`. */
export function testIf(cond: boolean, reason: string): TestFn {
  if (cond) return test;
  return (name, fn, timeout) => {
    announce(name, reason);
    test.skip(skipNote(name, reason), fn, timeout);
  };
}

/** Why a PostgreSQL-only suite did not run (one wording everywhere). */
export const NEEDS_POSTGRES = 'needs real PostgreSQL: set TEST_DATABASE_URL to an admin URL of a server the tests may create databases on';
