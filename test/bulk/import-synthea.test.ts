/**
 * The 17,293 Synthea resources as NDJSON through $import into the compiled server, stopped in the middle
 * of the job and started again on the same database: the job finishes where it stopped, every resource
 * reads back equal to its line (ids kept) with exactly one version — no duplicates, no gaps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Resource } from 'fhir/r4';
import { syntheaNdjson } from '../../bench/lib/synthea-ndjson';
import { driversUnderTest, createTestDatabase } from '../support/databases';
import { fhirFetch, startServerProcess } from '../support/server-process';

const { lines, resources } = syntheaNdjson();

/** The resource as imported: without the meta the server sets. */
function withoutServerMeta(r: Resource): Resource {
  const { meta, ...rest } = r;
  const { versionId: _v, lastUpdated: _l, ...keep } = meta ?? {};
  return Object.keys(keep).length ? { ...rest, meta: keep } : rest;
}

const written = (progress: string | null): number => Number(/(\d+) resources written/.exec(progress ?? '')?.[1] ?? 0);

async function status(url: string): Promise<{ status: number; progress: string | null; body: any }> {
  const res = await fetch(url);
  return { status: res.status, progress: res.headers.get('x-progress'), body: await res.json() };
}

/** Every resource of `type`, page by page. */
async function readAll(baseUrl: string, type: string): Promise<Resource[]> {
  const out: Resource[] = [];
  for (let url: string | undefined = `${baseUrl}/${type}?_count=1000`; url;) {
    const page = await fhirFetch(url);
    expect(page.status).toBe(200);
    out.push(...(page.body.entry ?? []).map((e: { resource: Resource }) => e.resource));
    url = page.body.link?.find((l: { relation: string }) => l.relation === 'next')?.url;
  }
  return out;
}

/** The manifest counts every line; every resource has one version per line carrying its id and reads back as its last line. */
async function expectEveryLineOnce(baseUrl: string, output: { type: string; count: number }[]): Promise<void> {
  const expected = new Map<string, number>();
  for (const r of resources) expected.set(r.resourceType, (expected.get(r.resourceType) ?? 0) + 1);
  expect(Object.fromEntries(output.map((o: { type: string; count: number }) => [o.type, o.count]))).toEqual(Object.fromEntries(expected));

  // Some organizations and practitioners appear in several Synthea bundles with the same id: each
  // line is one version, so a resource has exactly as many versions as lines carry its id, and reads
  // back as its last line.
  const lastLine = new Map<string, Resource>();
  const occurrences = new Map<string, number>();
  for (const r of resources) {
    const key = `${r.resourceType}/${r.id}`;
    lastLine.set(key, r);
    occurrences.set(key, (occurrences.get(key) ?? 0) + 1);
  }
  let distinct = 0;
  for (const type of expected.keys()) {
    const stored = await readAll(baseUrl, type);
    expect(stored).toHaveLength([...lastLine.keys()].filter((k) => k.startsWith(`${type}/`)).length);
    distinct += stored.length;
    for (const r of stored) {
      const key = `${r.resourceType}/${r.id}`;
      expect(r.meta?.versionId).toBe(String(occurrences.get(key)));
      expect(withoutServerMeta(r)).toEqual(lastLine.get(key));
    }
  }
  expect(distinct).toBe(lastLine.size);
}

describe.each(driversUnderTest())('Synthea NDJSON through $import, restarted mid-job, on %s', (kind) => {
  test('stop mid-job, start again: every resource once, equal to its line', async () => {
    expect(lines.length).toBe(17_293);
    const db = await createTestDatabase(kind);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-import-'));
    const env = { IMPORT_BATCH: '200', ...(kind === 'pglite' ? { DATA_DIR: dataDir } : {}) };
    try {
      const first = await startServerProcess(kind, env, db);
      const kick = await fetch(`${first.baseUrl}/$import`, { method: 'POST', headers: { 'Content-Type': 'application/fhir+ndjson', Prefer: 'respond-async' }, body: `${lines.join('\n')}\n` });
      expect(kick.status).toBe(202);
      const statusPath = new URL(kick.headers.get('content-location') as string).pathname;
      let before = 0;
      try {
        for (let i = 0; i < 3000 && before < 1000; i++) {
          before = written((await status(`${new URL(first.baseUrl).origin}${statusPath}`)).progress);
          await new Promise((r) => setTimeout(r, 50));
        }
      } catch (err) {
        throw new Error(`polling the first server failed (${String(err)}); its stderr: ${first.stderr().slice(-2000)}`);
      }
      expect(await first.stop()).toBe(0);
      expect(before).toBeGreaterThanOrEqual(1000);

      const second = await startServerProcess(kind, env, db);
      try {
        const url = `${new URL(second.baseUrl).origin}${statusPath}`;
        let s = await status(url);
        expect(s.status).toBe(202); // still open after the restart: it did stop in the middle
        expect(written(s.progress)).toBeLessThan(lines.length);
        for (let i = 0; s.status === 202 && i < 6000; i++) {
          await new Promise((r) => setTimeout(r, 100));
          s = await status(url);
        }
        expect(s.status).toBe(200);
        expect(s.body.error).toEqual([]);
        await expectEveryLineOnce(second.baseUrl, s.body.output);
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 1_200_000);
});
