import { createSearchRegistry } from '../../../server/search/registry';
import { readFileSync, readdirSync } from 'node:fs';
const t0 = performance.now();
const reg = createSearchRegistry();
console.log('registry ms', performance.now() - t0, reg.forType('Observation').length, reg.forType('Patient').map(d => d.code).join(','));
console.log(reg.get('Observation', 'patient'), reg.get('Condition', 'onset-date'), reg.get('Observation', '_tag'));
const dir = '/work/shared/data/synthea-r4-bundles/bundles/';
const files = readdirSync(dir).filter(f => f.endsWith('.json')).slice(0, 10);
const res: any[] = [];
for (const f of files) for (const e of JSON.parse(readFileSync(dir + f, 'utf8')).entry) res.push(e.resource);
console.log('resources', res.length);
const obs = res.find(r => r.resourceType === 'Observation');
const t1 = performance.now(); reg.extract(obs); console.log('first obs (compile) ms', performance.now() - t1);
console.log(JSON.stringify(reg.extract(obs), null, 0));
const pat = res.find(r => r.resourceType === 'Patient');
console.log(JSON.stringify(reg.extract(pat), null, 0).slice(0, 3000));
for (const r of res) reg.extract(r); // warm
for (let k = 0; k < 3; k++) {
  const byType: Record<string, [number, number]> = {};
  const t = performance.now();
  for (const r of res) { const a = performance.now(); reg.extract(r); const d = performance.now() - a; const b = byType[r.resourceType] ??= [0, 0]; b[0] += d; b[1]++; }
  const tot = performance.now() - t;
  console.log('all µs/res', (tot * 1000 / res.length).toFixed(1), Object.entries(byType).map(([t, [d, n]]) => `${t}:${(d * 1000 / n).toFixed(0)}µs(n=${n})`).join(' '));
}
