/** Sorting, keyset paging with signed cursors, totals and _include/_revinclude, on PGlite and PostgreSQL. */
import type { Patient, Resource } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { executeSearch } from '../../server/store/search/search-sql';
import { FhirError } from '../../server/core/fhir-error';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { allFixtures } from './helpers/fixtures';
import { queryPairs } from './helpers/query';

const registry = createSearchRegistry();
const SECRET = 'paging-secret';
const FAMILIES = ['Zeta', 'alpha', 'Beta', 'gamma', 'Älpha', 'delta'];

/** 37 patients with duplicate families/birthdates and some without a birthdate, to exercise ties and nulls. */
function cohort(): Patient[] {
  return Array.from({ length: 37 }, (_, i) => ({
    resourceType: 'Patient',
    id: `c-${String(i).padStart(2, '0')}`,
    gender: i % 3 === 0 ? 'female' : 'male',
    name: [{ family: FAMILIES[i % FAMILIES.length] }],
    ...(i % 7 === 3 ? {} : { birthDate: `19${50 + (i % 11)}-0${1 + (i % 5)}-1${i % 9}` }),
    identifier: [{ system: 'urn:cohort', value: 'cohort' }],
  }));
}

describe.each(searchDrivers())('sort, paging and includes on %s', (kind) => {
  let db: SearchDb;
  const inserted: Patient[] = cohort();
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    await db.put(allFixtures);
    // In order (rids are the final tie-break), on four lastUpdated days.
    for (const [i, p] of inserted.entries()) await db.put(p as Patient & { id: string }, new Date(Date.UTC(2024, 0, 1 + (i % 4))));
  });
  afterAll(async () => db?.close());

  async function search(type: string, qs: string, cursor?: string): Promise<{ ids: string[]; includes: string[]; next?: string; total?: number }> {
    const { query } = parseSearchParams(registry, [type], queryPairs(qs));
    if (cursor) query.cursor = cursor;
    const r = await executeSearch(db.sql, query, registry, { cursorSecret: SECRET });
    return { ids: r.matches.map((m) => m.id ?? ''), includes: r.includes.map((m: Resource) => `${m.resourceType}/${m.id}`).sort(), next: r.nextCursor, total: r.total };
  }

  async function allPages(type: string, qs: string): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await search(type, qs, cursor);
      out.push(...page.ids);
      if (!page.next) return out;
      cursor = page.next;
    }
    throw new Error('paging did not terminate');
  }

  const norm = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const order = inserted.map((p) => p.id ?? '');
  type Key = (p: Patient) => string | undefined;
  /** Expected order: keys compared as strings, nulls last in both directions, insertion order as tiebreak. */
  function expected(keys: [Key, boolean][], filter: (p: Patient) => boolean = () => true): string[] {
    return inserted.filter(filter).sort((a, b) => {
      for (const [key, desc] of keys) {
        const x = key(a);
        const y = key(b);
        if (x === y) continue;
        if (x === undefined) return 1;
        if (y === undefined) return -1;
        return (x < y ? -1 : 1) * (desc ? -1 : 1);
      }
      return order.indexOf(a.id ?? '') - order.indexOf(b.id ?? '');
    }).map((p) => p.id ?? '');
  }
  const birth: Key = (p) => p.birthDate;
  const family: Key = (p) => norm(p.name?.[0]?.family ?? '');

  it.each([
    ['identifier=cohort&_count=5', [] as [Key, boolean][]],
    ['identifier=cohort&_count=4&_sort=_id', [[(p: Patient) => p.id, false]] as [Key, boolean][]],
    ['identifier=cohort&_count=5&_sort=birthdate', [[birth, false]] as [Key, boolean][]],
    ['identifier=cohort&_count=6&_sort=-birthdate', [[birth, true]] as [Key, boolean][]],
    ['identifier=cohort&_count=3&_sort=family,-birthdate', [[family, false], [birth, true]] as [Key, boolean][]],
    ['identifier=cohort&_count=7&_sort=-family,birthdate', [[family, true], [birth, false]] as [Key, boolean][]],
    ['identifier=cohort&_count=5&_sort=gender,-_id', [[(p: Patient) => p.gender, false], [(p: Patient) => p.id, true]] as [Key, boolean][]],
  ])('Patient?%s returns every match exactly once, in order', async (qs, keys) => {
    const ids = await allPages('Patient', qs);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected(keys));
  });

  it('pages by _lastUpdated with criteria', async () => {
    const ids = await allPages('Patient', 'identifier=cohort&gender=male&_sort=-_lastUpdated&_count=4');
    const lu = (p: Patient): string => String(inserted.indexOf(p) % 4);
    expect(ids).toEqual(expected([[lu, true]], (p) => p.gender === 'male'));
  });

  it('rejects tampered, foreign and garbage cursors with 400', async () => {
    const first = await search('Patient', 'identifier=cohort&_count=5&_sort=birthdate');
    const cursor = first.next ?? '';
    const [payload, sig] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    decoded.r = '1';
    const forged = `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${sig}`;
    for (const [qs, c] of [
      ['identifier=cohort&_count=5&_sort=birthdate', forged],
      ['identifier=cohort&_count=5&_sort=birthdate', `${payload}.${sig.slice(0, -2)}AA`],
      ['identifier=cohort&_count=5&_sort=birthdate', 'garbage'],
      ['identifier=cohort&_count=5&_sort=family', cursor],
      ['gender=male&_count=5&_sort=birthdate', cursor],
    ]) {
      await expect(search('Patient', qs, c)).rejects.toMatchObject({ status: 400 });
    }
    await expect(search('Patient', 'identifier=cohort&_count=5&_sort=birthdate', cursor)).resolves.toBeDefined();
    await expect(search('Patient', 'identifier=cohort&_count=5&_sort=birthdate', 'x.y')).rejects.toBeInstanceOf(FhirError);
  });

  it('_total=accurate counts every match; _count=0 returns only the total', async () => {
    expect((await search('Patient', 'identifier=cohort&_total=accurate&_count=2')).total).toBe(37);
    const zero = await search('Patient', 'identifier=cohort&gender=female&_total=accurate&_count=0');
    expect(zero.ids).toEqual([]);
    expect(zero.total).toBe(13);
    expect((await search('Patient', 'identifier=cohort&_count=2')).total).toBeUndefined();
    expect((await search('Patient', 'gender=female&family=smith&_total=estimate')).total).toBe(1);
  });

  it.each([
    ['Observation', 'code=2345-7&_include=Observation:subject', ['obs-3'], ['Patient/pat-1']],
    ['Observation', 'code=2345-7&_include=Observation:subject&_include:iterate=Patient:general-practitioner', ['obs-3'], ['Patient/pat-1', 'Practitioner/prac-1']],
    ['Observation', 'code=2345-7&_include=Observation:subject&_include=Patient:general-practitioner', ['obs-3'], ['Patient/pat-1']],
    ['Observation', '_id=obs-1&_include=Observation:subject:Practitioner', ['obs-1'], []],
    ['Observation', '_id=obs-1&_include=*', ['obs-1'], ['Encounter/enc-1', 'Patient/pat-1', 'Practitioner/prac-1']],
    ['Observation', '_id=obs-1&_include=Observation:encounter&_include:iterate=Encounter:service-provider&_include:iterate=Organization:partof', ['obs-1'], ['Encounter/enc-1', 'Organization/org-1', 'Organization/org-2']],
    ['Observation', '_id=obs-5&_include=Observation:has-member', ['obs-5'], ['Observation/obs-1']],
    ['Observation', '_id=obs-1,obs-5&_include=Observation:has-member&_sort=_id', ['obs-1', 'obs-5'], []],
    ['Patient', '_id=pat-1&_revinclude=Observation:subject', ['pat-1'], ['Observation/obs-1', 'Observation/obs-3']],
    ['Patient', '_id=pat-1&_revinclude=Encounter:subject&_revinclude=RiskAssessment:*', ['pat-1'], ['Encounter/enc-1', 'RiskAssessment/ra-1', 'RiskAssessment/ra-2', 'RiskAssessment/ra-3']],
    ['Organization', '_id=org-2&_revinclude=Organization:partof&_revinclude:iterate=Patient:organization', ['org-2'], ['Organization/org-1', 'Patient/pat-2']],
  ])('%s?%s includes', async (type, qs, matches, includes) => {
    const r = await search(type, qs);
    expect(r.ids).toEqual(matches);
    expect(r.includes).toEqual(includes);
  });
});
