/** SIGTERM drains: a request in flight completes, new connections are refused, the process exits 0. */
import http from 'node:http';
import { startServerProcess } from '../support/server-process';

/** Polls /metrics by the clock until at least `n` requests are in flight there. */
async function waitUntilInFlight(baseUrl: string, n: number): Promise<void> {
  const metrics = `${new URL(baseUrl).origin}/metrics`;
  const until = Date.now() + 30_000;
  for (;;) {
    const text = await (await fetch(metrics)).text();
    const value = Number(/^twinfhir_http_requests_in_flight (\d+)/m.exec(text)?.[1] ?? 0);
    if (value >= n) return;
    if (Date.now() > until) throw new Error(`fewer than ${n} requests in flight after 30 s (last: ${value})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('graceful shutdown', () => {
  test('SIGTERM while a transaction is running: it completes, then the server exits 0', async () => {
    const server = await startServerProcess(process.env.TEST_DATABASE_URL ? 'pg' : 'pglite');
    const url = new URL(server.baseUrl);
    const entry = Array.from({ length: 1500 }, (_, i) => ({
      resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'urn:drain', code: `d${i}` }] } },
      request: { method: 'POST', url: 'Observation' },
    }));
    let sent!: () => void;
    const bodySent = new Promise<void>((r) => { sent = r; });
    const response = new Promise<{ status: number; body: { entry?: unknown[] } }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/fhir', method: 'POST', headers: { 'Content-Type': 'application/fhir+json', Prefer: 'return=minimal' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => { text += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { entry?: unknown[] } }));
      });
      req.on('error', reject);
      req.on('finish', () => sent());
      req.end(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
    });
    // SIGTERM only once the whole request is on the wire and the server counts it in flight (besides the scrape itself).
    await bodySent;
    await waitUntilInFlight(server.baseUrl, 2);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (c) => resolve(c)));
    server.child.kill('SIGTERM');
    const res = await response;
    expect(res.status).toBe(200);
    expect(res.body.entry).toHaveLength(1500);
    expect([await exited, server.stderr()]).toEqual([0, '']);
    await expect(fetch(server.baseUrl + '/metadata')).rejects.toThrow();
    await server.stop();
  }, 120_000);
});
