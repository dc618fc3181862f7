/**
 * The rest-hook client on the wire: notifications to one endpoint reuse one keep-alive connection (a connection
 * per POST was a handshake and a lookup each), a POST that gets no answer is cut at its timeout, and the timer of a
 * POST that was answered never fires later on the connection it leaves open.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle } from 'fhir/r4';
import { DeliveryError, postNotification } from '../../server/subscriptions/rest-hook';

const open = { allowPrivate: true, allowedHosts: [] as string[] };
const bundle: Bundle = { resourceType: 'Bundle', type: 'history', entry: [{ resource: { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'heartbeat' }] } }] };

/** A receiver that counts the TCP connections it accepted and the requests it answered (or holds them open). */
async function counting(hang = false): Promise<{ url: string; connections: number; requests: number; close(): Promise<void> }> {
  const seen = { connections: 0, requests: 0 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.requests++;
      if (!hang) res.end();
    });
  });
  server.on('connection', () => { seen.connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    get connections() { return seen.connections; },
    get requests() { return seen.requests; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

test('sequential notifications to one endpoint share one connection', async () => {
  const rx = await counting();
  try {
    for (let i = 0; i < 5; i++) await postNotification(rx.url, [], bundle, { timeoutMs: 5_000, policy: open });
    expect(rx.requests).toBe(5);
    expect(rx.connections).toBe(1);
  } finally {
    await rx.close();
  }
});

test('the timeout of an answered POST does not cut the keep-alive connection it leaves open: the next POST after it reuses that connection', async () => {
  const rx = await counting();
  try {
    await postNotification(rx.url, [], bundle, { timeoutMs: 100, policy: open });
    await new Promise((r) => setTimeout(r, 250));
    await postNotification(rx.url, [], bundle, { timeoutMs: 100, policy: open });
    expect(rx.requests).toBe(2);
    expect(rx.connections).toBe(1);
  } finally {
    await rx.close();
  }
});

test('a POST with no answer fails at its timeout with a DeliveryError', async () => {
  const rx = await counting(true);
  try {
    const started = Date.now();
    const sent = postNotification(rx.url, [], bundle, { timeoutMs: 200, policy: open });
    await expect(sent).rejects.toThrow(DeliveryError);
    await expect(sent).rejects.toThrow('no answer within 200 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(rx.requests).toBe(1);
  } finally {
    await rx.close();
  }
});
