/**
 * Version-specific references (R4 search.html, reference parameters): a stored `Patient/1/_history/2`
 * is found by the version-independent `subject=Patient/1`, while a version-specific search value
 * finds only references to that version; on both drivers.
 */
import type { Observation } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { matchingIds, queryPairs } from './helpers/query';

const registry = createSearchRegistry();

const obs = (id: string, reference: string): Observation & { id: string } => ({
  resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference },
});

describe('parsing a version-specific reference value', () => {
  it('keeps the version apart from type and id', () => {
    const { query } = parseSearchParams(registry, ['Observation'], queryPairs('subject=Patient/1/_history/2'));
    expect(query.criteria[0].parsed).toEqual([{ kind: 'reference', targetType: 'Patient', id: '1', version: '2' }]);
  });
});

describe.each(searchDrivers())('version-specific references on %s', (kind) => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    await db.put([
      obs('v2', 'Patient/1/_history/2'), obs('v3', 'Patient/1/_history/3'), obs('plain', 'Patient/1'),
      obs('other', 'Patient/11/_history/2'), obs('abs', 'http://elsewhere.org/fhir/Patient/1/_history/2'),
    ]);
  });
  afterAll(async () => db?.close());

  it.each([
    ['subject=Patient/1', ['abs', 'plain', 'v2', 'v3']],
    ['subject=1', ['abs', 'plain', 'v2', 'v3']],
    ['subject:Patient=1', ['abs', 'plain', 'v2', 'v3']],
    ['subject=Patient/1/_history/2', ['abs', 'v2']],
    ['subject=Patient/1/_history/3', ['v3']],
    ['subject=Patient/1/_history/9', []],
    ['subject=Patient/1/_history/2,Patient/1/_history/3', ['abs', 'v2', 'v3']],
    ['subject=http://elsewhere.org/fhir/Patient/1/_history/2', ['abs', 'v2']],
    ['patient=Patient/11/_history/2', ['other']],
  ])('Observation?%s', async (qs, expected) => {
    expect(await matchingIds(db.sql, registry, 'Observation', qs)).toEqual(expected);
  });
});
