/**
 * The Postman collection is what the builder says (regenerate with `npm run postman:build`), and newman runs
 * all of it green against a freshly started server on the embedded database.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import newman from 'newman';
import { type TestApp, startTestApp } from '../support/test-app';
import { buildCollection, environment } from './collection';

const COLLECTION = path.join(__dirname, 'twinfhir.postman_collection.json');
const ENVIRONMENT = path.join(__dirname, 'twinfhir.postman_environment.json');
const asJson = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

describe('Postman collection', () => {
  if (process.env.POSTMAN_WRITE === '1') {
    writeFileSync(COLLECTION, asJson(buildCollection()));
    writeFileSync(ENVIRONMENT, asJson(environment));
  }

  test('the committed files are the built ones', () => {
    expect(readFileSync(COLLECTION, 'utf8')).toBe(asJson(buildCollection()));
    expect(readFileSync(ENVIRONMENT, 'utf8')).toBe(asJson(environment));
  });

  test('newman runs every request green against a fresh server', async () => {
    const app: TestApp = await startTestApp('pglite', { NLP_WORKERS: '1', NLP_POLL_MS: '50' });
    const server: Server = app.http.listen(0, '127.0.0.1');
    try {
      await new Promise((r) => server.once('listening', r));
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
      const summary = await new Promise<newman.NewmanRunSummary>((resolve, reject) => {
        newman.run({ collection: COLLECTION, environment: ENVIRONMENT, envVar: [{ key: 'baseUrl', value: baseUrl }], reporters: [] },
          (err, s) => (err ? reject(err) : resolve(s)));
      });
      const failures = summary.run.failures.map((f) => `${f.source?.name ?? '?'}: ${f.error.test ?? ''} ${f.error.message}`);
      expect(failures).toEqual([]);
      expect(summary.run.stats.requests.failed).toBe(0);
      expect(summary.run.stats.assertions.total).toBeGreaterThan(120);
    } finally {
      await new Promise((r) => server.close(r));
      await app.dispose();
    }
  }, 180_000);
});
