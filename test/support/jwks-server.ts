/**
 * A minimal issuer for token-verifier tests: OpenID discovery and a JWKS endpoint that publishes whatever
 * keys the test holds at the moment of each fetch (so a test can rotate keys). It only publishes public
 * keys; the tests sign their own tokens, and the code under test verifies them like any real issuer's.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export interface JwksServer { issuer: string; close(): void }

export async function startJwksServer(publicKeys: () => JWK[], onJwksFetch: () => void = () => undefined): Promise<JwksServer> {
  let issuer = '';
  const server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/jwks') {
      onJwksFetch();
      res.end(JSON.stringify({ keys: publicKeys() }));
    } else if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token` }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, close: () => { server.close(); } };
}
