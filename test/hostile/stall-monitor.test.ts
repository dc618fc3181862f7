/**
 * The stall monitor (http/stall-monitor.ts) names what held the event loop without logging a value:
 * request shapes keep types, operations and parameter names only; a stall is told apart as blocked
 * (the thread ran) or starved (it waited for a CPU) from the thread's own times. The monitor tests
 * block the loop on purpose and inject the thread times, so the verdict does not depend on the machine.
 */
import fc from 'fast-check';
import { type StallRecord, type ThreadTimes, classifyStall, createStallMonitor, requestShape, threadTimes } from '../../server/http/stall-monitor';

describe('requestShape', () => {
  it.each([
    ['GET', '/fhir/Patient/Smith/_history/2?name=Smith&_count=5', 'GET /fhir/Patient/:id/_history/:id?name&_count'],
    ['POST', '/fhir', 'POST /fhir'],
    ['POST', '/fhir/Patient/$validate', 'POST /fhir/Patient/$validate'],
    ['GET', '/fhir/Patient/p1/Observation?code=1234-5', 'GET /fhir/Patient/:id/Observation?code'],
    ['GET', '/fhir/Patient/$everything?_count=10', 'GET /fhir/Patient/$everything?_count'],
    ['GET', '/healthz', 'GET /healthz'],
    ['GET', '/fhir/Patient?%00weird=1&name:exact=Ann', 'GET /fhir/Patient??&name:exact'],
    ['weird method', '/fhir/Patient', 'OTHER /fhir/Patient'],
  ])('%s %s → %s', (method, url, shape) => {
    expect(requestShape(method, url)).toBe(shape);
  });

  it('never carries an id or a search value (property)', () => {
    const word = fc.string({ minLength: 1, maxLength: 30 });
    fc.assert(fc.property(word, word, fc.constantFrom('Patient', 'Observation'), (id, value, type) => {
      const secretId = `Zq${id}`;
      const secretValue = `Vx${value}`;
      const shape = requestShape('GET', `/fhir/${type}/${encodeURIComponent(secretId)}/_history/${encodeURIComponent(secretId)}?name=${encodeURIComponent(secretValue)}&${encodeURIComponent(secretValue)}`);
      expect(shape.includes('Zq')).toBe(false);
      expect(shape).not.toContain(encodeURIComponent(secretValue).slice(0, 4));
      expect(shape).toMatch(/^GET \/fhir\/(Patient|Observation)\/:id\/_history\/:id\?name&\?$/);
    }));
  });
});

describe('classifyStall', () => {
  it('blames our code when the thread ran most of the stall, the machine when it waited for a CPU', () => {
    expect(classifyStall(1000, 900, 50)).toBe('blocked');
    expect(classifyStall(1000, 300, 650)).toBe('starved');
    expect(classifyStall(1000, 100, 100)).toBe('off-cpu');
    // no run-queue figure (not Linux): CPU time alone decides
    expect(classifyStall(1000, 600, NaN)).toBe('blocked');
  });

  it('reads this thread\'s own times, which grow with work done', () => {
    const before = threadTimes();
    let x = 0;
    for (let i = 0; i < 2e7; i++) x += i % 7;
    const after = threadTimes();
    expect(x).toBeGreaterThan(0);
    expect(after.cpuMs).toBeGreaterThan(before.cpuMs);
  });
});

/** Holds the event loop for `ms` of busy work. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy */ }
}

const turns = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n * 20));

/**
 * The stall the test caused: the longest. A loaded machine can add a short stall of its own (a GC, a descheduled
 * worker) before the request arrives or after it is answered; the first stall over the threshold may be that one.
 */
const caused = (records: StallRecord[]): StallRecord | undefined =>
  records.reduce<StallRecord | undefined>((a, r) => (r.stallMs >= 60 && r.stallMs > (a?.stallMs ?? 0) ? r : a), undefined);

async function stallWith(times: () => ThreadTimes): Promise<{ records: StallRecord[]; logged: object[] }> {
  const logged: object[] = [];
  const logger = { info: () => undefined, error: () => undefined, warn: (o: object) => { logged.push(o); } };
  const monitor = createStallMonitor({ logger, thresholdMs: 60, intervalMs: 10, times });
  try {
    await turns(2);
    const done = monitor.track('POST', '/fhir/Patient?name=Secret', () => 12_345);
    block(250);
    done();
    await turns(3);
    return { records: monitor.recent(), logged };
  } finally {
    monitor.close();
  }
}

describe('createStallMonitor', () => {
  it('logs a stall with the request in flight, its shape and body size, and blames our code when the thread ran', async () => {
    const { records, logged } = await stallWith(() => ({ cpuMs: performance.now(), runQueueMs: 0 }));
    const stall = caused(records);
    expect(stall).toBeDefined();
    expect(stall?.verdict).toBe('blocked');
    expect(stall?.inFlight).toEqual([expect.objectContaining({ shape: 'POST /fhir/Patient?name', bodyBytes: 12_345 })]);
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.stringify(logged)).not.toContain('Secret');
  });

  it('calls a stall starvation when the thread spent it waiting for a CPU', async () => {
    const { records } = await stallWith(() => ({ cpuMs: 0, runQueueMs: performance.now() }));
    expect(caused(records)?.verdict).toBe('starved');
  });

  it('forgets answered requests after the next window', async () => {
    const logger = { info: () => undefined, error: () => undefined, warn: () => undefined };
    const monitor = createStallMonitor({ logger, thresholdMs: 60, intervalMs: 10, times: () => ({ cpuMs: performance.now(), runQueueMs: 0 }) });
    try {
      monitor.track('GET', '/fhir/Patient', () => 0)();
      await turns(3);
      block(150);
      await turns(2);
      const stall = caused(monitor.recent());
      expect(stall?.stallMs).toBeGreaterThanOrEqual(60);
      expect(stall?.inFlight).toEqual([]);
    } finally {
      monitor.close();
    }
  });
});
