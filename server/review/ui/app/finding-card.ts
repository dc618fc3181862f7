/** One finding in the list: what was found, where it was read, its review state, the decision actions and its audit trail. */
import type { Coding } from 'fhir/r4';
import { LOINC, SNOMED } from '../../../core/canonical-urls';
import { type AuditEntry, renderAudit } from './audit';
import { type Child, h } from './dom';
import { formatDate } from './fhir-model';
import type { Located } from './segments';
import type { Finding } from './types';

export type Mode = 'idle' | 'refute' | 'amend';

export interface CardView {
  selected: boolean;
  mode: Mode;
  busy: boolean;
  /** False when the signed-in user may not record decisions: no buttons, a note instead. */
  canDecide: boolean;
  errors?: string[];
  audit?: AuditEntry[] | 'loading' | { error: string };
  /** Where the quote was found in the shown note (undefined: the note text is not shown). */
  located?: Located | null;
  /** The open form (refute or amend), built by the page. */
  form?: HTMLElement;
}

export interface CardActions {
  select: (ref: string) => void;
  confirm: () => void;
  open: (mode: Mode) => void;
}

const SYSTEM_NAMES: Record<string, string> = {
  [SNOMED]: 'SNOMED CT',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  [LOINC]: 'LOINC',
  'http://terminology.hl7.org/CodeSystem/icd-o-3': 'ICD-O-3',
  'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl': 'NCIt',
};

const STATE_LABEL = { provisional: 'Pending review', verified: 'Verified', refuted: 'Refuted', unknown: 'Not an NLP finding' };

function codeChips(codes: Coding[]): Child {
  if (!codes.length) return h('span', { class: 'muted' }, 'none');
  return codes.map((c) => h('span', { class: 'code', title: c.display ?? '' }, h('span', { class: 'code-sys' }, SYSTEM_NAMES[c.system ?? ''] ?? c.system ?? '?'), ` ${c.code ?? ''}`));
}

function fact(label: string, ...value: Child[]): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, ...value)];
}

function quoteBlock(f: Finding, located: Located | null | undefined): HTMLElement | null {
  const ev = f.evidence[0];
  if (!ev) return h('p', { class: 'warning small' }, 'No evidence span recorded.');
  const warn = located === null ? 'Quote not found in the note text.' : located && !located.exact ? 'Quote found at a different position than recorded.' : '';
  return h('figure', { class: 'quote' },
    h('blockquote', {}, `“${ev.quote}”`),
    warn ? h('figcaption', { class: 'warning small' }, warn) : null);
}

function actionButtons(f: Finding, view: CardView, act: CardActions): HTMLElement {
  const disabled = view.busy || view.mode !== 'idle';
  const btn = (label: string, key: string, cls: string, onclick: () => void): HTMLElement =>
    h('button', { type: 'button', class: `button ${cls}`, disabled, 'aria-keyshortcuts': key, onclick }, label, h('kbd', { 'aria-hidden': 'true' }, key));
  return h('div', { class: 'actions', role: 'group', 'aria-label': `Decision on ${f.display}` },
    btn('Confirm', 'c', 'button-confirm', act.confirm),
    btn('Refute', 'r', 'button-refute', () => act.open('refute')),
    btn('Amend', 'a', 'button-secondary', () => act.open('amend')));
}

function auditBlock(view: CardView): HTMLElement {
  const a = view.audit;
  const body = a === undefined || a === 'loading' ? h('p', { class: 'muted small' }, 'Loading audit trail…')
    : 'error' in a ? h('p', { class: 'error-text small' }, a.error) : renderAudit(a);
  return h('section', { class: 'audit-panel', 'aria-label': 'Audit trail' }, h('h4', {}, 'Audit trail'), body);
}

function detail(f: Finding, view: CardView, act: CardActions): HTMLElement {
  const errors = view.errors?.length ? h('div', { class: 'alert', role: 'alert' }, view.errors.map((e) => h('p', {}, e))) : null;
  const pending = f.state === 'provisional';
  return h('div', { class: 'card-detail', id: `detail-${cssId(f.ref)}` },
    errors,
    pending && view.mode === 'idle' && view.canDecide ? actionButtons(f, view, act) : null,
    pending && !view.canDecide ? h('p', { class: 'muted small no-decisions' }, 'Your account may view this finding but not record a decision (that needs a practitioner with write access).') : null,
    view.busy ? h('p', { class: 'muted small' }, 'Saving decision…') : null,
    view.form ?? null,
    auditBlock(view));
}

export const cssId = (ref: string): string => ref.replace(/[^A-Za-z0-9_-]/g, '-');

export function renderCard(f: Finding, view: CardView, act: CardActions): HTMLLIElement {
  const kind = f.resource.resourceType;
  const conf = f.confidence !== undefined ? `${Math.round(f.confidence * 100)} %` : '—';
  return h('li', { class: `card state-${f.state}${view.selected ? ' is-selected' : ''}`, 'data-ref': f.ref },
    h('button', {
      type: 'button', class: 'card-head', 'data-ref': f.ref, 'aria-expanded': String(view.selected),
      'aria-controls': view.selected ? `detail-${cssId(f.ref)}` : undefined, onclick: () => act.select(f.ref),
    },
      h('span', { class: 'card-top' }, h('span', { class: 'kind' }, kind), h('span', { class: `chip chip-${f.state}` }, STATE_LABEL[f.state])),
      h('span', { class: 'card-title' }, f.display),
      f.value ? h('span', { class: 'card-value' }, f.value) : null),
    h('dl', { class: 'facts' },
      fact('Codes', codeChips(f.codes)),
      fact(f.dateLabel, formatDate(f.date)),
      fact('Assertion', f.assertion),
      fact('Confidence', conf),
      fact('Engine', f.engine ?? '—')),
    quoteBlock(f, view.located),
    view.selected ? detail(f, view, act) : null);
}
