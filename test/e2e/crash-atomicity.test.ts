/**
 * Killing the server (SIGKILL) in the middle of a large transaction on real PostgreSQL leaves
 * nothing behind. Needs TEST_DATABASE_URL and the compiled server (npm test builds it first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/databases';

const MAIN = path.resolve(__dirname, '../../dist/server/main.js');
const run = process.env.TEST_DATABASE_URL ? describe : describe.skip;

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      if (pattern.test(d.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${String(code)}`)));
  });
}

run('crash in the middle of a transaction (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/server/main.js is missing: run npm run build (npm test does)');
    db = await createTestDatabase('pg');
  });
  afterAll(async () => { await db.drop(); });

  test('SIGKILL mid-transaction: no resource, history or index row survives', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [MAIN], { env: { ...process.env, DATABASE_URL: db.databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForLine(child, /TwinFHIR listening/, 30_000);
    const entry = Array.from({ length: 4000 }, (_, i) => ({
      resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'urn:crash', code: `c${i}` }] }, valueQuantity: { value: i, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } },
      request: { method: 'POST', url: 'Observation' },
    }));
    const body = JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry });
    const req = http.request({ host: '127.0.0.1', port, path: '/fhir', method: 'POST', headers: { 'Content-Type': 'application/fhir+json' } });
    req.on('error', () => undefined); // the connection dies with the server
    req.end(body);

    // Wait until the transaction has written rows (seen from inside via pg_stat_activity), then kill.
    const probe = new Client({ connectionString: db.databaseUrl });
    await probe.connect();
    const dbName = new URL(db.databaseUrl as string).pathname.slice(1);
    let inFlight = false;
    for (let i = 0; i < 400 && !inFlight; i++) {
      const { rows } = await probe.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND xact_start IS NOT NULL AND xact_start < now() - interval '300 milliseconds' AND pid <> pg_backend_pid()", [dbName]);
      inFlight = Number(rows[0].n) > 0;
      if (!inFlight) await new Promise((r) => setTimeout(r, 25));
    }
    expect(inFlight).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // PostgreSQL notices the dead client and rolls back; wait for its backend to go.
    for (let i = 0; i < 200; i++) {
      const { rows } = await probe.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
      if (Number(rows[0].n) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const counts = await probe.query<{ r: string; h: string }>(
      "SELECT (SELECT count(*) FROM resource WHERE res_type = 'Observation')::text AS r, (SELECT count(*) FROM resource_history WHERE res_type = 'Observation')::text AS h");
    await probe.end();
    expect(counts.rows[0]).toEqual({ r: '0', h: '0' });
  });
});
