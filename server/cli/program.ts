/**
 * The `twinfhir` command line (commander): `import` loads Bundles and NDJSON into any FHIR server,
 * `extract` runs a note through our NLP and prints the provisional findings. Exit codes: 0 done,
 * 1 some input failed, 2 usage error, 3 server unreachable or refused the request, 4 timed out.
 */
import Client from 'fhir-kit-client';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runExport } from './export-command';
import { findingLine, runExtract } from './extract-command';
import { runBulkOrRestImport } from './bulk-command';
import { type ImportOptions, type ImportSummary, runImport } from './import-runner';
import type { ProgressMode } from './progress';
import { RequestFailure, failureOf } from './request-failure';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export const EXIT = { ok: 0, inputFailed: 1, usage: 2, server: 3, timeout: 4 } as const;

const positiveInt = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new InvalidArgumentError(`${name} must be a whole number from 1 to 100000`);
  return n;
};

/** For counts where 0 means "none" (retries). */
const wholeNumber = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError(`${name} must be a whole number from 0 to 100`);
  return n;
};

interface Common { server: string; tokenEnv: string }

/** A client for the server; the token comes from an environment variable so it never shows in `ps` or shell history. */
function clientFor(o: Common, io: CliIo): Client {
  const token = io.env[o.tokenEnv];
  return new Client({ baseUrl: o.server.replace(/\/+$/, ''), ...(token ? { bearerToken: token } : {}) });
}

function printSummary(s: ImportSummary, io: CliIo, maxListed = 50): void {
  io.stdout.write(`imported ${s.resourcesOk} resources from ${s.files} files in ${s.seconds.toFixed(1)} s (${(s.resourcesOk / Math.max(s.seconds, 0.001)).toFixed(1)}/s); `
    + `${s.unitsSent} requests sent, ${s.unitsSkipped} skipped as already imported, ${s.retries} retries, ${s.resourcesFailed} failed\n`);
  for (const f of s.failures.slice(0, maxListed)) io.stdout.write(`  FAILED ${f.file} ${f.origin}: ${f.status || 'not sent'} ${f.message}\n`);
  if (s.failures.length > maxListed) io.stdout.write(`  … and ${s.failures.length - maxListed} more failures\n`);
}

function importCommand(io: CliIo, done: (code: number) => void): Command {
  return new Command('import')
    .description('load FHIR Bundles (.json) and NDJSON files (.ndjson) or folders of them into a FHIR server')
    .argument('<paths...>', 'files or folders')
    .option('-c, --concurrency <n>', 'requests in flight', positiveInt('--concurrency'), 4)
    .option('--chunk-size <n>', 'NDJSON lines per batch request', positiveInt('--chunk-size'), 100)
    .option('--retries <n>', 'retries per request on 408/429/5xx or no answer', wholeNumber('--retries'), 5)
    .option('--state <file>', 'resume log: units already imported are skipped on a re-run')
    .option('--server-ids', 'POST resources without an id (default: PUT with a stable id derived from file and line, so re-runs never duplicate)', false)
    .option('--bulk', 'upload NDJSON files to the server\'s Bulk $import (when its CapabilityStatement offers it) and poll for progress', false)
    .addOption(new Option('--progress <mode>', 'progress display').choices(['bar', 'plain', 'none']).default(process.stderr.isTTY ? 'bar' : 'plain'))
    .action(async (paths: string[], o: Common & { concurrency: number; chunkSize: number; retries: number; state?: string; serverIds: boolean; bulk: boolean; progress: ProgressMode }) => {
      const opts: ImportOptions = {
        paths, concurrency: o.concurrency, chunkSize: o.chunkSize, serverIds: o.serverIds, stateFile: o.state, progress: o.progress,
        retry: { retries: o.retries, baseMs: 250, maxMs: 30_000 },
      };
      const target = { baseUrl: o.server.replace(/\/+$/, ''), token: io.env[o.tokenEnv], pollMs: 500 };
      const summary = o.bulk ? await runBulkOrRestImport(clientFor(o, io), target, opts, io.stderr) : await runImport(clientFor(o, io), opts, io.stderr);
      printSummary(summary, io);
      done(summary.resourcesFailed ? EXIT.inputFailed : EXIT.ok);
    });
}

function extractCommand(io: CliIo, done: (code: number) => void): Command {
  return new Command('extract')
    .description("post a clinical note for a patient and print the provisional findings the server's NLP extracts")
    .argument('<file>', 'the note: .txt, .md, .html or .pdf')
    .requiredOption('-p, --patient <id>', 'the Patient the note is about')
    .option('--content-type <type>', 'override the content type taken from the file extension')
    .option('--timeout <seconds>', 'how long to wait for the extraction Task', positiveInt('--timeout'), 120)
    .option('--json', 'print the findings as a FHIR collection Bundle', false)
    .option('--retries <n>', 'retries per request on 408/429/5xx or no answer', wholeNumber('--retries'), 5)
    .action(async (file: string, o: Common & { patient: string; contentType?: string; timeout: number; json: boolean; retries: number }) => {
      const r = await runExtract(clientFor(o, io), {
        file, patient: o.patient, contentType: o.contentType, timeoutSeconds: o.timeout, pollMs: 500, json: o.json,
        retry: { retries: o.retries, baseMs: 250, maxMs: 10_000 }, onRetry: (m) => io.stderr.write(`${m}\n`),
      });
      if (r.kind === 'failed') { io.stderr.write(`extraction failed: ${r.reason}\n`); return done(EXIT.inputFailed); }
      if (r.kind === 'timeout') { io.stderr.write(`extraction not finished after ${o.timeout} s (Task status: ${r.status})\n`); return done(EXIT.timeout); }
      if (o.json) io.stdout.write(`${JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: r.findings.map((resource) => ({ resource })) }, null, 2)}\n`);
      else for (const f of r.findings) io.stdout.write(`${findingLine(f)}\n`);
      if (!o.json) io.stderr.write(`${r.findings.length} provisional findings; review them with $verify or at /review\n`);
      done(EXIT.ok);
    });
}

const list = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const repeat = (v: string, prev: string[] = []): string[] => [...prev, v];

function exportCommand(io: CliIo, done: (code: number) => void): Command {
  return new Command('export')
    .description('run a Bulk Data $export (system, Patient or Group level) and download its NDJSON files into a folder')
    .requiredOption('-o, --out <dir>', 'folder for the files (created if missing)')
    .option('-t, --type <types>', 'resource types, comma-separated (repeatable)', list)
    .option('--since <instant>', 'only resources changed after this instant (e.g. 2024-01-01T00:00:00Z)')
    .option('--type-filter <query>', "a search per type, e.g. 'Observation?category=laboratory' (repeatable; OR-ed per type)", repeat)
    .option('--patient [ids]', 'Patient-level export: every patient, or only these ids (comma-separated)')
    .option('--group <id>', 'Group-level export: the members of Group/<id>')
    .option('--pseudonymize <profile>', 'research export: de-identified with the server\'s profile (e.g. gdpr-default), patients refusing research left out')
    .option('--timeout <seconds>', 'how long to wait for the export', positiveInt('--timeout'), 3600)
    .option('--poll-max <seconds>', 'longest wait between status polls', positiveInt('--poll-max'), 10)
    .action(async (o: Common & { out: string; type?: string[]; since?: string; typeFilter?: string[]; patient?: true | string; group?: string; pseudonymize?: string; timeout: number; pollMax: number }) => {
      if (o.patient !== undefined && o.group !== undefined) { io.stderr.write('error: --patient and --group exclude each other\n'); return done(EXIT.usage); }
      const patient = o.patient === undefined ? undefined : o.patient === true ? true : list(o.patient);
      const r = await runExport({
        server: o.server, token: io.env[o.tokenEnv], out: o.out, timeoutSeconds: o.timeout, maxPollMs: o.pollMax * 1000,
        ...(o.type ? { types: o.type } : {}), ...(o.since ? { since: o.since } : {}), ...(o.typeFilter ? { typeFilters: o.typeFilter } : {}),
        ...(patient ? { patient } : {}), ...(o.group ? { group: o.group } : {}),
        ...(o.pseudonymize ? { pseudonymize: o.pseudonymize } : {}),
      }, (p) => io.stderr.write(`export: ${p}\n`));
      if (r.kind === 'timeout') { io.stderr.write(`export not finished after ${o.timeout} s; status: ${r.statusUrl}\n`); return done(EXIT.timeout); }
      for (const f of r.files) io.stdout.write(`${f.file}\t${f.type}\t${f.count ?? '?'}\n`);
      for (const f of r.errors) io.stdout.write(`${f}\tOperationOutcome\terrors\n`);
      io.stderr.write(`exported ${r.resources} resources in ${r.files.length} files in ${r.seconds.toFixed(1)} s${r.errors.length ? `; the server reported errors in ${r.errors.length} file(s)` : ''}\n`);
      done(r.errors.length ? EXIT.inputFailed : EXIT.ok);
    });
}

export function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('twinfhir')
    .description('TwinFHIR command line: load data into a FHIR server, export it in bulk, run notes through NLP')
    .option('-s, --server <url>', 'FHIR base URL', io.env.TWINFHIR_SERVER ?? 'http://localhost:8080/fhir')
    .option('--token-env <name>', 'environment variable holding a bearer token (when the server has auth on)', 'TWINFHIR_TOKEN')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  for (const cmd of [importCommand(io, done), exportCommand(io, done), extractCommand(io, done)]) {
    program.addCommand(cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) }));
  }
  // Subcommands see the global options through optsWithGlobals().
  program.hook('preAction', (_root, action) => { Object.assign(action.opts(), { ...action.optsWithGlobals() }); });
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests run it in-process too. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => { code = c; });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (!isRequestError(err)) {
      io.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
      return EXIT.inputFailed;
    }
    io.stderr.write(`error: ${failureOf(err).message}\n`);
    return EXIT.server;
  }
}

/** A failure talking to the server (an HTTP error answer, or no answer), as opposed to bad local input. */
function isRequestError(err: unknown): boolean {
  if (err instanceof RequestFailure) return true;
  if (err && typeof err === 'object' && 'response' in err) return true; // fhir-kit-client's HTTP error
  // fetch's network errors are TypeErrors, possibly from another realm (so no instanceof)
  const e = err as { name?: unknown; message?: unknown } | null;
  return typeof e === 'object' && e !== null && e.name === 'TypeError' && e.message === 'fetch failed';
}
