/**
 * Properties of channel.header masking (core/subscription-headers.ts) over arbitrary header shapes: a masked
 * copy keeps every name and no value, carries the MASKED label, and the author's write-back of it restores
 * exactly the stored list (repeated names in order); anyone else's write-back is refused; hostile entries
 * (no colon, non-strings, `__proto__` names) never leak their text.
 */
import type { Subscription } from 'fhir/r4';
import fc from 'fast-check';
import { FhirError } from '../../server/core/fhir-error';
import { isMaskedHeader, isSubscriptionAuthor, maskSubscriptionHeaders, restoreMaskedHeaders } from '../../server/core/subscription-headers';

const TOKEN_CHARS = "!#$%&'*+.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-";
const name = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS.split('')), minLength: 1, maxLength: 20 });
// values are secret-looking: at least 8 characters, not the placeholder
const value = fc.string({ minLength: 8, maxLength: 80 }).filter((v) => !/[\r\n]/.test(v) && v.trim() !== '***' && v.trim().length >= 8);
const header = fc.tuple(fc.oneof(name, fc.constantFrom('Authorization', 'authorization', '__proto__', 'X-Key')), value);

const sub = (headers: unknown[]): Subscription => ({
  resourceType: 'Subscription', id: 's1', status: 'active', reason: 'p', criteria: 'https://example.org/t',
  channel: { type: 'rest-hook', endpoint: 'https://example.org/hook', header: headers as string[] },
});

test('a value that is part of a header name is not taken for a leak (CI counterexample), a real value still is', () => {
  const masked = maskSubscriptionHeaders(sub(['__proto__: _proto__', '!: !      ! ']));
  expect(masked.channel.header).toEqual(['__proto__: ***', '!: ***']);
  expect(JSON.stringify(masked).includes('!      !')).toBe(false);
});

test('a masked copy keeps every name, no value, and the MASKED label', () => {
  fc.assert(fc.property(fc.array(header, { minLength: 1, maxLength: 10 }), (pairs) => {
    const stored = sub(pairs.map(([n, v]) => `${n}: ${v}`));
    const masked = maskSubscriptionHeaders(stored);
    const text = JSON.stringify(masked);
    // a value that is also part of a name (value "_proto__", name "__proto__") or of the label is in the text
    // by right; the leak check is for the others (CI seed 1272880139 found the first case)
    const ownText = JSON.stringify(sub(pairs.map(([n]) => `${n}: ***`))) + JSON.stringify(masked.meta ?? {});
    for (const [, v] of pairs) {
      const needle = JSON.stringify(v).slice(1, -1).trim();
      if (!ownText.includes(needle)) expect(text.includes(needle)).toBe(false);
    }
    expect(masked.channel.header).toEqual(pairs.map(([n]) => `${n}: ***`));
    expect(masked.channel.header?.every(isMaskedHeader)).toBe(true);
    expect(masked.meta?.security?.some((c) => c.code === 'MASKED')).toBe(true);
    expect(stored.channel.header).toEqual(pairs.map(([n, v]) => `${n}: ${v}`)); // the original is untouched
  }), { numRuns: 300 });
});

test('the author\'s write-back of a masked copy restores the stored list exactly; anyone else is refused', () => {
  fc.assert(fc.property(fc.array(header, { minLength: 1, maxLength: 10 }), fc.array(fc.boolean(), { maxLength: 10 }), (pairs, keepMask) => {
    const stored = sub(pairs.map(([n, v]) => `${n}: ${v}`));
    const masked = maskSubscriptionHeaders(stored);
    // some entries masked, the others sent back in clear: all come back as stored
    const partly = { ...masked, channel: { ...masked.channel, header: masked.channel.header?.map((h, i) => (keepMask[i] ?? true ? h : stored.channel.header?.[i] ?? h)) } };
    const restored = restoreMaskedHeaders(partly, stored, true);
    expect(restored.channel.header).toEqual(stored.channel.header);
    expect(restored.meta?.security ?? []).toEqual([]);
    if (partly.channel.header?.some(isMaskedHeader)) {
      expect(() => restoreMaskedHeaders(partly, stored, false)).toThrow(FhirError);
    }
  }), { numRuns: 300 });
});

test('hostile entries never leak their text when masked', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.string({ minLength: 8 }), fc.integer(), fc.constant(null), fc.object()), { minLength: 1, maxLength: 5 }), (entries) => {
    const masked = maskSubscriptionHeaders(sub(entries));
    for (const [i, e] of entries.entries()) {
      const h = masked.channel.header?.[i] as string;
      expect(typeof h).toBe('string');
      if (typeof e === 'string' && e.includes(':')) expect(h).toBe(`${e.slice(0, e.indexOf(':'))}: ***`);
      else expect(h).toBe('***');
    }
  }), { numRuns: 300 });
});

test('authorship: auth off sees everything; with auth on only the same client and subject of an auth-on author', () => {
  const author = { clientId: 'app', subject: 'u1', authDisabled: false };
  expect(isSubscriptionAuthor({ clientId: 'x', authDisabled: true }, author)).toBe(true);
  expect(isSubscriptionAuthor({ clientId: 'app', subject: 'u1', authDisabled: false }, author)).toBe(true);
  expect(isSubscriptionAuthor({ clientId: 'app', subject: 'u2', authDisabled: false }, author)).toBe(false);
  expect(isSubscriptionAuthor({ clientId: 'other', subject: 'u1', authDisabled: false }, author)).toBe(false);
  expect(isSubscriptionAuthor({ clientId: 'anonymous', authDisabled: false }, { clientId: 'anonymous', authDisabled: true })).toBe(false);
  expect(isSubscriptionAuthor({ clientId: 'app', authDisabled: false }, undefined)).toBe(false);
});
