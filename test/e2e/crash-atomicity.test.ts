/**
 * Killing the server (SIGKILL) in the middle of a large transaction on real PostgreSQL leaves
 * nothing behind. Needs TEST_DATABASE_URL and the compiled server (npm test builds it first).
 */
import http from 'node:http';
import { Client } from 'pg';
import { startServerProcess } from '../support/server-process';
import { NEEDS_POSTGRES, describeIf } from '../support/skip';

const run = describeIf(Boolean(process.env.TEST_DATABASE_URL), NEEDS_POSTGRES);

run('crash in the middle of a transaction (real PostgreSQL)', () => {
  test('SIGKILL mid-transaction: no resource, history or index row survives', async () => {
    const server = await startServerProcess('pg');
    const url = new URL(server.baseUrl);
    const entry = Array.from({ length: 4000 }, (_, i) => ({
      resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'urn:crash', code: `c${i}` }] }, valueQuantity: { value: i, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } },
      request: { method: 'POST', url: 'Observation' },
    }));
    const req = http.request({ host: url.hostname, port: url.port, path: '/fhir', method: 'POST', headers: { 'Content-Type': 'application/fhir+json' } });
    req.on('error', () => undefined); // the connection dies with the server
    req.end(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));

    // Wait until the transaction is open and has been working (seen via pg_stat_activity), then kill.
    const probe = new Client({ connectionString: server.db.databaseUrl });
    await probe.connect();
    const dbName = new URL(server.db.databaseUrl as string).pathname.slice(1);
    let inFlight = false;
    for (let i = 0; i < 400 && !inFlight; i++) {
      const { rows } = await probe.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND xact_start IS NOT NULL AND xact_start < now() - interval '200 milliseconds' AND pid <> pg_backend_pid()", [dbName]);
      inFlight = Number(rows[0].n) > 0;
      if (!inFlight) await new Promise((r) => setTimeout(r, 20));
    }
    expect(inFlight).toBe(true);
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    // PostgreSQL notices the dead client and rolls back; wait for its backend to go.
    for (let i = 0; i < 200; i++) {
      const { rows } = await probe.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
      if (Number(rows[0].n) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const counts = await probe.query<{ r: string; h: string; t: string }>(
      `SELECT (SELECT count(*) FROM resource WHERE res_type = 'Observation')::text AS r,
              (SELECT count(*) FROM resource_history WHERE res_type = 'Observation')::text AS h,
              (SELECT count(*) FROM idx_token WHERE res_type = 'Observation')::text AS t`);
    await probe.end();
    await server.stop();
    expect(counts.rows[0]).toEqual({ r: '0', h: '0', t: '0' });
  }, 120_000);
});
