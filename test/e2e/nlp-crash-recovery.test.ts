/**
 * Crash recovery of extraction jobs on real PostgreSQL: a server is SIGKILLed while its worker waits for the
 * model; other servers take the job over once its lease expires, and the document's findings are written
 * exactly once (one Provenance, one set of Conditions, Task completed). Needs TEST_DATABASE_URL and dist/.
 */
import { Client } from 'pg';
import { createTestDatabase } from '../support/databases';
import { type FakeLlmServer, modelFinding, startFakeLlmServer } from '../support/fake-llm-server';
import { fhirFetch, startServerProcess } from '../support/server-process';
import { NEEDS_POSTGRES, describeIf } from '../support/skip';

const run = describeIf(Boolean(process.env.TEST_DATABASE_URL), NEEDS_POSTGRES);

run('extraction survives a worker crash (real PostgreSQL)', () => {
  let llm: FakeLlmServer;
  beforeAll(async () => {
    // a slow model: the first server is killed while it waits for the answer
    llm = await startFakeLlmServer({ latencyMs: 1500, answer: () => [modelFinding({ concept: 'ascites', quote: 'ascites' }), modelFinding({ concept: 'pleural_effusion', quote: 'pleural effusion' })] });
  });
  afterAll(async () => llm?.close());

  test('SIGKILL mid-job: the job completes once, with no duplicate findings', async () => {
    const db = await createTestDatabase('pg');
    const env = {
      NLP_ENGINE: 'llm', LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'crash-model', NLP_WORKERS: '2',
      NLP_LEASE_MS: '1500', NLP_POLL_MS: '100', NLP_BACKOFF_MS: '100', LOG_LEVEL: 'error',
    };
    const first = await startServerProcess('pg', env, db);
    const servers = [first];
    try {
      const patient = await fhirFetch(`${first.baseUrl}/Patient`, { body: { resourceType: 'Patient', name: [{ family: 'Crash' }] } });
      const doc = await fhirFetch(`${first.baseUrl}/DocumentReference`, {
        body: {
          resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${patient.body.id}` },
          content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Assessment: ascites and pleural effusion.').toString('base64') } }],
        },
      });
      expect(doc.status).toBe(201);
      // kill as soon as the model has the request (the job is claimed, in progress, nothing written yet)
      // by the clock: 200 turns of 25 ms gave a cold child process on a loaded machine 5 s to claim, prepare and ask
      for (const until = Date.now() + 30_000; llm.requests.length === 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 25));
      expect(llm.requests.length).toBe(1);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));

      // two servers compete for the orphaned job once its lease expires
      servers.push(await startServerProcess('pg', env, db), await startServerProcess('pg', env, db));
      const base = servers[1].baseUrl;
      let task: { status: string; output?: unknown[] } | undefined;
      for (let i = 0; i < 300; i++) {
        task = (await fhirFetch(`${base}/Task?focus=DocumentReference/${doc.body.id}`)).body.entry?.[0]?.resource;
        if (task && ['completed', 'failed'].includes(task.status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(task?.status).toBe('completed');
      // let any straggler finish: a duplicate would show up now
      await new Promise((r) => setTimeout(r, 2500));
      const conditions = (await fhirFetch(`${base}/Condition?evidence-detail=DocumentReference/${doc.body.id}`)).body.entry ?? [];
      const provenance = (await fhirFetch(`${base}/Provenance?entity=DocumentReference/${doc.body.id}`)).body.entry ?? [];
      expect(conditions).toHaveLength(2);
      expect(provenance).toHaveLength(1);
      expect(llm.requests.length).toBeGreaterThanOrEqual(2);
      const probe = new Client({ connectionString: db.databaseUrl });
      await probe.connect();
      const left = await probe.query<{ n: string }>("SELECT count(*)::text AS n FROM job WHERE queue = 'nlp'");
      const history = await probe.query<{ n: string }>("SELECT count(*)::text AS n FROM resource_history WHERE res_type = 'Condition'");
      await probe.end();
      expect(left.rows[0].n).toBe('0');
      expect(history.rows[0].n).toBe('2');
    } finally {
      for (const s of servers.slice(1)) await s.stop();
      await db.drop();
    }
  }, 120_000);
});
