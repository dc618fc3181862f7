import { createFhirModel } from '../../../server/search/fhir-model';
import { createSearchRegistry } from '../../../server/search/registry';
import { extractIndexValues } from '../../../server/search/extract';
import * as pc from '../../../server/search/path-compiler';
import { readFileSync } from 'node:fs';
const model = createFhirModel();
const reg = createSearchRegistry();
const b = JSON.parse(readFileSync('/work/shared/data/synthea-r4-bundles/bundles/Alda_Carter_ee1034c9-cb75-413c-8f36-da7e4268d2b5.json', 'utf8'));
for (const type of ['Patient', 'Observation']) {
  const r = b.entry.map((e: any) => e.resource).filter((x: any) => x.resourceType === type);
  const plans = reg.forType(type).filter(d => d.expression && !['_id','_lastUpdated'].includes(d.code) && d.type !== 'composite' && d.type !== 'special').map(d => ({ d, ev: pc.compileExpression(d.expression!, type, model) }));
  const times: [string, number][] = [];
  for (const p of plans) { const t = performance.now(); for (let k = 0; k < 200; k++) for (const x of r) p.ev(x); times.push([p.d.code, (performance.now() - t) * 1000 / 200 / r.length]); }
  times.sort((a, b) => b[1] - a[1]); console.log(type, times.slice(0, 8).map(([c, t]) => `${c}:${t.toFixed(2)}`).join(' '), 'sum', times.reduce((a, b) => a + b[1], 0).toFixed(1));
  const t = performance.now(); for (let k = 0; k < 200; k++) for (const x of r) reg.extract(x); console.log('extract', ((performance.now() - t) * 1000 / 200 / r.length).toFixed(1));
}
