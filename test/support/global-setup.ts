/** jest globalSetup: prepare the shared PGlite template once for all test files, and say which drivers run. */
import { driversUnderTest } from './databases';
import { ensureTemplate } from './pglite-template';
import { NEEDS_POSTGRES } from './skip';

export default async function globalSetup(): Promise<void> {
  await ensureTemplate();
  // Driver-parameterised suites silently lose their pg half without this line in the output.
  if (!driversUnderTest().includes('pg')) process.stderr.write(`\nDrivers under test: PGlite only; the pg driver is skipped (${NEEDS_POSTGRES}).\n`);
}
