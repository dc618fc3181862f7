/**
 * CPU worker threads have a bounded heap (CPU_THREAD_HEAP, issue 12): a task that exhausts it fails
 * with a clean 413 (the input costs too much), never a 500 or a dead server, and the pool replaces the
 * worker for the next task. Over HTTP: a huge $validate body that needs more than the limit is a 413
 * OperationOutcome, and the next large body is validated by a fresh worker.
 */
import path from 'node:path';
import request from 'supertest';
import { FhirError } from '../../server/core/fhir-error';
import { WorkerPool, heapLimits, workerDeath } from '../../server/core/worker-pool';
import { driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';

const HUNGRY = path.join(__dirname, '../support/hungry-worker.ts');

describe('worker pool heap limit', () => {
  let pool: WorkerPool;
  beforeAll(() => { pool = new WorkerPool(HUNGRY, { size: 1, resourceLimits: heapLimits(128) }); });
  afterAll(async () => { await pool.close(); });

  it('a task that runs its worker out of heap is a 413 too-costly FhirError; the next task gets a new worker', async () => {
    const err = await pool.run('grow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(413);
    expect((err as FhirError).issues[0].code).toBe('too-costly');
    expect(await pool.run({ echo: 1 })).toEqual({ echo: 1 });
  });

  it('any other death of a worker is a 503 with Retry-After, never a 500', () => {
    const oom = workerDeath(Object.assign(new Error('heap'), { code: 'ERR_WORKER_OUT_OF_MEMORY' }));
    const other = workerDeath(new Error('worker thread exited (1)'));
    expect([oom.status, other.status]).toEqual([413, 503]);
    expect(other.headers['Retry-After']).toBe('2');
    expect(other.cause).toBeInstanceOf(Error);
  });
});

/** A collection Bundle of `n` Observations (~300 bytes each). */
function bundle(n: number): string {
  const entry = Array.from({ length: n }, (_, i) => ({
    fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject: { reference: 'Patient/p1' }, valueQuantity: { value: i, unit: '/min' } },
  }));
  return JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry });
}

describe.each(driversUnderTest())('CPU_THREAD_HEAP over HTTP on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind, { CPU_THREAD_HEAP: '160mb' }); });
  afterAll(async () => { await app.dispose(); });

  it('a $validate body that needs more heap than a CPU thread has is a 413 OperationOutcome, and the next one is validated', async () => {
    const huge = bundle(150_000); // ~40 MB of JSON: several hundred MB once parsed and walked
    const refused = await request(app.http).post('/fhir/Bundle/$validate').set('Content-Type', 'application/fhir+json').send(huge);
    expect(refused.status).toBe(413);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    expect(refused.body.issue[0].code).toBe('too-costly');
    expect(refused.body.issue[0].diagnostics).toMatch(/CPU_THREAD_HEAP/);
    const next = await request(app.http).post('/fhir/Bundle/$validate').set('Content-Type', 'application/fhir+json').send(bundle(2_000)); // ~600 kB: off-thread too
    expect(next.status).toBe(200);
    expect(next.body.resourceType).toBe('OperationOutcome');
  });
});
