import { createFhirModel } from '../../../server/search/fhir-model';
import { createSearchRegistry } from '../../../server/search/registry';
import * as pc from '../../../server/search/path-compiler';
const model = createFhirModel();
const reg = createSearchRegistry();
const orig = pc.fhirpathEvaluator;
let fallbacks: string[] = [];
for (const t of model.resourceTypes()) {
  for (const d of reg.forType(t)) {
    if (!d.expression || d.type === 'composite' || d.type === 'special') continue;
    const ev = pc.compileExpression(d.expression, t, model);
    if (ev.length === 1 && ev.toString().includes('fn(resource)')) fallbacks.push(`${t}.${d.code}: ${d.expression}`);
  }
}
console.log(fallbacks.length); console.log(fallbacks.join('\n'));
