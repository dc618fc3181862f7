/** jest globalSetup: prepare the shared PGlite template once for all test files. */
import { ensureTemplate } from './pglite-template';

export default async function globalSetup(): Promise<void> {
  await ensureTemplate();
}
