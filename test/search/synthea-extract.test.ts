/** Extraction over real Synthea bundles: every resource indexes without error (its speed: `npm run bench -- hot-path`). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { describeIf } from '../support/skip';

const DIR = path.resolve(__dirname, '../../../shared/data/synthea-r4-bundles/bundles');
const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.json')).slice(0, 5) : [];
const maybe = describeIf(files.length > 0, `no Synthea bundles at ${path.relative(process.cwd(), DIR)} (the shared data folder sits beside the repo as ../shared)`);

maybe('extraction on Synthea bundles', () => {
  const resources: Resource[] = files.flatMap((f) => (JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as { entry: { resource: Resource }[] }).entry.map((e) => e.resource));

  it('indexes every resource, with the expected parameters of an Observation', () => {
    const registry = createSearchRegistry();
    for (const r of resources) expect(() => registry.extract(r)).not.toThrow();
    const obs = resources.find((r) => r.resourceType === 'Observation' && 'valueQuantity' in r);
    const v = registry.extract(obs as Resource);
    expect(v.token.map((t) => t.param)).toEqual(expect.arrayContaining(['code', 'status', 'category', '_tag']));
    expect(v.quantity.map((q) => q.param)).toContain('value-quantity');
    expect(v.date.map((d) => d.param)).toContain('date');
  });
});
