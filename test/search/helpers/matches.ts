/** The `Type/id` of a search's match entries (includes left out), sorted, after asserting a 200. */
import type express from 'express';
import request from 'supertest';

interface SearchsetBody { entry?: { resource: { resourceType: string; id: string }; search: { mode: string } }[] }

export async function matchKeys(http: express.Express, url: string): Promise<string[]> {
  const res = await request(http).get(url);
  expect(res.status).toBe(200);
  return ((res.body as SearchsetBody).entry ?? [])
    .filter((e) => e.search.mode === 'match').map((e) => `${e.resource.resourceType}/${e.resource.id}`).sort();
}
