/** npm run bench [-- name...]: runs the named benchmarks (default: all) and prints their numbers. */
import { benchAudit } from './audit';
import { benchAuth } from './auth';
import { benchExport } from './export';
import { benchHotPath } from './hot-path';
import { benchImport } from './import';
import { benchIngest } from './ingest';
import { benchLlmOverhead } from './llm-overhead';
import { benchHeavy } from './heavy';
import { benchNarrative } from './narrative';
import { benchNlp } from './nlp';
import { benchNlpRules } from './nlp-rules';
import { benchPseudonymize } from './pseudonymize';
import { benchTwin } from './twin';
import { benchRead } from './read';
import { benchPatientScope } from './patient-scope';
import { benchSearch } from './search';
import { benchSubscriptions } from './subscriptions';
import { benchTerminology } from './terminology';
import { benchTextOwnership } from './text-ownership';

const BENCHES: Record<string, () => Promise<void>> = {
  ingest: benchIngest,
  import: benchImport,
  read: benchRead,
  search: benchSearch,
  'patient-scope': benchPatientScope,
  nlp: benchNlp,
  'nlp-rules': benchNlpRules,
  twin: benchTwin,
  llm: benchLlmOverhead,
  'hot-path': benchHotPath,
  terminology: benchTerminology,
  'text-ownership': benchTextOwnership,
  narrative: benchNarrative,
  heavy: benchHeavy,
  audit: benchAudit,
  auth: benchAuth,
  export: benchExport,
  pseudonymize: benchPseudonymize,
  subscriptions: benchSubscriptions,
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BENCHES);
  for (const name of names) {
    const run = BENCHES[name];
    if (!run) throw new Error(`unknown benchmark '${name}'; known: ${Object.keys(BENCHES).join(', ')}`);
    await run();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
