/**
 * Differential property test for search: ~300 seeded random queries over a fixed, seeded data set,
 * the SQL results (parse → SQL, on every driver) compared with an independent in-memory reference
 * evaluator. The reference evaluates each parameter's official R4 FHIRPath expression with the
 * `fhirpath` package and applies the R4 search.html matching rules itself; it shares no code with
 * the server's parse/extract layers.
 */
import { createSearchRegistry } from '../../server/search/registry';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { matchingIds } from './helpers/query';
import { NOW, buildDataset } from './helpers/differential-data';
import { generateQueries } from './helpers/differential-queries';

const registry = createSearchRegistry();

const DATA = buildDataset(20240611);
const QUERIES = generateQueries(777, DATA, 300);

describe.each(searchDrivers())('differential search on %s', (kind) => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    await db.put(DATA);
  });
  afterAll(async () => db?.close());

  it('the reference evaluator and SQL agree on every generated query', async () => {
    const mismatches: string[] = [];
    let nonEmpty = 0;
    for (const q of QUERIES) {
      const actual = await matchingIds(db.sql, registry, q.type, `${q.qs}&_count=1000`, NOW); // one page: all matches
      if (q.expected.length) nonEmpty++;
      if (JSON.stringify(actual) !== JSON.stringify(q.expected)) {
        mismatches.push(`${q.type}?${decodeURIComponent(q.qs)}\n  expected ${JSON.stringify(q.expected)}\n  actual   ${JSON.stringify(actual)}`);
      }
    }
    console.log(`[${kind}] differential: ${QUERIES.length} queries (${nonEmpty} non-empty), ${QUERIES.length - mismatches.length} matched, ${mismatches.length} mismatched`);
    if (mismatches.length) console.log(mismatches.join('\n'));
    expect(mismatches).toEqual([]);
  });
});
