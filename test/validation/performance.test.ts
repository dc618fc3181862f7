/** Micro-measure on the hot write path: validator start-up and per-resource cost on Synthea resources. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createValidator } from '../../server/validation';
import { errorsOf, sharedData } from './helpers';

/** Budget per typical resource; ingest must sustain ≥ 1,500 resources/s with the database work on top. */
const BUDGET_MS = 0.5;

interface Entry {
  resource: { resourceType: string };
}

it('validates typical Synthea resources well under the per-resource budget', () => {
  let t = process.hrtime.bigint();
  const v = createValidator();
  const constructMs = Number(process.hrtime.bigint() - t) / 1e6;

  const dir = sharedData('synthea-r4-bundles', 'bundles');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json').sort().slice(0, 10);
  const resources = files.flatMap((f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { entry?: Entry[] }).entry ?? []).map((e) => e.resource);

  t = process.hrtime.bigint();
  const types = new Set(resources.map((r) => r.resourceType));
  for (const r of resources) v.validate(r); // first pass compiles each type's schema once
  const warmMs = Number(process.hrtime.bigint() - t) / 1e6;

  const invalid = resources.filter((r) => errorsOf(v.validate(r)).length > 0);
  // best of several rounds: the machine is shared, and the minimum is the validator's own cost
  let perResourceMs = Infinity;
  for (let round = 0; round < 6; round++) {
    t = process.hrtime.bigint();
    for (const r of resources) v.validate(r);
    perResourceMs = Math.min(perResourceMs, Number(process.hrtime.bigint() - t) / 1e6 / resources.length);
  }

  console.log(
    `validator start-up ${constructMs.toFixed(0)} ms; first pass over ${resources.length} resources of ${types.size} types ` +
      `(includes schema compilation) ${warmMs.toFixed(0)} ms; then ${(perResourceMs * 1000).toFixed(1)} µs per resource (best of 6 rounds) ` +
      `(${Math.round(1000 / perResourceMs)} resources/s on one core); ${invalid.length} invalid`,
  );
  expect(invalid.map((r) => `${r.resourceType}: ${errorsOf(v.validate(r))[0]?.diagnostics}`)).toEqual([]);
  expect(perResourceMs).toBeLessThan(BUDGET_MS);
}, 60000);
