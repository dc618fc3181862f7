/** Typical Synthea resources (the hot write path's daily bread) pass the validator; its speed is measured by `npm run bench -- hot-path`. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createValidator } from '../../server/validation';
import { errorsOf, sharedData } from './helpers';

interface Entry {
  resource: { resourceType: string };
}

it('validates typical Synthea resources without an error, twice (compiled schemas are reused correctly)', () => {
  const v = createValidator();
  const dir = sharedData('synthea-r4-bundles', 'bundles');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json').sort().slice(0, 10);
  const resources = files.flatMap((f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { entry?: Entry[] }).entry ?? []).map((e) => e.resource);
  expect(new Set(resources.map((r) => r.resourceType)).size).toBeGreaterThan(5);
  for (const r of resources) v.validate(r); // first pass compiles each type's schema once
  const invalid = resources.filter((r) => errorsOf(v.validate(r)).length > 0);
  expect(invalid.map((r) => `${r.resourceType}: ${errorsOf(v.validate(r))[0]?.diagnostics}`)).toEqual([]);
}, 60000);
