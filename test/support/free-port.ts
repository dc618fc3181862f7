/**
 * A loopback port that was free a moment ago, for a child process that must be told its port up front
 * (a server's base URL, an IdP's issuer). The kernel picks it, so it is never one already listening or
 * in use by an open connection — a random number in the ephemeral range can be either (an outgoing
 * connection's local port makes listen() fail with EADDRINUSE). It can still be taken before the child
 * binds it: a caller that spawns a server retries on EADDRINUSE (`addressInUse`).
 */
import { type RequestListener, type Server, createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** True when a child's stderr says its listen() found the port taken. */
export const addressInUse = (stderr: string): boolean => stderr.includes('EADDRINUSE');

/**
 * An HTTP server already listening on a kernel-picked loopback port, its handler attached later by `serve`: for an
 * in-process server whose URL others must know before its app exists (an IdP's audience, a redirect URI). Unlike
 * freePort it holds the port from the start, so nothing can take it while the app starts.
 */
export async function reservedServer(): Promise<{ server: Server; port: number; serve(handler: RequestListener): void }> {
  const server = createHttpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { server, port, serve: (handler) => { server.on('request', handler); } };
}
