/**
 * The review page as a SMART app, in headless Chromium: the real authorization server (server/idp,
 * oidc-provider, child process) and the real express app with auth on. The page discovers the
 * endpoints, runs a standalone launch with PKCE through fhirclient, the user signs in and consents on
 * the provider's own pages, and the decision is recorded under the token's fhirUser. A user whose
 * grant cannot update findings sees no decision buttons (and the server would refuse anyway).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { buildReviewUi } from '../../server/review/ui/build';
import { type IdpProcess, type SigningKey, clientCredentialsToken, newSigningKey, startIdp } from '../support/idp-process';
import { reservedServer } from '../support/free-port';
import { describeIf } from '../support/skip';
import { type TestApp, startTestApp } from '../support/test-app';
import { type ReviewScenario, seedReviewScenario } from './seed';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PASSWORD = 'test-password';

jest.setTimeout(120_000);

describeIf(existsSync(CHROMIUM), `${CHROMIUM} is missing (install Debian's chromium package)`)('review page as a SMART app (Chromium, real authorization server)', () => {
  let idp: IdpProcess;
  let app: TestApp;
  let server: Server;
  let origin: string;
  let backendKey: SigningKey;
  let seed: ReviewScenario;
  const profiles: string[] = [];
  const contexts: BrowserContext[] = [];
  const fhirCalls: { url: string; auth: string }[] = [];
  const pageErrors: string[] = [];

  const systemToken = async (): Promise<string> => (await clientCredentialsToken(idp.issuer, 'seeder', backendKey, 'system/*.cruds')).access_token;
  const api = async (p: string): Promise<any> => {
    const res = await fetch(`${origin}/fhir/${p}`, { headers: { Authorization: `Bearer ${await systemToken()}` } });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    await buildReviewUi({ minify: false });
    const reserved = await reservedServer();
    const port = reserved.port;
    origin = `http://127.0.0.1:${port}`;
    backendKey = await newSigningKey('seeder-key', 'RS384');
    idp = await startIdp({
      fhirBase: `${origin}/fhir`, signingKey: await newSigningKey('idp-key'),
      appClients: [{ clientId: 'review-app', redirectUri: `${origin}/review/`, smartScopes: 'user/*.cruds' }],
      backendClients: [{ clientId: 'seeder', publicJwk: backendKey.publicJwk, smartScopes: 'system/*.cruds' }],
      users: [
        { id: 'dr-berger', name: 'Dr. Anna Berger', password: PASSWORD, fhirUser: 'Practitioner/rv-berger' },
        // May read, never update: the provider grants her no more than user/*.rs whatever the page asks for.
        { id: 'nurse-weber', name: 'Lukas Weber (read only)', password: PASSWORD, fhirUser: 'Practitioner/rv-weber', smart_scopes: 'user/*.rs' },
      ],
    });
    app = await startTestApp('pglite', { NLP_WORKERS: '0', AUTH_ISSUER: idp.issuer, AUTH_AUDIENCE: `${origin}/fhir`, REVIEW_CLIENT_ID: 'review-app' });
    server = reserved.server;
    reserved.serve(app.http);
    seed = await seedReviewScenario(`${origin}/fhir`, 'rv', { Authorization: `Bearer ${await systemToken()}` });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    server?.closeAllConnections();
    server?.close();
    await app?.dispose();
    await idp?.stop();
    for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
  });

  /** The AuditEvents of $verify calls as text, once the (batched, off-request) audit writer has stored one. */
  async function verifyAudits(): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const bundle = await api('AuditEvent?subtype=https://twinfhir.org/fhir/CodeSystem/audit-operation|verify');
      if (bundle.entry?.length) return JSON.stringify(bundle.entry);
      await new Promise((r) => setTimeout(r, 100));
    }
    return '';
  }

  /** A fresh browser (new user-data-dir: no cookies, no session storage): opens /review and signs in through the provider's pages. */
  async function signIn(user: string): Promise<{ context: BrowserContext; page: Page }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'twinfhir-chromium-'));
    profiles.push(dir);
    const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (m) => { if (m.type() === 'error') console.warn(`browser console: ${m.text()}`); });
    page.on('request', (r) => { if (r.url().startsWith(`${origin}/fhir/`)) fhirCalls.push({ url: r.url(), auth: r.headers().authorization ?? '' }); });
    await page.goto(`${origin}/review/`);
    // The page redirected to the authorization server's login page.
    await page.waitForURL((u) => u.href.startsWith(`${idp.issuer}/interaction/`));
    await page.getByLabel('User').selectOption(user);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Allow access' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${origin}/review/`));
    await page.getByRole('heading', { name: 'Review worklist' }).waitFor();
    return { context, page };
  }

  test('/review/config.json names the SMART client; the CSP lets the page reach the token endpoint and nothing else', async () => {
    const res = await fetch(`${origin}/review/config.json`);
    expect(await res.json()).toEqual({ smart: { clientId: 'review-app', scope: expect.stringContaining('user/Condition.u') } });
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ${new URL(idp.issuer).origin};`);
  });

  test('a Practitioner signs in through the provider and confirms a finding: verified, with a verifier Provenance naming that Practitioner', async () => {
    const { context, page } = await signIn('dr-berger');
    await expect(page.locator('.signed-in-user').textContent()).resolves.toBe('Dr. Anna Berger');
    // No practitioner picker with auth on: the token names the reviewer.
    expect(await page.locator('dialog').count()).toBe(0);
    await page.getByRole('link', { name: 'Maria Keller', exact: true }).click();
    const ref = seed.findings.ovary.ref;
    await page.locator(`button.card-head[data-ref="${ref}"]`).click();
    const card = page.locator(`li.card.is-selected[data-ref="${ref}"]`);
    await card.getByRole('button', { name: /Confirm/ }).click();
    await page.locator('.status', { hasText: 'Confirmed: Malignant tumor of ovary' }).waitFor();

    const cond = await api(ref);
    expect(cond.verificationStatus.coding[0].code).toBe('confirmed');
    expect(cond.meta.tag.map((t: { code: string }) => t.code)).toContain('verified');
    const provs = await api(`Provenance?target=${ref}`);
    const verifier = provs.entry.map((e: { resource: any }) => e.resource)
      .find((p: any) => p.agent.some((a: any) => a.type?.coding?.[0]?.code === 'verifier'));
    expect(verifier.agent.find((a: any) => a.type?.coding?.[0]?.code === 'verifier').who.reference).toBe(`Practitioner/${seed.reviewer.id}`);
    // The page's calls carried the token: the server audited them under the user, not anonymously.
    expect(await verifyAudits()).toContain(`Practitioner/${seed.reviewer.id}`);
    // Every FHIR call but discovery carried the bearer token.
    const calls = fhirCalls.filter((c) => !c.url.includes('/.well-known/'));
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.filter((c) => !/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(c.auth))).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  test('a user whose grant cannot update findings sees no decision buttons, and the c shortcut records nothing', async () => {
    const { context, page } = await signIn('nurse-weber');
    await page.getByRole('link', { name: 'Maria Keller', exact: true }).click();
    const ref = seed.findings.ascites.ref;
    await page.locator(`button.card-head[data-ref="${ref}"]`).click();
    const card = page.locator(`li.card.is-selected[data-ref="${ref}"]`);
    await card.locator('.no-decisions').waitFor();
    expect(await card.getByRole('button', { name: /Confirm|Refute|Amend/ }).count()).toBe(0);
    await page.keyboard.press('c');
    await page.locator('.status', { hasText: 'may view findings but not record decisions' }).waitFor();
    const cond = await api(ref);
    expect(cond.meta.tag.map((t: { code: string }) => t.code)).toContain('provisional');
    // The page only hides what the server refuses: her own token (held by fhirclient in the tab) gets 403 from $verify.
    const token = await page.evaluate(() => {
      const store = (globalThis as any).sessionStorage;
      return JSON.parse(store.getItem(JSON.parse(store.getItem('SMART_KEY')))).tokenResponse as { access_token: string; scope: string };
    });
    expect(token.scope.split(' ')).not.toContain('user/Condition.u');
    const refused = await fetch(`${origin}/fhir/${ref}/$verify`, {
      method: 'POST', headers: { Authorization: `Bearer ${token.access_token}`, 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'decision', valueCode: 'confirm' }] }),
    });
    expect(refused.status).toBe(403);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
