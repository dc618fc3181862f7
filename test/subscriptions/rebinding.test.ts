/**
 * DNS rebinding: a rest-hook endpoint whose public-looking name resolves to an internal address at delivery
 * time is refused on the connection itself (the lookup the socket uses), unless the operator allows it.
 * A real receiver on loopback stands in for the internal service; the name's answer is fixed per test.
 */
import type { LookupAddress } from 'node:dns';
import type { Bundle } from 'fhir/r4';
import fc from 'fast-check';
import { checkAddresses, type Resolve } from '../../server/subscriptions/guarded-lookup';
import { DeliveryError, postNotification } from '../../server/subscriptions/rest-hook';
import { Receiver } from './helpers';

const closed = { allowPrivate: false, allowedHosts: [] as string[] };
const bundle: Bundle = { resourceType: 'Bundle', type: 'history', entry: [{ resource: { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'heartbeat' }] } }] };
const answer = (address: string): Resolve => (_host, _o, cb) => cb(null, [{ address, family: 4 }]);

describe('delivery-time address check', () => {
  let rx: Receiver;
  let port: string;
  beforeAll(async () => { rx = await new Receiver().start(); port = new URL(rx.url).port; });
  afterAll(async () => { await rx.close(); });

  test('a public name that now resolves to loopback is refused before anything is sent', async () => {
    const sent = postNotification(`http://hook.example.org:${port}/hook`, [['Authorization', 'Bearer s3cret']], bundle, { timeoutMs: 5_000, policy: closed, resolve: answer('127.0.0.1') });
    await expect(sent).rejects.toThrow(DeliveryError);
    await expect(sent).rejects.toThrow(/resolves to an internal address/);
    await expect(sent).rejects.not.toThrow(/s3cret/);
    expect(rx.received).toHaveLength(0);
  });

  test('the same name is delivered to when the operator allows the host (or private addresses)', async () => {
    await postNotification(`http://hook.example.org:${port}/hook`, [], bundle, { timeoutMs: 5_000, policy: { allowPrivate: false, allowedHosts: ['hook.example.org'] }, resolve: answer('127.0.0.1') });
    await postNotification(`http://hook.example.org:${port}/hook`, [], bundle, { timeoutMs: 5_000, policy: { allowPrivate: true, allowedHosts: [] }, resolve: answer('127.0.0.1') });
    expect(rx.received).toHaveLength(2);
  });

  test('an IP literal refused by the policy now is refused at delivery too', async () => {
    await expect(postNotification(`http://127.0.0.1:${port}/hook`, [], bundle, { timeoutMs: 5_000, policy: closed })).rejects.toThrow(/internal/);
  });
});

describe('checkAddresses (property)', () => {
  const octet = fc.nat(255);
  const internal = fc.oneof(
    fc.tuple(octet, octet, octet).map(([b, c, d]) => `10.${b}.${c}.${d}`),
    fc.tuple(octet, octet, octet).map(([b, c, d]) => `127.${b}.${c}.${d}`),
    fc.tuple(octet, octet).map(([c, d]) => `169.254.${c}.${d}`),
    fc.tuple(octet, octet).map(([c, d]) => `192.168.${c}.${d}`),
    fc.constantFrom('::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1'),
  );
  const pub = fc.tuple(fc.integer({ min: 1, max: 9 }), octet, octet, octet).map(([a, b, c, d]) => `${a}.${b}.${c}.${d}`);
  const addr = (a: string): LookupAddress => ({ address: a, family: a.includes(':') ? 6 : 4 });

  test('any internal address among the answers refuses; all-public answers pass; an allowed host always passes', () => {
    fc.assert(fc.property(fc.array(pub, { maxLength: 4 }), internal, fc.array(pub, { maxLength: 4 }), (before, bad, after) => {
      const answers = [...before, bad, ...after].map(addr);
      expect(checkAddresses(closed, 'hook.example.org', answers)).toBeDefined();
      expect(checkAddresses({ allowPrivate: false, allowedHosts: ['hook.example.org'] }, 'HOOK.example.org', answers)).toBeUndefined();
      expect(checkAddresses(closed, 'hook.example.org', [...before, ...after].map(addr))).toEqual(before.length + after.length ? undefined : expect.anything());
    }));
  });
});
