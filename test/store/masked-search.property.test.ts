/**
 * Property (issue 11, no existence oracle): a patient-confined search finds a value only where her copy shows
 * it. Random words go into Alice's Observations either in elements she is shown (code text, her narrative,
 * her own identifier) or in elements masked in her copy (the display of a reference to Bruno, a contained
 * Patient of his, an identifier reference that is not hers, the narrative of a resource naming him). _content,
 * _text and :identifier searches under her restriction find exactly the Observations with the word in a shown
 * element, with totals to match; the unconfined search finds every placement (so the property can fail).
 */
import fc from 'fast-check';
import type { Resource } from 'fhir/r4';
import { type AccessContext, systemContext } from '../../server/core/access-context';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { driversUnderTest } from '../support/databases';
import { type TestStore, openTestStore } from '../support/test-store';
import { queryPairs } from '../search/helpers/query';

jest.setTimeout(300_000);

const registry = createSearchRegistry();
const system = systemContext('property');
const restriction = { patient: 'alice', exemptTypes: [] as string[] };
const alice: AccessContext = { ...system, patient: 'alice', readRestriction: restriction, writeRestriction: restriction };

const SHOWN = ['code', 'narrative', 'own-identifier'] as const;
const MASKED = ['his-display', 'his-contained', 'his-identifier', 'narrative-naming-him'] as const;
type Place = (typeof SHOWN)[number] | (typeof MASKED)[number];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta'];
const div = (w: string) => ({ status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">note ${w}</div>` });

/** Alice's Observation with `word` placed at `place`; her own identifier is urn:x|<word> on her Patient. */
type R = Resource & { id: string };
function observation(id: string, word: string, place: Place): R {
  const base = { resourceType: 'Observation', id, status: 'final', code: { text: 'reading' }, subject: { reference: 'Patient/alice' } };
  switch (place) {
    case 'code': return { ...base, code: { text: word } } as R;
    case 'narrative': return { ...base, text: div(word) } as R;
    case 'own-identifier': return { ...base, performer: [{ type: 'Patient', identifier: { system: 'urn:x', value: word } }] } as R;
    case 'his-display': return { ...base, performer: [{ reference: 'Patient/bruno', display: word }] } as R;
    case 'his-contained': return { ...base, contained: [{ resourceType: 'Patient', id: 'p', name: [{ family: word }], identifier: [{ system: 'urn:x', value: 'bruno' }] }], focus: [{ reference: '#p' }] } as R;
    case 'his-identifier': return { ...base, performer: [{ type: 'Patient', identifier: { system: 'urn:x', value: word } }] } as R;
    case 'narrative-naming-him': return { ...base, text: div(word), performer: [{ reference: 'Patient/bruno' }] } as R;
  }
}

const placement = fc.record({ word: fc.constantFrom(...WORDS), place: fc.constantFrom<Place>(...SHOWN, ...MASKED) });

describe.each(driversUnderTest())('masked-element search property on %s', (kind) => {
  let t: TestStore;
  let run = 0;
  beforeAll(async () => {
    t = await openTestStore(kind);
    await t.store.transaction((tx) => tx.createMany(system, [{ resourceType: 'Patient', id: 'bruno' } as R]));
  });
  afterAll(async () => { await t?.dispose(); });

  async function ids(ctx: AccessContext, type: string, qs: string): Promise<{ ids: string[]; total?: number }> {
    const { query } = parseSearchParams(registry, [type], queryPairs(`${qs}&_count=1000&_total=accurate`));
    const res = await t.store.search(ctx, query);
    return { ids: res.matches.map((r) => r.id ?? '').sort(), total: res.total };
  }

  test('searches find exactly the words her copies show', async () => {
    await fc.assert(fc.asyncProperty(fc.array(placement, { minLength: 1, maxLength: 10 }), fc.constantFrom(...WORDS), async (placements, ownWord) => {
      // Fresh words per run (a prefix of letters: one tsvector token), so earlier runs' rows never match.
      const prefix = `r${'abcdefghijklmnopqrstuvwxyz'[run % 26]}${'abcdefghijklmnopqrstuvwxyz'[Math.floor(run / 26) % 26]}x`;
      run += 1;
      const word = (w: string): string => `${prefix}${w}`;
      const patient = { resourceType: 'Patient', id: 'alice', identifier: [{ system: 'urn:x', value: word(ownWord) }] } as R;
      const obs = placements.map((p, i) => ({ id: `${prefix}${i}`, ...p, resource: observation(`${prefix}${i}`, word(p.place === 'own-identifier' ? ownWord : p.word), p.place) }));
      await t.store.transaction(async (tx) => {
        await tx.update(system, patient);
        await tx.createMany(system, obs.map((o) => o.resource));
      });
      const wordOf = (o: (typeof obs)[number]): string => (o.place === 'own-identifier' ? ownWord : o.word);
      // An identifier reference with her own identifier is hers, whatever the placement meant.
      const shown = (o: (typeof obs)[number]): boolean => (SHOWN as readonly Place[]).includes(o.place) || (o.place === 'his-identifier' && o.word === ownWord);
      for (const w of WORDS) {
        const where = (places: readonly Place[], onlyShown: boolean) => obs.filter((o) => places.includes(o.place) && wordOf(o) === w && (!onlyShown || shown(o))).map((o) => o.id).sort();
        const ids_ = ['own-identifier', 'his-identifier'] as const;
        const cases: [string, string[], string[]][] = [
          [`_content=${word(w)}`, where(['code', ...ids_], true), where(['code', 'his-display', 'his-contained', ...ids_], false)],
          [`_text=${word(w)}`, where(['narrative'], true), where(['narrative', 'narrative-naming-him'], false)],
          [`performer:identifier=urn:x|${word(w)}`, where(ids_, true), where(ids_, false)],
        ];
        for (const [qs, hers, all] of cases) {
          const mine = await ids(alice, 'Observation', qs);
          expect([qs, mine.ids, mine.total]).toEqual([qs, hers, hers.length]);
          expect([qs, (await ids(system, 'Observation', qs)).ids]).toEqual([qs, all]);
        }
      }
    }), { numRuns: 25, seed: 11 });
  });
});
