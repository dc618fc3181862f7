/** Splitting FHIRPath with the fhirpath parser: union branches and path steps, whatever the quotes hold. */
import fc from 'fast-check';
import { pathSteps, unionBranches } from '../../server/search/fhirpath-syntax';

describe('unionBranches', () => {
  test.each<[string, string[]]>([
    ['Patient.name', ['Patient.name']],
    ['Patient.name | Practitioner.name', ['Patient.name', 'Practitioner.name']],
    ['(Observation.value as Quantity) | (Observation.value as SampledData)', ['(Observation.value as Quantity)', '(Observation.value as SampledData)']],
    ["Observation.code.where(text = 'a|b') | Observation.category", ["Observation.code.where(text = 'a|b')", 'Observation.category']],
    ["Observation.code.where(text = 'it\\'s | x') | Condition.code", ["Observation.code.where(text = 'it\\'s | x')", 'Condition.code']],
    ['(A.b | A.c).d | E.f', ['(A.b | A.c).d', 'E.f']],
    ['A.b.where(c | d) | E.f', ['A.b.where(c | d)', 'E.f']],
    ['A.b\n  | C.d\n  | E.f', ['A.b', 'C.d', 'E.f']],
    // `and` binds looser than `|`: there is no top-level union to split
    ['A.b | C.d and E.f', ['A.b | C.d and E.f']],
    ['A.b as Quantity | C.d as Range', ['A.b as Quantity', 'C.d as Range']],
  ])('%s', (expression, branches) => {
    expect(unionBranches(expression)).toEqual(branches);
  });

  test('invalid FHIRPath is the parser\'s error', () => {
    expect(() => unionBranches('A.b | | C')).toThrow();
  });
});

describe('pathSteps', () => {
  test.each<[string, string[] | null]>([
    ['Patient.name.given', ['Patient', 'name', 'given']],
    ["Observation.component.where(code = 'a.b').value", ['Observation', 'component', "where(code = 'a.b')", 'value']],
    ["A.b.where(c = 'it\\'s.x').d", ['A', 'b', "where(c = 'it\\'s.x')", 'd']],
    ['Condition.abatement.as(Age)', ['Condition', 'abatement', 'as(Age)']],
    ['Bundle.entry[0].resource', null],
    ['%resource.referenceSeq.chromosome', null],
    ['Patient.deceased.exists() and Patient.deceased != false', null],
    ['(A.b as T).c', null],
    ["A.b.where(c = 'x'", null],
  ])('%s', (expression, steps) => {
    expect(pathSteps(expression)).toEqual(steps);
  });
});

const identifier = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,6}$/).filter((s) => !['and', 'or', 'xor', 'implies', 'as', 'is', 'div', 'mod', 'in', 'contains', 'true', 'false'].includes(s));
/** A FHIRPath string literal with any of the characters the old hand splitters tripped over. */
const literal = fc.array(fc.constantFrom('a', ' ', '|', '.', "\\'", '(', ')', '\\\\'), { maxLength: 8 }).map((cs) => `'${cs.join('')}'`);
const step = fc.oneof(identifier, fc.tuple(identifier, literal).map(([f, v]) => `where(${f} = ${v})`));
const path = fc.tuple(identifier, fc.array(step, { maxLength: 4 })).map(([head, rest]) => [head, ...rest]);

test('any union of paths splits back into its branches, and each branch into its steps', () => {
  fc.assert(fc.property(fc.array(path, { minLength: 1, maxLength: 4 }), (paths) => {
    const branches = paths.map((p) => p.join('.'));
    expect(unionBranches(branches.join(' | '))).toEqual(branches);
    for (const [i, b] of branches.entries()) expect(pathSteps(b)).toEqual(paths[i]);
  }), { numRuns: 200 });
});
