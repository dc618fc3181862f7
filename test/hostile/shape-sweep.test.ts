/**
 * Validation cannot be bypassed by shape (issue 12): for every R4 resource type, an extra array level
 * around a repeating complex element, an array where a single complex element is expected, and the
 * same one level down inside a backbone element are all errors naming the element. Mutations are
 * generated from the R4 model (the official JSON schema says which elements repeat).
 */
import { readFileSync } from 'node:fs';
import { type ResourceValidator, createValidator } from '../../server/validation';
import { R4Model } from '../../server/core/r4/element-model';
import { definitionsDir } from '../../server/core/r4/structure-definitions';
import { defaultSchemaPath } from '../../server/validation/r4-schema';

type Schema = { type?: string; $ref?: string; items?: Schema; properties?: Record<string, Schema> };
const defs = (JSON.parse(readFileSync(defaultSchemaPath(definitionsDir()), 'utf8')) as { definitions: Record<string, Schema> }).definitions;
const model = new R4Model();
let v: ResourceValidator;
beforeAll(() => {
  v = createValidator();
});

const refName = (s: Schema | undefined): string | undefined => s?.$ref?.slice(s.$ref.lastIndexOf('/') + 1);
/** A complex (object) type, not a primitive and not a nested resource. */
const isComplex = (name: string | undefined): name is string => !!name && !!defs[name]?.properties && name !== 'ResourceList' && name !== 'Resource';

interface Mutation { path: string[]; value: unknown; expression: string }

/** The mutations for one definition: at `prefix` (JSON path) with FHIRPath `expr`, walking `modelPath`. */
function mutationsOf(defName: string, modelPath: string, prefix: string[], expr: string, depth: number): Mutation[] {
  const out: Mutation[] = [];
  let listDone = false;
  let singleDone = false;
  for (const [prop, schema] of Object.entries(defs[defName]?.properties ?? {})) {
    if (prop.startsWith('_') || prop === 'resourceType' || prop === 'extension' || prop === 'modifierExtension') continue;
    const info = model.child(modelPath, prop);
    if (!info || info.kind !== 'complex') continue;
    const step = `${expr}.${info.step}`;
    if (schema.type === 'array' && isComplex(refName(schema.items))) {
      if (!listDone) out.push({ path: [...prefix, prop], value: [[{ id: 'x' }]], expression: `${step}[0]` });
      listDone = true;
      if (depth === 0 && refName(schema.items)?.includes('_')) {
        out.push(...mutationsOf(refName(schema.items) as string, info.childPath, [...prefix, prop, '0'], `${step}[0]`, 1).slice(0, 2));
      }
    } else if (!singleDone && isComplex(refName(schema))) {
      out.push({ path: [...prefix, prop], value: [{ id: 'x' }], expression: step });
      singleDone = true;
    }
  }
  return out;
}

function mutate(type: string, m: Mutation): Record<string, unknown> {
  const root: Record<string, unknown> = { resourceType: type };
  let node: Record<string, unknown> | unknown[] = root;
  m.path.forEach((seg, i) => {
    const last = i === m.path.length - 1;
    const next = last ? m.value : /^\d+$/.test(m.path[i + 1]) ? [] : {};
    if (Array.isArray(node)) node[Number(seg)] = next;
    else node[seg] = next;
    node = next as Record<string, unknown>;
  });
  return root;
}

describe('shape mutations of every R4 resource type are rejected', () => {
  it('covers every type and finds an error at the mutated element', () => {
    const missed: string[] = [];
    let count = 0;
    for (const type of model.resourceTypes) {
      const mutations = mutationsOf(type, type, [], type, 0);
      expect(mutations.length).toBeGreaterThan(0); // every resource has meta/text (single) and most a list
      for (const m of mutations) {
        count++;
        const issues = v.validate(mutate(type, m));
        const hit = issues.some((i) => i.severity === 'error' && i.expression?.[0] === m.expression && /array/.test(i.diagnostics));
        if (!hit) missed.push(`${m.expression}: ${JSON.stringify(issues.slice(0, 2))}`);
      }
    }
    expect(missed).toEqual([]);
    expect(count).toBeGreaterThan(model.resourceTypes.length * 2);
  });

  it('the issue reproducers name the element', () => {
    const name = v.validate({ resourceType: 'Patient', name: [[1, 2]] });
    expect(name).toEqual([expect.objectContaining({ severity: 'error', code: 'structure', expression: ['Patient.name[0]'] })]);
    const component = v.validate({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: [[{ bogus: 1 }]] });
    expect(component).toEqual([expect.objectContaining({ severity: 'error', expression: ['Observation.component[0]'] })]);
    const single = v.validate({ resourceType: 'Patient', maritalStatus: [{ text: 'x' }] });
    expect(single).toEqual([expect.objectContaining({ severity: 'error', expression: ['Patient.maritalStatus'] })]);
  });
});
