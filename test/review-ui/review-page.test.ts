/**
 * The review page in headless Chromium against a real listening server: worklist, highlighted evidence,
 * keyboard decisions (confirm, refute, amend) checked through the FHIR API, the 409 path, the chart,
 * the audit trail and the tablet layout. Screenshots go to test-artifacts/review/.
 */
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page, chromium } from 'playwright-core';
import { fromRoot } from '../../server/core/paths';
import { buildReviewUi } from '../../server/review/ui/build';
import { type TestApp, startTestApp } from '../support/test-app';
import { type ReviewScenario, seedReviewScenario } from './seed';

const SHOTS = fromRoot('test-artifacts', 'review');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

jest.setTimeout(90_000);

describe('review page (Chromium)', () => {
  let app: TestApp;
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let seed: ReviewScenario;
  const pageErrors: string[] = [];

  const api = async (path: string, init: RequestInit = {}): Promise<any> => {
    const res = await fetch(`${origin}/fhir/${path}`, { ...init, headers: { 'Content-Type': 'application/fhir+json', ...init.headers } });
    return res.json();
  };
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
  const selectCard = async (ref: string) => {
    await page.locator(`button.card-head[data-ref="${ref}"]`).click();
    await page.locator(`li.card.is-selected[data-ref="${ref}"]`).waitFor();
  };
  const markedText = (ref: string) => page.$$eval(`mark[data-ids~="${ref}"]`, (ms) => ms.map((m) => m.textContent).join(''));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium), as .ci/run should`);
    mkdirSync(SHOTS, { recursive: true });
    await buildReviewUi({ minify: false });
    // No NLP worker: the findings are exactly the seeded ones.
    app = await startTestApp('pglite', { NLP_WORKERS: '0' });
    server = app.http.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    seed = await seedReviewScenario(`${origin}/fhir`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    await app?.dispose();
  });

  test('the worklist lists patients with pending findings, oldest first, with counts', async () => {
    await page.goto(`${origin}/review`);
    expect(page.url()).toBe(`${origin}/review/`);
    await page.getByRole('heading', { name: 'Review worklist' }).waitFor();
    const rows = await page.$$eval('table.table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent?.trim())));
    expect(rows.map((r) => r[0])).toEqual([expect.stringContaining('Sofia Marin'), expect.stringContaining('Maria Keller')]);
    const keller = rows.find((r) => r[0]?.includes('Maria Keller'))!;
    expect(keller.slice(1, 3)).toEqual(['5', '3']);
    await shot('worklist-1280x800');
  });

  test('a patient shows the note with every evidence span highlighted at its offsets', async () => {
    await page.getByRole('link', { name: 'Maria Keller', exact: true }).click();
    await page.locator('#patient-title').waitFor();
    for (const f of Object.values(seed.findings)) expect(await markedText(f.ref)).toBe(f.quote);
    // The first pending finding is selected and its span is the active highlight.
    const active = await page.$$eval('mark.is-active', (ms) => ms.map((m) => m.textContent).join(''));
    expect(active).toBe(seed.findings.ovary.quote);
    // Finding details: codes, date, assertion, confidence, engine.
    const card = page.locator(`li.card[data-ref="${seed.findings.ovary.ref}"]`);
    await expect(card.textContent()).resolves.toEqual(expect.stringMatching(/SNOMED CT 363443007.*ICD-10-CM C56\.1.*Sep 2025.*present.*90 %.*rules/s));
    await page.locator('.audit-item').first().waitFor();
    expect(await card.locator('.audit-item').first().textContent()).toContain('TwinFHIR NLP rules 0.4.0');
    await shot('patient-1280x800');
  });

  test('clicking a finding scrolls to its span and highlights it; j/k move the selection', async () => {
    await selectCard(seed.findings.hemoglobin.ref);
    expect(await page.$$eval('mark.is-active', (ms) => ms.map((m) => m.textContent).join(''))).toBe(seed.findings.hemoglobin.quote);
    const inView = await page.$eval('mark.is-active', (m) => {
      const box = m.getBoundingClientRect();
      const pane = (globalThis as any).document.querySelector('#note').getBoundingClientRect();
      return box.top >= pane.top && box.bottom <= pane.bottom;
    });
    expect(inView).toBe(true);
    await page.keyboard.press('k');
    const previous = await page.getAttribute('li.card.is-selected', 'data-ref');
    expect(previous).not.toBe(seed.findings.hemoglobin.ref);
    await page.keyboard.press('j');
    expect(await page.getAttribute('li.card.is-selected', 'data-ref')).toBe(seed.findings.hemoglobin.ref);
  });

  test('a decision without a reviewer asks for one; the choice is remembered', async () => {
    await selectCard(seed.findings.ovary.ref);
    await page.keyboard.press('c');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.getByLabel('Search practitioners').fill('Berger');
    await dialog.getByRole('button', { name: /Anna Berger/ }).click();
    await expect(page.locator('.reviewer strong').textContent()).resolves.toBe(seed.reviewer.name);
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('twinfhir.review.reviewer'))).toContain(seed.reviewer.id);
  });

  test('c confirms the selected Condition: confirmed, verified, with a verifier Provenance', async () => {
    await selectCard(seed.findings.ovary.ref);
    await page.keyboard.press('c');
    await page.locator('.status', { hasText: 'Confirmed: Malignant tumor of ovary' }).waitFor();
    const cond = await api(seed.findings.ovary.ref);
    expect(cond.verificationStatus.coding[0].code).toBe('confirmed');
    expect(cond.meta.tag.map((t: any) => t.code)).toContain('verified');
    const provs = await api(`Provenance?target=${seed.findings.ovary.ref}`);
    const decision = provs.entry.map((e: any) => e.resource).find((p: any) => p.agent.some((a: any) => a.type?.coding?.[0]?.code === 'verifier'));
    expect(decision.agent[0].who.reference).toBe(`Practitioner/${seed.reviewer.id}`);
    // The page moved on to the next pending finding, and the confirmed one shows its audit trail.
    expect(await page.getAttribute('li.card.is-selected', 'data-ref')).not.toBe(seed.findings.ovary.ref);
    await selectCard(seed.findings.ovary.ref);
    const audit = page.locator(`li.card[data-ref="${seed.findings.ovary.ref}"] .audit-decision`);
    await audit.waitFor();
    expect(await audit.textContent()).toMatch(/Confirmed.*Reviewer: Dr\. Anna Berger/s);
    await shot('confirmed-with-audit');
  });

  test('r refutes with a reason; Esc cancels an open form', async () => {
    await selectCard(seed.findings.effusion.ref);
    await page.keyboard.press('a');
    await page.locator('form.decision-form').waitFor();
    await page.keyboard.press('Escape');
    await expect(page.locator('form.decision-form').count()).resolves.toBe(0);
    await page.keyboard.press('r');
    await page.getByLabel(/Reason/).fill('Note says: no pleural effusion.');
    await shot('refute-form');
    await page.keyboard.press('Enter');
    await page.locator('.status', { hasText: 'Refuted: Pleural effusion' }).waitFor();
    const cond = await api(seed.findings.effusion.ref);
    expect(cond.verificationStatus.coding[0].code).toBe('refuted');
    expect(cond.meta.tag.map((t: any) => t.code)).toContain('refuted');
    const provs = await api(`Provenance?target=${seed.findings.effusion.ref}`);
    expect(provs.entry.some((e: any) => e.resource.reason?.[0]?.text === 'Note says: no pleural effusion.')).toBe(true);
  });

  test('a amends an Observation value: stored as the clinician wrote it, final and verified', async () => {
    await selectCard(seed.findings.hemoglobin.ref);
    await page.keyboard.press('a');
    await page.getByLabel('Value', { exact: true }).fill('10.9');
    await page.getByLabel('Note (optional)').fill('Decimal point lost in extraction');
    await shot('amend-form');
    await page.getByRole('button', { name: 'Save amendment' }).click();
    await page.locator('.status', { hasText: 'Amended and verified' }).waitFor();
    const obs = await api(seed.findings.hemoglobin.ref);
    expect(obs.valueQuantity).toMatchObject({ value: 10.9, code: 'g/dL' });
    expect(obs.status).toBe('final');
    expect(obs.meta.tag.map((t: any) => t.code)).toContain('verified');
    expect(obs.meta.security.map((t: any) => t.code)).toContain('AIAST');
  });

  test('the CA-125 chart shows verified points filled and provisional ones hollow', async () => {
    expect(await page.locator('svg.chart circle.pt-verified').count()).toBe(2);
    expect(await page.locator('svg.chart circle.pt-provisional').count()).toBe(2);
    await selectCard(seed.findings.ca125New.ref);
    await page.keyboard.press('c');
    await page.locator('.status', { hasText: 'Confirmed: Cancer Ag 125' }).waitFor();
    expect(await page.locator('svg.chart circle.pt-verified').count()).toBe(3);
    expect(await page.locator('svg.chart circle.pt-provisional').count()).toBe(1);
    expect(await page.locator('svg.chart').textContent()).toContain('CA-125 (U/mL)');
    await shot('chart-after-confirm');
  });

  test('a decision that lost a race (409) is reported and the finding reloaded', async () => {
    await selectCard(seed.findings.hypertension.ref);
    const other = { resourceType: 'Parameters', parameter: [{ name: 'decision', valueCode: 'confirm' }, { name: 'reviewer', valueReference: { reference: `Practitioner/${seed.otherReviewer.id}` } }] };
    const res = await api(`${seed.findings.hypertension.ref}/$verify`, { method: 'POST', body: JSON.stringify(other) });
    expect(res.resourceType).toBe('Parameters');
    await page.keyboard.press('r');
    await page.keyboard.press('Enter');
    const card = page.locator(`li.card[data-ref="${seed.findings.hypertension.ref}"]`);
    await card.locator('.alert').waitFor();
    expect(await card.locator('.alert').textContent()).toContain('Someone else');
    await card.locator('.chip-verified').waitFor();
    expect((await api(seed.findings.hypertension.ref)).verificationStatus.coding[0].code).toBe('confirmed');
    await card.locator('.audit-decision').waitFor();
    expect(await card.locator('.audit-decision').textContent()).toContain('Dr. Lukas Weber');
    await shot('conflict-409');
  });

  test('accessibility basics: landmarks, labelled controls, live region', async () => {
    expect(await page.locator('header.appbar').count()).toBe(1);
    expect(await page.locator('main#main').count()).toBe(1);
    expect(await page.locator('nav').count()).toBe(1);
    const unlabelled = await page.$$eval('input, select, textarea', (els) => els.filter((e) => {
      const id = e.getAttribute('id');
      return !e.getAttribute('aria-label') && !(id && (globalThis as any).document.querySelector(`label[for="${id}"]`));
    }).length);
    expect(unlabelled).toBe(0);
    expect(await page.getAttribute('.status', 'aria-live')).toBe('polite');
  });

  test('text contrast of the main UI text is at least 4.5:1', async () => {
    const ratios = await page.$$eval('.muted, .sub, .kind, .chip, .facts dt, .facts dd, .shortcuts, .note-meta, .card-title, .audit-meta, .count, .progress, h1, h2', (els) => {
      const g = globalThis as any;
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, gr, b]: number[]) => [r, gr, b].map((v) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
      const background = (el: any): number[] => {
        for (let e = el; e; e = e.parentElement) {
          const c = rgb(g.getComputedStyle(e).backgroundColor);
          if (c.length === 3 || c[3] > 0) return c;
        }
        return [255, 255, 255];
      };
      return els.filter((e: any) => e.textContent.trim()).map((e: any) => {
        const [a, b] = [lum(rgb(g.getComputedStyle(e).color)), lum(background(e))].sort((x, y) => y - x);
        return { cls: e.className || e.tagName, ratio: (a + 0.05) / (b + 0.05) };
      });
    });
    expect(ratios.length).toBeGreaterThan(20);
    expect(ratios.filter((r) => r.ratio < 4.5)).toEqual([]);
  });

  test('an HTML note is shown as its escaped source, with spans at the source offsets', async () => {
    await page.goto(`${origin}/review/#/patient/${seed.otherPatientId}`);
    await page.locator('#patient-title', { hasText: 'Sofia Marin' }).waitFor();
    const note = page.locator('.note-text');
    expect(await note.textContent()).toContain('<p>Known <b>endometriosis</b> since 2015.</p>');
    expect(await note.locator('b, p, script, h1').count()).toBe(0);
    expect(await page.$$eval('mark.is-active', (ms) => ms.map((m) => m.textContent).join(''))).toBe('endometriosis');
    expect(await page.locator('.note-meta').textContent()).toContain('HTML shown as source');
    await shot('html-note');
  });

  test('works on a tablet (768×1024): one column, no horizontal scrolling', async () => {
    const tablet = await browser.newPage({ viewport: { width: 768, height: 1024 }, hasTouch: true });
    await tablet.goto(`${origin}/review/#/patient/${seed.patientId}`);
    await tablet.locator('#patient-title').waitFor();
    const widths = await tablet.evaluate(() => {
      const g = globalThis as any; // runs in the page: DOM globals, not Node's
      return { doc: g.document.documentElement.scrollWidth, view: g.innerWidth };
    });
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
    const [note, list] = await Promise.all([tablet.locator('.note-panel').boundingBox(), tablet.locator('.findings-panel').boundingBox()]);
    expect(list!.y).toBeGreaterThan(note!.y);
    await tablet.screenshot({ path: `${SHOTS}/patient-tablet-768x1024.png` });
    await tablet.close();
  });

  test('with auth off the page asks for no token and sends none (a stray #access_token is not taken up)', async () => {
    const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const auth: string[] = [];
    p.on('request', (r) => { if (r.url().includes('/fhir/')) auth.push(r.headers().authorization ?? ''); });
    await p.goto(`${origin}/review/#access_token=test-token-123`);
    await p.getByRole('heading', { name: 'Review worklist' }).waitFor();
    expect(await (await fetch(`${origin}/review/config.json`)).json()).toEqual({ smart: null });
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.every((a) => a === '')).toBe(true);
    await p.close();
  });

  test('no script errors on the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
