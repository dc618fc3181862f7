/**
 * A server whose port is taken fails its start (exit 1, the reason on stderr) instead of logging "listening"
 * and staying up serving nothing — Express 5 hands the listen error to the listen callback, which ignored it.
 * Test harnesses (support/server-process.ts) rely on this exit to retry on another port.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';

const MAIN = path.resolve(__dirname, '../../dist/server/main.js');

test('a taken port: the compiled server exits 1 naming EADDRINUSE', async () => {
  if (!existsSync(MAIN)) throw new Error('dist/server/main.js is missing: run `npm run build` (npm test does)');
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const { port } = holder.address() as AddressInfo;
  try {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: ':memory:', NLP_WORKERS: '0', TWIN_WORKERS: '0', DATABASE_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect([code, stderr]).toEqual([1, expect.stringContaining('EADDRINUSE')]);
  } finally {
    await new Promise((r) => holder.close(r));
  }
}, 180_000);
