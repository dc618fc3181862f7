/**
 * Patches on hostile input (issue 12): JSON Patch is capped in operations and in projected size
 * before each operation, root-path operations are 4xx, and malformed FHIRPath Patch Parameters are 400.
 */
import fc from 'fast-check';
import request from 'supertest';
import { FhirError } from '../../server/core/fhir-error';
import { R4Model } from '../../server/core/r4/element-model';
import { applyFhirPathPatch } from '../../server/rest/fhirpath-patch';
import { MAX_PATCH_OPERATIONS, applyJsonPatch } from '../../server/rest/json-patch';
import { driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';
const JSON_PATCH = 'application/json-patch+json';
const patient = { resourceType: 'Patient' as const, id: 'p1', name: [{ family: 'Doe', given: ['Jane'] }], gender: 'female' as const };
/** The one R4 model, as app.ts builds it (FHIRPath Patch evaluates paths with its fhirpath context). */
const model = new R4Model();
/** The issue's reproducer: 20 `copy` operations that duplicate /name into itself (2^20 growth). */
const copyBomb = Array.from({ length: 20 }, () => ({ op: 'copy', from: '/name', path: '/name/-' }));

const statusOf = (fn: () => unknown): number => {
  try {
    fn();
    return 200;
  } catch (e) {
    if (!(e instanceof FhirError)) throw e;
    return e.status;
  }
};

describe('JSON Patch limits (unit)', () => {
  it('the copy bomb is refused before memory grows past the cap', () => {
    let err: FhirError | undefined;
    try {
      applyJsonPatch(patient, copyBomb, 64 * 1024);
    } catch (e) {
      err = e as FhirError;
    }
    expect(err?.status).toBe(413);
    // refused at the operation that would cross 64 KB: 2^k copies of a ~40 byte list, far before 20
    expect(Number(/operation (\d+)/.exec(err?.message ?? '')?.[1])).toBeLessThan(13);
  });

  it('operation count is capped, root paths and malformed operations are 4xx', () => {
    const many = Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/gender', value: 'female' }));
    expect(statusOf(() => applyJsonPatch(patient, many, 1e6))).toBe(413);
    expect(statusOf(() => applyJsonPatch(patient, [{ op: 'replace', path: '', value: null }], 1e6))).toBe(422);
    expect(statusOf(() => applyJsonPatch(patient, [{ op: 'remove', path: '' }], 1e6))).toBe(422);
    expect(statusOf(() => applyJsonPatch(patient, [{ op: 'move', from: '', path: '/x' }], 1e6))).toBe(422);
    expect(statusOf(() => applyJsonPatch(patient, [null], 1e6))).toBe(400);
    expect(statusOf(() => applyJsonPatch(patient, { op: 'add' }, 1e6))).toBe(400);
    expect(statusOf(() => applyJsonPatch(patient, [{ op: 'add', path: 'name' , value: 1 }], 1e6))).toBe(400);
    expect(statusOf(() => applyJsonPatch(patient, [{ op: 'add', path: '/__proto__/polluted', value: 1 }], 1e6))).toBe(422);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('arbitrary operation lists never throw anything but a FhirError and never exceed the cap', () => {
    const pointer = fc.constantFrom('', '/', '/name', '/name/0', '/name/-', '/name/0/given/-', '/gender', '/x', '/name/99', '/__proto__/a', '/constructor/prototype/a');
    const op = fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'), path: fc.oneof(pointer, fc.anything()), from: pointer, value: fc.jsonValue() }, { requiredKeys: [] });
    const cap = 4096;
    fc.assert(
      fc.property(fc.oneof(fc.array(op, { maxLength: 40 }), fc.anything()), (ops) => {
        try {
          const out = applyJsonPatch(patient, ops, cap);
          expect(JSON.stringify(out).length).toBeLessThanOrEqual(cap);
        } catch (e) {
          expect(e).toBeInstanceOf(FhirError);
          expect((e as FhirError).status).toBeLessThan(500);
        }
      }),
      { numRuns: 1000, seed: 12 },
    );
  });
});

describe('FHIRPath Patch Parameters (unit)', () => {
  const malformed: [string, unknown][] = [
    ['parameter: {}', { resourceType: 'Parameters', parameter: {} }],
    ['parameter: [null]', { resourceType: 'Parameters', parameter: [null] }],
    ['part: [null]', { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [null] }] }],
    ['part: {}', { resourceType: 'Parameters', parameter: [{ name: 'operation', part: {} }] }],
    ['valueString: 5', { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 5 }] }] }],
    ['valueInteger: "x"', { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'move' }, { name: 'path', valueString: 'Patient.name' }, { name: 'source', valueInteger: 'x' }, { name: 'destination', valueInteger: 0 }] }] }],
    ['value: [[1]]', { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'add' }, { name: 'path', valueString: 'Patient' }, { name: 'name', valueString: 'name' }, { name: 'value', valueHumanName: [[1]] }] }] }],
    ['no name', { resourceType: 'Parameters', parameter: [{ part: [] }] }],
  ];
  it.each(malformed)('%s is 400', (_name, body) => {
    expect(statusOf(() => applyFhirPathPatch(model, patient, body as never))).toBe(400);
  });

  it('arbitrary Parameters shapes never throw anything but a 4xx FhirError', () => {
    const part = fc.letrec((tie) => ({
      node: fc.oneof(fc.anything(), fc.record({ name: fc.oneof(fc.constantFrom('operation', 'type', 'path', 'name', 'value', 'index'), fc.anything()), valueCode: fc.oneof(fc.constantFrom('add', 'delete', 'replace'), fc.anything()), valueString: fc.oneof(fc.constantFrom('Patient.name', 'Patient', 'family'), fc.anything()), valueInteger: fc.anything(), part: fc.oneof(fc.array(tie('node'), { maxLength: 4 }), fc.anything()) }, { requiredKeys: [] })),
    }));
    fc.assert(
      fc.property(fc.oneof(fc.array(part.node, { maxLength: 4 }), fc.anything()), (parameter) => {
        const status = statusOf(() => applyFhirPathPatch(model, patient, { resourceType: 'Parameters', parameter } as never));
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 1000, seed: 12 },
    );
  });
});

describe.each(driversUnderTest())('patches over HTTP on %s', (kind) => {
  let app: TestApp;
  let id: string;
  beforeAll(async () => {
    app = await startTestApp(kind, { MAX_BODY: '256kb' });
    id = (await request(app.http).post('/fhir/Patient').set('Content-Type', FHIR).send({ resourceType: 'Patient', name: [{ family: 'Doe' }] })).body.id;
  });
  afterAll(async () => { await app.dispose(); });
  const patch = (body: unknown, type = JSON_PATCH) => request(app.http).patch(`/fhir/Patient/${id}`).set('Content-Type', type).send(JSON.stringify(body));

  it('the copy bomb is 413 and the stored Patient is unchanged', async () => {
    const res = await patch(copyBomb);
    expect(res.status).toBe(413);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const now = (await request(app.http).get(`/fhir/Patient/${id}`)).body;
    expect(now.meta.versionId).toBe('1');
    expect(now.name).toEqual([{ family: 'Doe' }]);
  });

  it('replace at path "" is 422, malformed FHIRPath Patch Parameters are 400', async () => {
    expect((await patch([{ op: 'replace', path: '', value: null }])).status).toBe(422);
    expect((await patch([{ op: 'replace', path: '', value: 5 }])).status).toBe(422);
    for (const parameter of [{}, [null], [{ name: 'operation', part: [null] }]]) {
      const res = await patch({ resourceType: 'Parameters', parameter }, FHIR);
      expect(res.status).toBe(400);
      expect(res.body.issue[0].diagnostics).toMatch(/FHIRPath Patch/);
    }
  });

  it('arbitrary JSON Patch bodies never give a 5xx', async () => {
    const op = fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), path: fc.constantFrom('', '/name', '/name/0', '/name/-', '/gender', '/id', '/resourceType'), from: fc.constantFrom('', '/name', '/name/0'), value: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: ['op', 'path'] });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const res = await patch(ops);
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) expect(res.text.length).toBeLessThanOrEqual(256 * 1024);
      }),
      { numRuns: 40, seed: 12 },
    );
  });
});

describe('JSON Patch copy budget (unit)', () => {
  it('copies are limited to MAX_COPY_BYTES per patch even when the size cap is far away', () => {
    const big = { ...patient, name: [{ family: 'F'.repeat(300 * 1024) }] };
    const ops = Array.from({ length: 5 }, () => ({ op: 'copy', from: '/name/0', path: '/name/-' }));
    expect(statusOf(() => applyJsonPatch(big, ops, 1e9))).toBe(413);
    expect(statusOf(() => applyJsonPatch(big, ops.slice(0, 2), 1e9))).toBe(200);
  });
});
