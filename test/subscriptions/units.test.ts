/** Pure parts of subscriptions: the endpoint policy and binding tokens, with examples and properties. */
import fc from 'fast-check';
import { isInternalHost, refuseEndpoint } from '../../server/subscriptions/endpoint-policy';
import { issueBindingToken, verifyBindingToken } from '../../server/subscriptions/binding-token';
import { wakeWhenDue } from '../../server/subscriptions/fanout';
import { waitFor } from '../support/wait-for';

const closed = { allowPrivate: false, allowedHosts: [] };

describe('endpoint policy', () => {
  test.each([
    ['http://127.0.0.1:8080/x'], ['http://localhost/x'], ['http://[::1]/x'], ['http://10.1.2.3/'], ['http://192.168.0.1/'], ['http://172.20.0.1/'],
    ['http://169.254.169.254/latest/meta-data'], ['http://[::ffff:127.0.0.1]/'], ['http://[fd00::1]/'], ['http://intranet/'], ['http://db.internal/'], ['http://0.0.0.0/'],
  ])('%s is internal and refused by default', (url) => {
    expect(refuseEndpoint(closed, url)).toMatch(/internal/);
  });

  test.each([['ftp://example.org/'], ['javascript:alert(1)'], ['file:///etc/passwd'], ['http://u:p@example.org/'], ['relative/path']])('%s is refused', (url) => {
    expect(refuseEndpoint(closed, url)).toBeDefined();
  });

  test('public hosts pass; private ones only when allowed (all, or by name)', () => {
    expect(refuseEndpoint(closed, 'https://ehr.example.org/hook')).toBeUndefined();
    expect(refuseEndpoint({ allowPrivate: true, allowedHosts: [] }, 'http://127.0.0.1:9/x')).toBeUndefined();
    expect(refuseEndpoint({ allowPrivate: false, allowedHosts: ['receiver.internal'] }, 'http://receiver.internal/x')).toBeUndefined();
    expect(refuseEndpoint({ allowPrivate: false, allowedHosts: ['receiver.internal'] }, 'http://other.internal/x')).toMatch(/internal/);
  });

  test('property: every address in 10/8, 127/8, 192.168/16 and 169.254/16 is internal', () => {
    fc.assert(fc.property(fc.constantFrom(10, 127, 192, 169), fc.nat(255), fc.nat(255), fc.nat(255), (a, b, c, d) => {
      const second = a === 192 ? 168 : a === 169 ? 254 : b;
      expect(isInternalHost(`${a}.${second}.${c}.${d}`)).toBe(true);
    }));
  });
});

describe('websocket binding tokens', () => {
  const claims = { subscriptionId: 's1', clientId: 'app', exp: 2_000_000_000_000 };
  test('a token verifies until it expires, only with its secret', () => {
    const t = issueBindingToken('secret', claims);
    expect(verifyBindingToken('secret', t, 1_000)).toEqual(claims);
    expect(verifyBindingToken('other', t, 1_000)).toBeUndefined();
    expect(verifyBindingToken('secret', t, claims.exp + 1)).toBeUndefined();
  });

  test('property: any change to a token makes it invalid', () => {
    const t = issueBindingToken('secret', claims);
    fc.assert(fc.property(fc.nat(t.length - 1), fc.string({ minLength: 1, maxLength: 1 }), (i, ch) => {
      const forged = t.slice(0, i) + ch + t.slice(i + 1);
      fc.pre(forged !== t);
      expect(verifyBindingToken('secret', forged, 1_000)).toBeUndefined();
    }));
    fc.assert(fc.property(fc.string({ maxLength: 3000 }), (s) => {
      expect(verifyBindingToken('secret', s, 1_000)).toBeUndefined();
    }));
  });
});

describe('fan-out request wake (issue 15: no claim that could only learn the due time)', () => {
  test('a request wakes the runner once the linger has passed, not at once', async () => {
    let woken = 0;
    const later = wakeWhenDue(50, () => { woken++; });
    const asked = Date.now();
    later.requested();
    later.requested(); // a second request within the window shares the wake
    expect(woken).toBe(0);
    await waitFor(() => woken === 1);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(45);
    await new Promise((r) => setTimeout(r, 80));
    expect(woken).toBe(1);
  });

  test('a run started after the request drops its wake; one requested after that run keeps it', async () => {
    let woken = 0;
    const later = wakeWhenDue(40, () => { woken++; });
    later.requested();
    later.ran();
    await new Promise((r) => setTimeout(r, 120));
    expect(woken).toBe(0);
    later.requested();
    later.ran();
    later.requested(); // after the run: not served by it
    await waitFor(() => woken === 1);
  });
});
