/**
 * SQL shape of composite and terminology predicates: every index-table access can use an index
 * (checked on PGlite with sequential scans disabled — the same planner and SQL as PostgreSQL).
 */
import type { Resource } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { whereSql } from '../../server/store/search/search-sql';
import { SqlBuilder } from '../../server/store/search/sql-builder';
import { resolveCodeSets } from '../../server/store/search/terminology-source';
import { openSearchDb, type SearchDb } from './helpers/search-db';
import { queryPairs } from './helpers/query';

const registry = createSearchRegistry();
const LOINC = 'http://loinc.org';

describe('index use of composite and :in predicates', () => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb('pglite', registry);
    const vs = { resourceType: 'ValueSet', id: 'vs', url: 'http://x/vs', status: 'active', compose: { include: [{ system: LOINC, concept: [{ code: '1-1' }, { code: '2-1' }] }] } };
    await db.put(vs as Resource & { id: string });
    await db.sql.exec('SET enable_seqscan = off');
  });
  afterAll(async () => db?.close());

  async function plan(qs: string): Promise<string> {
    const { query } = parseSearchParams(registry, ['Observation'], queryPairs(qs));
    const b = new SqlBuilder();
    const where = whereSql(b, query, registry, await resolveCodeSets(db.sql, query.criteria));
    const { rows } = await db.sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT r.rid FROM resource r WHERE ${where} LIMIT 21`, b.params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  it.each([
    ['component-code-value-quantity=http://loinc.org|8480-6$gt140', /idx_(token_code|quantity_code)/],
    ['combo-code-value-concept=http://loinc.org|882-1$http://snomed.info/sct|278149003', /idx_token_code/],
    ['code:in=http://x/vs', /idx_token_code/],
  ])('Observation?%s', async (qs, index) => {
    const text = await plan(qs);
    expect(text).not.toMatch(/Seq Scan on idx_/);
    expect(text).toMatch(index);
  });
});
