/** Query-string parsing into a typed SearchQuery (pure: no database). */
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { FhirError } from '../../server/core/fhir-error';
import { queryPairs } from './helpers/query';

const registry = createSearchRegistry();
const parse = (type: string | string[], qs: string, strict = false): ReturnType<typeof parseSearchParams> =>
  parseSearchParams(registry, Array.isArray(type) ? type : [type], queryPairs(qs), { strict, now: new Date('2025-01-01T00:00:00Z') });

function parseError(type: string, qs: string, strict = false): FhirError {
  try {
    parse(type, qs, strict);
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
  throw new Error(`expected ${qs} to fail`);
}

describe('parseSearchParams', () => {
  it('applies defaults and ignores result parameters', () => {
    // _contained=true|both are refused (contained.test.ts); the default and _containedType are accepted.
    const { query, warnings } = parse('Patient', '_summary=true&_elements=id&_format=json&_pretty=true&_contained=false&_containedType=contained');
    expect(query).toMatchObject({ resourceTypes: ['Patient'], criteria: [], sort: [], count: 20, total: 'none', include: [], revinclude: [] });
    expect(warnings).toEqual([]);
  });

  it('parses _count, _total, _sort and _cursor', () => {
    const { query } = parse('Observation', '_count=5000&_total=accurate&_sort=-date,code,_id&_cursor=abc');
    expect(query.count).toBe(1000);
    expect(query.total).toBe('accurate');
    expect(query.sort).toEqual([{ param: 'date', descending: true }, { param: 'code', descending: false }, { param: '_id', descending: false }]);
    expect(query.cursor).toBe('abc');
    expect(parseError('Patient', '_count=-1').status).toBe(400);
    expect(parseError('Patient', '_total=lots').status).toBe(400);
    expect(parseError('Patient', '_sort=_content').status).toBe(400);
    expect(parseError('Observation', '_sort=code-value-quantity').status).toBe(400);
  });

  it('warns about unknown parameters, or rejects them when strict', () => {
    expect(parse('Patient', 'foo=bar&_sort=nope').warnings.map((w) => w.expression?.[0])).toEqual(['foo', 'nope']);
    expect(parseError('Patient', 'foo=bar', true).status).toBe(400);
    expect(parse('Observation', 'subject.foo=x').warnings).toHaveLength(1);
  });

  it('splits OR values on unescaped commas and unescapes \\, \\| \\$', () => {
    const c = parse('Patient', 'identifier=urn:x|a\\,b,c&name=x\\$y').query.criteria;
    expect(c[0].values).toEqual(['urn:x|a,b', 'c']);
    expect(c[0].parsed).toEqual([{ kind: 'token', system: 'urn:x', code: 'a,b' }, { kind: 'token', code: 'c' }]);
    expect(c[1].parsed).toEqual([{ kind: 'string', value: 'x$y', norm: 'x$y' }]);
  });

  it('parses token forms and modifiers', () => {
    const p = (qs: string): unknown => parse('Patient', qs).query.criteria[0].parsed?.[0];
    expect(p('identifier=|42')).toEqual({ kind: 'token', system: null, code: '42' });
    expect(p('identifier=urn:x|')).toEqual({ kind: 'token', system: 'urn:x' });
    expect(p('identifier:of-type=urn:v2|MR|42')).toEqual({ kind: 'token', typeSystem: 'urn:v2', typeCode: 'MR', code: '42' });
    expect(p('language:text=Engl')).toEqual({ kind: 'token', text: 'engl' });
    expect(parse('Patient', 'gender:not=male').query.criteria[0].modifier).toBe('not');
    expect(p('gender:missing=true')).toEqual({ kind: 'missing', missing: true });
    expect(parseError('Patient', 'gender:missing=maybe').status).toBe(400);
    expect(parseError('Patient', 'identifier:of-type=MR|42').status).toBe(400);
  });

  it('parses prefixes for dates, numbers and quantities', () => {
    const p = (type: string, qs: string): unknown => parse(type, qs).query.criteria[0].parsed?.[0];
    expect(p('Patient', 'birthdate=ge2020-06')).toEqual({ kind: 'date', prefix: 'ge', low: '2020-06-01T00:00:00.000Z', high: '2020-06-30T23:59:59.999Z' });
    expect(p('Patient', 'birthdate=2020-06-01T10:00:00-05:00')).toMatchObject({ prefix: 'eq', low: '2020-06-01T15:00:00.000Z' });
    expect(p('RiskAssessment', 'probability=100.0')).toEqual({ kind: 'number', prefix: 'eq', value: '100.0', low: '99.95', high: '100.05' });
    expect(p('RiskAssessment', 'probability=lt-1.5e-3')).toEqual({ kind: 'number', prefix: 'lt', value: '-0.0015', low: '-0.00155', high: '-0.00145' });
    expect(p('Observation', 'value-quantity=gt5.4|http://unitsofmeasure.org|mg/dL')).toMatchObject({
      kind: 'quantity', prefix: 'gt', value: '5.4', system: 'http://unitsofmeasure.org', code: 'mg/dL', canonical: { code: 'g.m-3', value: '54' },
    });
    expect(p('Observation', 'value-quantity=5||mg')).toEqual({ kind: 'quantity', prefix: 'eq', value: '5', low: '4.5', high: '5.5', code: 'mg' });
    for (const [type, qs] of [['Patient', 'birthdate=2020-02-30'], ['Patient', 'birthdate=xx2020'], ['Patient', 'birthdate=2020-1'], ['RiskAssessment', 'probability=1,2,x'],
      ['Observation', 'value-quantity=5|mg'], ['Observation', 'value-quantity=gtfive']]) {
      const err = parseError(type, qs);
      expect(err.status).toBe(400);
      expect(err.message).toContain(qs.split('=')[0]);
    }
  });

  it('parses references, [type] and :identifier', () => {
    const p = (qs: string): unknown => parse('Observation', qs).query.criteria[0].parsed?.[0];
    expect(p('subject=Patient/1')).toEqual({ kind: 'reference', targetType: 'Patient', id: '1' });
    expect(p('subject:Patient=1')).toEqual({ kind: 'reference', targetType: 'Patient', id: '1' });
    expect(p('subject=1')).toEqual({ kind: 'reference', id: '1' });
    expect(p('subject=https://x/fhir/Patient/1/_history/2')).toEqual({ kind: 'reference', targetType: 'Patient', id: '1', version: '2', url: 'https://x/fhir/Patient/1/_history/2' });
    expect(p('subject=urn:uuid:abc')).toEqual({ kind: 'reference', url: 'urn:uuid:abc' });
    expect(p('subject:identifier=urn:s|v')).toEqual({ kind: 'reference', identifierSystem: 'urn:s', identifierValue: 'v' });
    expect(parseError('Observation', 'subject:Patient=Group/1').status).toBe(400);
    expect(parseError('Observation', 'subject=Nope/1').status).toBe(400);
    expect(parseError('Observation', 'patient:Group=1').status).toBe(400);
  });

  it('parses chains of any depth and nested _has', () => {
    const chain = parse('Observation', 'subject:Patient.organization.name=acme').query.criteria[0];
    expect(chain).toMatchObject({ code: 'subject', chain: { targetType: 'Patient', criterion: { code: 'organization', chain: { criterion: { code: 'name', values: ['acme'] } } } } });
    const untyped = parse('Observation', 'subject.name=x').query.criteria[0];
    // Of subject's targets (Patient, Group, Device, Location) only Patient and Location have `name`.
    expect(untyped.chain?.targetTypes).toEqual(['Patient', 'Location']);
    const has = parse('Practitioner', '_has:Observation:performer:_has:Provenance:target:agent=Practitioner/1').query.criteria[0];
    expect(has).toMatchObject({ code: '_has', has: { sourceType: 'Observation', referenceParam: 'performer', criterion: { has: { sourceType: 'Provenance', referenceParam: 'target', criterion: { code: 'agent' } } } } });
    expect(parseError('Observation', 'status.name=x').status).toBe(400);
    expect(parseError('Patient', '_has:Observation:code:status=final').status).toBe(400);
    expect(parseError('Patient', '_has:Observation:patient').status).toBe(400);
  });

  it('parses _include/_revinclude and validates them', () => {
    const { query } = parse('Observation', '_include=Observation:subject:Patient&_include:iterate=Patient:general-practitioner&_revinclude=Provenance:target&_include=*&_include=Observation:*');
    expect(query.include).toEqual([
      { sourceType: 'Observation', param: 'subject', targetType: 'Patient', iterate: false, wildcard: false },
      { sourceType: 'Patient', param: 'general-practitioner', iterate: true, wildcard: false },
      { sourceType: '*', param: '*', iterate: false, wildcard: true },
      { sourceType: 'Observation', param: '*', iterate: false, wildcard: true },
    ]);
    expect(query.revinclude).toEqual([{ sourceType: 'Provenance', param: 'target', iterate: false, wildcard: false }]);
    for (const qs of ['_include=Observation:status', '_include=Observation', '_include=Nope:subject', '_include:deep=Observation:subject']) {
      expect(parseError('Observation', qs).status).toBe(400);
    }
  });

  it('handles _type for system search and rejects bad modifiers', () => {
    expect(parse([], '_type=Patient,Observation&_id=1').query.resourceTypes).toEqual(['Patient', 'Observation']);
    expect(parse([], '_type=Patient,Observation&name=x').warnings).toHaveLength(1);
    expect(() => parse([], '_type=Nope')).toThrow(FhirError);
    expect(parseError('Patient', 'gender:fuzzy=x').status).toBe(400);
    expect(parseError('Observation', 'code:below=x').status).toBe(400);
    expect(parseError('Observation', 'code:code-text=x').issues[0].code).toBe('not-supported');
    expect(parseError('Observation', 'combo-code-value-quantity=x').status).toBe(400);
  });

  it('parses resource-level composites into typed components', () => {
    const c = parse('Observation', 'code-value-quantity=http://loinc.org|8480-6$gt100|http://unitsofmeasure.org|mm[Hg],x$1').query.criteria[0];
    expect(c.parsed?.[0]).toMatchObject({ kind: 'composite', strategy: 'resource', components: [
      { code: 'code', type: 'token', value: { kind: 'token', system: 'http://loinc.org', code: '8480-6' } },
      { code: 'value-quantity', type: 'quantity', value: { kind: 'quantity', prefix: 'gt', value: '100', code: 'mm[Hg]' } },
    ] });
    expect(c.parsed).toHaveLength(2);
    expect(parseError('Observation', 'code-value-quantity=8480-6').status).toBe(400);
    expect(parseError('Observation', 'code-value-date=8480-6$notadate').status).toBe(400);
  });

  it('ignores empty values', () => {
    expect(parse('Patient', 'name=&gender=').query.criteria).toEqual([]);
  });
});
