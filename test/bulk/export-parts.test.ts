/**
 * Split output (EXPORT_MAX_FILE_RESOURCES): a type with more resources than the limit is written to several
 * files, each listed in the manifest with its count, and a job stopped mid-way (with torn bytes after the
 * last commit) resumes into the right part. A property drives the part writer itself with random pages,
 * limits and crash points: the parts always hold every line once, in order, none over the limit.
 */
import fc from 'fast-check';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { App } from '../../server/app';
import { fileName } from '../../server/bulk/export/files';
import { PartWriter, partsOf } from '../../server/bulk/export/part-writer';
import type { ExportTypeProgress } from '../../server/store/types';
import { driversUnderTest } from '../support/databases';
import { restartFixture, untilPagesCommitted } from './export-restart-fixture';
import { exportedKeys, kickOff, loadBundles, searchIds, syntheaFiles, waitForManifest } from './export-helpers';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 1414);
const MAX = 7;

test('property: pages through the part writer, with a crash and resume anywhere, end up in parts of at most the limit, every line once', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-parts-'));
  try {
    let run = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(fc.string({ maxLength: 12, unit: 'grapheme' }), { maxLength: 9 }), { maxLength: 8 }), fc.integer({ min: 0, max: 6 }), fc.nat(8),
      async (pages, max, crashAfter) => {
        const type = `T${run++}`;
        let tp: ExportTypeProgress = { type, cursor: '0', lines: 0, bytes: 0, done: false };
        let writer = await PartWriter.open(dir, tp, max);
        for (const [i, page] of pages.entries()) {
          await writer.write(page.map((l) => `${JSON.stringify(l)}\n`).join(''), page.length);
          tp = writer.update({ cursor: String(i + 1) });
          if (i === crashAfter) {
            // A crash after the commit: torn bytes land in the current part, then the job reopens from its progress.
            await writer.close();
            appendFileSync(path.join(dir, fileName(type, (tp.parts?.length ?? 0) + 1)), '"torn');
            writer = await PartWriter.open(dir, tp, max);
          }
        }
        await writer.close();
        const lines = pages.flat().map((l) => JSON.stringify(l));
        const files = partsOf(writer.progress);
        const read = files.map((f) => readFileSync(path.join(dir, fileName(type, f.part)), 'utf8').split('\n').filter((l) => l !== ''));
        expect(read.flat()).toEqual(lines);
        expect(read.map((r) => r.length)).toEqual(files.map((f) => f.lines));
        if (max > 0) expect(files.every((f) => f.lines <= max)).toBe(true);
        else expect(files.length).toBeLessThanOrEqual(1);
        expect(files.map((f) => f.part)).toEqual(files.map((_, i) => i + 1));
      },
    ), { numRuns: RUNS, seed: SEED });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

describe.each(driversUnderTest())(`$export split into files of at most ${MAX} resources (%s)`, (kind) => {
  const fixture = restartFixture(kind, { EXPORT_MAX_FILE_RESOURCES: String(MAX) });

  test('every type in parts of at most the limit, listed with counts, resumable after a torn page', async () => {
    let app: App = await fixture.open(1);
    await loadBundles(app.http, syntheaFiles(1));
    const status = await kickOff(app.http, '/fhir/$export?_type=Patient,Encounter,Observation');
    const jobId = new URLSearchParams(status.split('?')[1]).get('_jobId') ?? '';
    await untilPagesCommitted(app.http, status);
    await app.close();
    app = await fixture.open(0);
    const current = (await app.store.bulkExport.getJob(jobId))?.progress.types.find((t) => !t.done);
    if (current) appendFileSync(path.join(fixture.dir, jobId, fileName(current.type, (current.parts?.length ?? 0) + 1)), '{"resourceType":"Observation","id":"torn');
    await app.close();
    app = await fixture.open(1);
    try {
      const manifest = await waitForManifest(app.http, status);
      expect(manifest.output.every((o) => o.count > 0 && o.count <= MAX)).toBe(true);
      expect(new Set(manifest.output.map((o) => o.url)).size).toBe(manifest.output.length);
      const keys = await exportedKeys(app.http, manifest);
      for (const type of ['Patient', 'Encounter', 'Observation']) {
        const exported = keys.get(type) ?? [];
        expect(new Set(exported).size).toBe(exported.length);
        expect([...exported].sort()).toEqual((await searchIds(app.http, `/fhir/${type}`)).sort());
        const counts = manifest.output.filter((o) => o.type === type).map((o) => o.count);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(exported.length);
        expect(counts.length).toBe(Math.ceil(exported.length / MAX));
      }
      const observationFiles = manifest.output.filter((o) => o.type === 'Observation');
      expect(observationFiles.length).toBeGreaterThan(1);
      const second = new URL(observationFiles[1].url).searchParams.get('_file');
      expect(second).toBe('Observation.2.ndjson');
      const missing = `/fhir/$export-download?_jobId=${jobId}&_file=Observation.${observationFiles.length + 1}.ndjson`;
      expect((await request(app.http).get(missing)).status).toBe(404);
    } finally {
      await app.close();
    }
  }, 300_000);
});
