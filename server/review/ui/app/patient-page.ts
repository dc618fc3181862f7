/** The patient view's controller: selection, keyboard, decisions and re-rendering of note, findings, chart and audit. */
import type { Reference } from 'fhir/r4';
import { ApiError, type FhirClient } from './api';
import { scrollIntoContainer } from './dom';
import { loadAudit } from './audit';
import { renderCa125Chart } from './chart';
import { amendForm, refuteForm } from './decision-forms';
import { type CardView, type Mode, renderCard } from './finding-card';
import { isCa125 } from './fhir-model';
import { type NoteDoc, highlightSpan, refreshMarks, renderNote } from './note-view';
import { type PatientData, loadPatientData } from './patient-data';
import { type PatientLayout, createPatientLayout, renderDocTabs, renderPatientBar } from './patient-layout';
import type { Located } from './segments';
import type { ConceptList, Finding, FindingResource } from './types';
import { DECISION_PAST, type DecisionInput, reloadFinding, submitDecision } from './verify';

export interface PageContext {
  client: FhirClient;
  concepts(): Promise<ConceptList>;
  /** The reviewer to send, or undefined when the token's user decides (auth on). */
  reviewer(): Reference | undefined;
  /** True while decisions need an explicit reviewer (no token). */
  needsReviewer(): boolean;
  pickReviewer(reason: string): void;
  /** May the user record decisions on this resource type (auth on: a Practitioner whose scopes allow it)? */
  canDecide(resourceType: string): boolean;
}

const NO_DOC: NoteDoc = { ref: '', title: 'Without a source note', contentType: 'none', kind: 'none', problem: 'These findings do not reference a source note.' };

const NOT_ALLOWED = 'Your account may view findings but not record decisions.';

const isTyping = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export class PatientPage {
  readonly layout: PatientLayout = createPatientLayout();
  private data?: PatientData;
  private doc = '';
  private selected?: string;
  private mode: Mode = 'idle';
  private form?: HTMLElement;
  private busy = false;
  private readonly errors = new Map<string, string[]>();
  private readonly audits = new Map<string, CardView['audit']>();
  private located = new Map<string, Located | null>();

  constructor(private readonly ctx: PageContext, private readonly patientId: string) {}

  async load(): Promise<void> {
    this.data = await loadPatientData(this.ctx.client, this.patientId);
    const first = this.data.findings.find((f) => f.state === 'provisional') ?? this.data.findings[0];
    this.doc = first?.document ?? this.docs()[0]?.ref ?? '';
    this.renderAll();
    if (first) this.select(first.ref, { focus: false });
  }

  private docs(): NoteDoc[] {
    const docs = [...(this.data?.docs.values() ?? [])];
    return this.data?.findings.some((f) => !f.document) ? [...docs, NO_DOC] : docs;
  }

  private visible(): Finding[] {
    return (this.data?.findings ?? []).filter((f) => (f.document ?? '') === this.doc);
  }

  private current(): Finding | undefined {
    return this.data?.findings.find((f) => f.ref === this.selected);
  }

  private renderAll(): void {
    if (!this.data) return;
    renderPatientBar(this.layout.bar, this.data.patient, this.data.findings);
    renderDocTabs(this.layout.tabs, this.docs(), this.doc, this.data.findings, (ref) => this.switchDoc(ref));
    const doc = this.data.docs.get(this.doc) ?? NO_DOC;
    this.located = renderNote(this.layout.note, doc, this.visible(), (ref) => this.select(ref, { focus: true }));
    this.renderList();
    this.renderChart();
  }

  private renderChart(): void {
    if (!this.data) return;
    this.layout.chart.replaceChildren(renderCa125Chart(this.data.ca125, this.selected, (ref) => this.select(ref, { focus: true })));
  }

  private renderList(focus = false): void {
    const list = this.visible();
    const pending = list.filter((f) => f.state === 'provisional').length;
    this.layout.count.textContent = `${pending} pending · ${list.length - pending} reviewed`;
    const hadFocus = focus || this.layout.list.contains(document.activeElement);
    this.layout.list.replaceChildren(...list.map((f) => renderCard(f, this.viewOf(f), {
      select: (ref) => this.select(ref, { focus: true }),
      confirm: () => void this.decide({ decision: 'confirm' }),
      open: (mode) => this.open(mode),
    })));
    const card = this.layout.list.querySelector<HTMLElement>('li.is-selected');
    // Only follow the selection when the reviewer drives it; on load the page stays where it is.
    if (card && hadFocus) scrollIntoContainer(card, 'nearest');
    if (this.form) this.form.querySelector<HTMLElement>('input, select')?.focus();
    else if (hadFocus) card?.querySelector<HTMLElement>('.card-head')?.focus();
  }

  private viewOf(f: Finding): CardView {
    const selected = f.ref === this.selected;
    return {
      selected, busy: selected && this.busy, mode: selected ? this.mode : 'idle', canDecide: this.ctx.canDecide(f.resource.resourceType),
      errors: this.errors.get(f.ref), audit: this.audits.get(f.ref),
      located: this.data?.docs.get(this.doc)?.text !== undefined ? this.located.get(f.ref) : undefined,
      form: selected ? this.form : undefined,
    };
  }

  private switchDoc(ref: string): void {
    this.doc = ref;
    this.cancel(false);
    const next = this.visible().find((f) => f.state === 'provisional') ?? this.visible()[0];
    this.selected = undefined;
    this.renderAll();
    if (next) this.select(next.ref, { focus: false });
  }

  select(ref: string, opts: { focus: boolean }): void {
    const f = this.data?.findings.find((x) => x.ref === ref);
    if (!f) return;
    if ((f.document ?? '') !== this.doc) this.switchDoc(f.document ?? '');
    if (this.selected !== ref) this.cancel(false);
    this.selected = ref;
    this.renderList(opts.focus);
    highlightSpan(this.layout.note, ref);
    this.renderChart();
    if (!this.audits.has(ref)) void this.refreshAudit(ref);
  }

  private move(delta: number): void {
    const list = this.visible();
    if (!list.length) return;
    const at = list.findIndex((f) => f.ref === this.selected);
    const next = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + delta));
    this.select(list[next].ref, { focus: true });
  }

  private open(mode: Mode): void {
    const f = this.current();
    if (!f || this.busy) return;
    if (f.state !== 'provisional') return this.announce(`${f.display} was already reviewed (${f.state}).`);
    if (!this.ctx.canDecide(f.resource.resourceType)) return this.announce(NOT_ALLOWED);
    const handlers = {
      submit: (note: string, resource?: FindingResource) => void this.decide({ decision: mode === 'amend' ? 'amend' : 'refute', note, resource }),
      cancel: () => this.cancel(true),
    };
    this.mode = mode;
    if (mode === 'amend') {
      void this.ctx.concepts().then((c) => {
        if (this.mode !== 'amend' || this.selected !== f.ref) return;
        this.form = amendForm(f, c, handlers);
        this.renderList(true);
      }, () => this.fail(f.ref, ['The concept dictionary could not be loaded.']));
      return;
    }
    this.form = refuteForm(f, handlers);
    this.renderList(true);
  }

  private cancel(render: boolean): void {
    if (this.mode === 'idle') return;
    this.mode = 'idle';
    this.form = undefined;
    if (render) this.renderList(true);
  }

  private fail(ref: string, issues: string[]): void {
    this.errors.set(ref, issues);
    this.renderList(true);
  }

  private async decide(input: DecisionInput): Promise<void> {
    const f = this.current();
    if (!f || this.busy || !this.data) return;
    if (f.state !== 'provisional') return this.announce(`${f.display} was already reviewed (${f.state}).`);
    if (!this.ctx.canDecide(f.resource.resourceType)) return this.announce(NOT_ALLOWED);
    if (this.ctx.needsReviewer() && !this.ctx.reviewer()) return this.ctx.pickReviewer('Choose who is reviewing before recording a decision.');
    this.busy = true;
    this.errors.delete(f.ref);
    this.renderList(true);
    try {
      this.replaceFinding(await submitDecision(this.ctx.client, f, { ...input, reviewer: this.ctx.reviewer() }));
      this.mode = 'idle';
      this.form = undefined;
      this.announce(`${DECISION_PAST[input.decision]}: ${f.display}.`);
    } catch (err) {
      await this.onDecisionError(f, err);
    } finally {
      this.busy = false;
    }
    void this.refreshAudit(f.ref);
    this.afterDecision(f.ref);
  }

  /** 409/412: someone else decided first (or the finding changed): show the current version instead. */
  private async onDecisionError(f: Finding, err: unknown): Promise<void> {
    const issues = err instanceof ApiError ? err.issues : [err instanceof Error ? err.message : String(err)];
    if (err instanceof ApiError && (err.status === 409 || err.status === 412)) {
      this.mode = 'idle';
      this.form = undefined;
      try {
        this.replaceFinding(await reloadFinding(this.ctx.client, f.ref));
      } catch { /* the message below still tells what happened */ }
      this.errors.set(f.ref, ['Someone else changed or decided on this finding first. It has been reloaded; check its current state.', ...issues]);
      this.announce('This finding was reloaded: someone else decided first.');
      return;
    }
    this.errors.set(f.ref, issues);
  }

  private replaceFinding(updated: Finding): void {
    if (!this.data) return;
    this.data.findings = this.data.findings.map((x) => (x.ref === updated.ref ? updated : x));
    if (updated.resource.resourceType === 'Observation' && isCa125(updated.resource)) {
      this.data.ca125 = this.data.ca125.map((o) => (`Observation/${o.id ?? ''}` === updated.ref ? updated.resource as typeof o : o));
    }
  }

  /** After a successful decision the next pending finding of the note is selected, so a queue clears with c, c, c. */
  private afterDecision(ref: string): void {
    if (!this.data) return;
    renderPatientBar(this.layout.bar, this.data.patient, this.data.findings);
    renderDocTabs(this.layout.tabs, this.docs(), this.doc, this.data.findings, (r) => this.switchDoc(r));
    refreshMarks(this.layout.note, this.visible());
    this.renderChart();
    const f = this.data.findings.find((x) => x.ref === ref);
    const list = this.visible();
    const at = list.findIndex((x) => x.ref === ref);
    const next = [...list.slice(at + 1), ...list.slice(0, at)].find((x) => x.state === 'provisional');
    if (f?.state !== 'provisional' && !this.errors.has(ref) && next) this.select(next.ref, { focus: true });
    else this.renderList(true);
  }

  private async refreshAudit(ref: string): Promise<void> {
    this.audits.set(ref, 'loading');
    try {
      this.audits.set(ref, await loadAudit(this.ctx.client, ref));
    } catch (err) {
      this.audits.set(ref, { error: `The audit trail could not be loaded: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (ref === this.selected && !this.busy) this.renderList();
  }

  announce(message: string): void {
    // Clearing first makes screen readers repeat an identical message.
    this.layout.status.textContent = '';
    this.layout.status.classList.remove('idle');
    requestAnimationFrame(() => { this.layout.status.textContent = message; });
  }

  /** Page shortcuts; answers true when the key was handled. */
  handleKey(e: KeyboardEvent): boolean {
    if (e.key === 'Escape' && this.mode !== 'idle') {
      this.cancel(true);
      return true;
    }
    if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return false;
    const actions: Record<string, () => void> = {
      j: () => this.move(1), k: () => this.move(-1),
      c: () => void this.decide({ decision: 'confirm' }), r: () => this.open('refute'), a: () => this.open('amend'),
    };
    const run = actions[e.key];
    if (!run) return false;
    run();
    return true;
  }
}
