/** SIGTERM drains: a request in flight completes, new connections are refused, the process exits 0. */
import { fhirFetch, startServerProcess } from '../support/server-process';

describe('graceful shutdown', () => {
  test('SIGTERM while a transaction is running: it completes, then the server exits 0', async () => {
    const server = await startServerProcess(process.env.TEST_DATABASE_URL ? 'pg' : 'pglite');
    const entry = Array.from({ length: 1500 }, (_, i) => ({
      resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'urn:drain', code: `d${i}` }] } },
      request: { method: 'POST', url: 'Observation' },
    }));
    const inFlight = fhirFetch(server.baseUrl, { body: { resourceType: 'Bundle', type: 'transaction', entry }, headers: { Prefer: 'return=minimal' } });
    await new Promise((r) => setTimeout(r, 150)); // let the request reach the server
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (c) => resolve(c)));
    server.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.entry).toHaveLength(1500);
    expect([await exited, server.stderr()]).toEqual([0, '']);
    await expect(fetch(server.baseUrl + '/metadata')).rejects.toThrow();
    await server.stop();
  }, 120_000);
});
