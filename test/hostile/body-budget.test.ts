/**
 * Request bodies held at once are bounded (http/body-budget.ts): a body that does not fit waits,
 * unread, until earlier ones are answered; a body alone always passes; one that waited too long gets
 * 503 with Retry-After. Large bodies move to the body worker without a copy (validation/off-thread.ts).
 */
import fc from 'fast-check';
import { FhirError } from '../../server/core/fhir-error';
import { announcedBodyBytes, createBodyBudget } from '../../server/http/body-budget';
import { ownedBytes } from '../../server/validation/off-thread';

const MB = 1024 * 1024;
const settled = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('body budget', () => {
  it('admits bodies that fit at once and makes a larger one wait until room is released', async () => {
    const budget = createBodyBudget(64 * MB, 60_000);
    const first = await budget.admit(40 * MB);
    await budget.admit(20 * MB);
    let admitted = false;
    const third = budget.admit(30 * MB).then((release) => { admitted = true; return release; });
    await settled();
    expect(admitted).toBe(false);
    expect(budget.waiting()).toBe(1);
    first();
    (await third)();
    expect(admitted).toBe(true);
    expect(budget.reserved()).toBe(20 * MB);
  });

  it('always admits a body alone, even over the budget, and a release twice counts once', async () => {
    const budget = createBodyBudget(10 * MB, 60_000);
    const release = await budget.admit(50 * MB);
    expect(budget.reserved()).toBe(50 * MB);
    release();
    release();
    expect(budget.reserved()).toBe(0);
  });

  it('refuses with 503 and Retry-After a body that waited longer than allowed', async () => {
    const budget = createBodyBudget(10 * MB, 20);
    const held = await budget.admit(8 * MB);
    const err = await budget.admit(8 * MB).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(503);
    expect((err as FhirError).headers['Retry-After']).toBeDefined();
    expect(budget.waiting()).toBe(0);
    held();
  });

  it('never holds more than the budget (or one body alone), and every body is admitted in the end (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 10, max: 120 }), async (sizes, limit) => {
      const budget = createBodyBudget(limit, 60_000);
      const held: (() => void)[] = [];
      let peakOver = 0;
      const all = sizes.map((size) => budget.admit(size).then((release) => {
        if (budget.reserved() > limit && budget.reserved() !== size) peakOver++;
        held.push(release);
      }));
      // release whatever is held, oldest first, until nothing waits or is held
      for (let round = 0; round < sizes.length * 4 && (budget.waiting() > 0 || held.length > 0); round++) {
        await settled();
        held.shift()?.();
      }
      await Promise.all(all);
      held.forEach((r) => r());
      expect(peakOver).toBe(0);
      expect(budget.reserved()).toBe(0);
    }));
  });

  it('reads the announced size: Content-Length, or the whole MAX_BODY for a chunked upload', () => {
    expect(announcedBodyBytes({ headers: { 'content-length': '1234' } }, 50 * MB)).toBe(1234);
    expect(announcedBodyBytes({ headers: { 'content-length': String(90 * MB) } }, 50 * MB)).toBe(50 * MB);
    expect(announcedBodyBytes({ headers: { 'transfer-encoding': 'chunked' } }, 50 * MB)).toBe(50 * MB);
    expect(announcedBodyBytes({ headers: {} }, 50 * MB)).toBe(0);
    expect(announcedBodyBytes({ headers: { 'content-length': 'x' } }, 50 * MB)).toBe(0);
  });
});

describe('ownedBytes', () => {
  it('moves a body that owns its memory and copies a view into the shared Buffer pool', () => {
    const owned = Buffer.concat([Buffer.alloc(300_000, 1), Buffer.alloc(300_000, 2)]);
    expect(ownedBytes(owned).buffer).toBe(owned.buffer);
    const pooled = Buffer.from('{"resourceType":"Patient"}');
    const copy = ownedBytes(pooled);
    expect(copy.buffer).not.toBe(pooled.buffer);
    expect(Buffer.from(copy).toString()).toBe(pooled.toString());
    const view = owned.subarray(10, 5000);
    expect(ownedBytes(view).buffer).not.toBe(owned.buffer);
  });
});
