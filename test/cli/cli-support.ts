/** Running the `twinfhir` CLI in tests: in-process with captured output, or as a real child process (for kill/resume). */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { build } from 'esbuild';
import { runCli } from '../../server/cli/program';
import type { TestApp } from '../support/test-app';

export interface CliRun { code: number; stdout: string; stderr: string }

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(args, { stdout, stderr, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export async function listen(app: TestApp): Promise<{ server: Server; base: string }> {
  const server = app.http.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir` };
}

export const tempDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'twinfhir-cli-'));

/** The CLI bundled into one file (as `npm run build` would compile it), to run as a child process. */
export async function bundledCli(): Promise<string> {
  const out = path.join(tempDir(), 'twinfhir-cli.js');
  await build({ entryPoints: [path.resolve(__dirname, '../../server/cli/main.ts')], bundle: true, platform: 'node', target: 'node20', outfile: out, logLevel: 'silent' });
  return out;
}

export function spawnCli(script: string, args: string[]): ChildProcess & { stderrText: () => string } {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  return Object.assign(child, { stderrText: () => err });
}
