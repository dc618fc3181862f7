/**
 * `twinfhir import --bulk`: on a server whose CapabilityStatement offers $import, NDJSON files are
 * uploaded to it (bulk-import.ts) and Bundle files still go as Bundles; on any other server the import
 * runs as without --bulk, saying so.
 */
import type Client from 'fhir-kit-client';
import { bulkImportFile, supportsBulkImport, type BulkTarget } from './bulk-import';
import { type ImportOptions, type ImportSummary, runImport } from './import-runner';
import { countResources, listImportFiles } from './import-sources';
import { createProgress } from './progress';

const NDJSON = /\.(ndjson|jsonl)$/i;

export async function runBulkOrRestImport(client: Client, target: BulkTarget, opts: ImportOptions, err: NodeJS.WritableStream): Promise<ImportSummary> {
  if (!(await supportsBulkImport(target))) {
    err.write('the server does not offer $import: importing through the REST API instead\n');
    return runImport(client, opts, err);
  }
  const started = Date.now();
  const files = listImportFiles(opts.paths);
  const ndjson = files.filter((f) => NDJSON.test(f));
  const others = files.filter((f) => !NDJSON.test(f));
  const summary: ImportSummary = others.length
    ? await runImport(client, { ...opts, paths: others }, err)
    : { files: 0, unitsSent: 0, unitsSkipped: 0, resourcesOk: 0, resourcesFailed: 0, retries: 0, seconds: 0, failures: [] };
  let total = 0;
  for (const f of ndjson) total += await countResources(f);
  const progress = createProgress(opts.progress, total, err);
  for (const file of ndjson) {
    let shown = 0;
    const r = await bulkImportFile(target, file, (written) => { progress.add(written - shown); shown = written; });
    progress.add(r.failures.length);
    summary.files++;
    summary.unitsSent++;
    summary.resourcesOk += r.resourcesOk;
    summary.resourcesFailed += r.failures.length;
    summary.failures.push(...r.failures);
  }
  progress.stop();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
