/** Entry point of the review page: session (SMART launch or open), app shell, hash routing (#/ worklist, #/patient/{id}), reviewer and shortcuts. */
import type { Practitioner, Reference } from 'fhir/r4';
import { loadAmendChoices } from './amend-codes';
import { ApiError, type FhirClient, createFhirClient } from './api';
import { h, replace } from './dom';
import { humanName } from './fhir-model';
import { PatientPage } from './patient-page';
import { type ReviewerPicker, createReviewerPicker } from './reviewer-picker';
import { type Session, type SmartSession, canDecide, loadPageConfig, loadReviewer, saveReviewer, smartSession } from './session';
import type { ConceptList } from './types';
import { renderWorklist } from './worklist';
import { loadWorklist } from './worklist-data';

function errorPanel(title: string, err: unknown): HTMLElement {
  const lines = err instanceof ApiError ? err.issues : [err instanceof Error ? err.message : String(err)];
  const auth = err instanceof ApiError && (err.status === 401 || err.status === 403);
  return h('div', { class: 'alert alert-page', role: 'alert' }, h('h2', {}, title), lines.map((l) => h('p', {}, l)),
    auth ? h('p', {}, 'Your sign-in may have expired, or your account may not be allowed to do this.', ' ',
      h('button', { type: 'button', class: 'button button-quiet button-small', onclick: () => { sessionStorage.clear(); location.reload(); } }, 'Sign in again')) : null);
}

/** Header text for a signed-in user: the Practitioner's name when it can be read, else the fhirUser itself. */
async function signedInAs(client: FhirClient, session: SmartSession): Promise<string> {
  if (!session.practitioner) return `${session.fhirUser ?? 'unknown user'} (not a practitioner: may not record decisions)`;
  try {
    return humanName((await client.get<Practitioner>(session.practitioner)).name) || session.practitioner;
  } catch {
    return session.practitioner;
  }
}

/** The app: one per page load, holding the session, the reviewer (auth off) and the current view. */
class ReviewApp {
  private readonly client: FhirClient;
  private reviewer: Reference | undefined = loadReviewer();
  private concepts?: Promise<ConceptList>;
  private page?: PatientPage;
  /** Counts navigations, so a slow load never replaces a newer view. */
  private navigation = 0;
  private readonly reviewerSlot = h('div', { class: 'reviewer' });
  private readonly main = h('main', { id: 'main', tabindex: '-1' });
  private readonly picker?: ReviewerPicker;

  constructor(private readonly session: Session) {
    const smart = session.kind === 'smart' ? session : undefined;
    this.client = createFhirClient(new URL('../fhir/', location.href), () => smart?.token());
    document.body.replaceChildren(
      h('a', { class: 'skip-link', href: '#main', onclick: (e) => { e.preventDefault(); this.main.focus(); } }, 'Skip to content'),
      h('header', { class: 'appbar' },
        h('a', { class: 'brand', href: '#/' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'T'), h('span', {}, 'TwinFHIR'), h('span', { class: 'brand-sub' }, 'Clinical review')),
        h('nav', { 'aria-label': 'Main' }, h('a', { href: '#/' }, 'Worklist')),
        this.reviewerSlot),
      this.main);
    // After the shell: the dialog lives in <body> next to it. Only without auth: with it the token names the reviewer.
    if (!smart) this.picker = createReviewerPicker(document.body, this.client, (ref) => this.setReviewer(ref));
    this.renderReviewer();
    document.addEventListener('keydown', (e) => { if (this.page?.handleKey(e)) e.preventDefault(); });
    window.addEventListener('hashchange', () => void this.route());
    void this.route();
  }

  private setReviewer(ref: Reference): void {
    this.reviewer = ref;
    saveReviewer(ref);
    this.renderReviewer();
    this.page?.announce(`Reviewer set to ${ref.display ?? ref.reference ?? ''}.`);
  }

  private renderReviewer(): void {
    const session = this.session;
    if (session.kind === 'smart') {
      const name = h('strong', { class: 'signed-in-user' }, session.practitioner ?? session.fhirUser ?? '');
      void signedInAs(this.client, session).then((text) => { name.textContent = text; });
      return replace(this.reviewerSlot, h('span', { class: 'reviewer-label' }, 'Signed in as'), name,
        h('button', { type: 'button', class: 'button button-quiet button-small', onclick: () => session.signOut() }, 'Sign out'));
    }
    replace(this.reviewerSlot,
      h('span', { class: 'reviewer-label' }, 'Reviewer'),
      this.reviewer ? h('strong', {}, this.reviewer.display ?? this.reviewer.reference ?? '') : h('span', { class: 'warning-text' }, 'not chosen'),
      h('button', { type: 'button', class: 'button button-quiet button-small', onclick: () => this.picker?.open() }, this.reviewer ? 'Change' : 'Choose reviewer'));
  }

  private async route(): Promise<void> {
    const nav = ++this.navigation;
    const m = /^#\/patient\/([^/?#]+)/.exec(location.hash);
    this.page = undefined;
    replace(this.main, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    try {
      const view = m ? await this.patientView(decodeURIComponent(m[1])) : renderWorklist(await loadWorklist(this.client));
      if (nav !== this.navigation) return;
      this.page = view instanceof PatientPage ? view : undefined;
      replace(this.main, view instanceof PatientPage ? view.layout.root : view);
      const title = this.main.querySelector<HTMLElement>('h1');
      document.title = `${title?.textContent ?? 'Review'} · TwinFHIR`;
      title?.focus();
    } catch (err) {
      if (nav !== this.navigation) return;
      replace(this.main, errorPanel(m ? 'The patient could not be loaded' : 'The worklist could not be loaded', err), h('p', {}, h('a', { href: '#/' }, 'Back to the worklist')));
    }
  }

  private async patientView(id: string): Promise<PatientPage> {
    const page = new PatientPage({
      client: this.client,
      concepts: () => (this.concepts ??= loadAmendChoices(this.client).catch((err: unknown) => {
        this.concepts = undefined; // a failed load is retried next time, not cached
        throw err;
      })),
      reviewer: () => (this.session.kind === 'smart' ? undefined : this.reviewer),
      needsReviewer: () => this.session.kind === 'open',
      pickReviewer: (reason) => this.picker?.open(reason),
      canDecide: (resourceType) => canDecide(this.session, resourceType),
    }, id);
    await page.load();
    return page;
  }
}

/** Loads the page settings and the session (a SMART launch navigates away and comes back here), then the app. */
async function start(): Promise<void> {
  let session: Session;
  try {
    const cfg = await loadPageConfig();
    session = cfg.smart ? await smartSession(cfg.smart) : { kind: 'open' };
  } catch (err) {
    document.body.replaceChildren(h('main', { id: 'main' }, errorPanel('Sign-in failed', err),
      h('p', {}, h('button', { type: 'button', class: 'button', onclick: () => { sessionStorage.clear(); location.assign(new URL('./', location.href).href); } }, 'Try again'))));
    return;
  }
  new ReviewApp(session);
}

void start();
