#!/usr/bin/env node
/** Entry point of the `twinfhir` command (package.json `bin`). */
import { runCli } from './program';

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
  .then((code) => { process.exitCode = code; })
  .catch((err: unknown) => { process.stderr.write(`error: ${(err as Error).message}\n`); process.exitCode = 1; });
