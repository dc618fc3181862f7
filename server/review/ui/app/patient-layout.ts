/** The static parts of the patient view: header bar, panels, document tabs and the shortcut legend. */
import type { Patient } from 'fhir/r4';
import { h } from './dom';
import { formatDate, humanName } from './fhir-model';
import type { NoteDoc } from './note-view';
import type { Finding } from './types';

export interface PatientLayout {
  root: HTMLElement;
  bar: HTMLElement;
  tabs: HTMLElement;
  note: HTMLElement;
  chart: HTMLElement;
  list: HTMLOListElement;
  count: HTMLElement;
  status: HTMLElement;
}

function shortcutLegend(): HTMLElement {
  const k = (key: string): HTMLElement => h('kbd', {}, key);
  return h('p', { class: 'shortcuts' }, h('span', { class: 'sr-only' }, 'Keyboard shortcuts: '),
    h('span', {}, k('j'), ' / ', k('k'), ' next / previous'), h('span', {}, k('c'), ' confirm'),
    h('span', {}, k('r'), ' refute'), h('span', {}, k('a'), ' amend'), h('span', {}, k('Esc'), ' cancel'));
}

export function createPatientLayout(): PatientLayout {
  const l = {
    bar: h('div', { class: 'patient-bar' }),
    tabs: h('div', { class: 'doc-tabs', role: 'group', 'aria-label': 'Source notes' }),
    note: h('div', { class: 'note-scroll', id: 'note', tabindex: '0', role: 'region', 'aria-label': 'Note text with highlighted evidence' }),
    chart: h('div', { class: 'chart-body' }),
    list: h('ol', { class: 'finding-list', 'aria-labelledby': 'findings-heading' }),
    count: h('span', { class: 'muted small' }),
    status: h('p', { class: 'status idle', role: 'status', 'aria-live': 'polite' }, 'Select a finding, then confirm, refute or amend it.'),
  };
  const root = h('div', { class: 'patient-page' }, l.bar,
    h('div', { class: 'workspace' },
      h('div', { class: 'col-left' },
        h('section', { class: 'panel note-panel', 'aria-labelledby': 'note-heading' },
          h('div', { class: 'panel-head' }, h('h2', { id: 'note-heading' }, 'Source note'), l.tabs), l.note),
        h('section', { class: 'panel chart-panel', 'aria-labelledby': 'chart-heading' },
          h('div', { class: 'panel-head' }, h('h2', { id: 'chart-heading' }, 'CA-125 over time')), l.chart)),
      h('section', { class: 'panel findings-panel', 'aria-labelledby': 'findings-heading' },
        h('div', { class: 'panel-head' }, h('h2', { id: 'findings-heading' }, 'Findings'), l.count),
        h('div', { class: 'list-scroll' }, l.list),
        h('footer', { class: 'panel-foot' }, l.status, shortcutLegend()))));
  return { root, ...l };
}

export function renderPatientBar(bar: HTMLElement, p: Patient, findings: Finding[]): void {
  const pending = findings.filter((f) => f.state === 'provisional').length;
  const details = [p.birthDate ? `born ${formatDate(p.birthDate)}` : '', p.gender ?? '', p.identifier?.[0]?.value ? `MRN ${p.identifier[0].value}` : ''].filter(Boolean);
  bar.replaceChildren(
    h('a', { href: '#/', class: 'back' }, h('span', { 'aria-hidden': 'true' }, '← '), 'Worklist'),
    h('div', { class: 'patient-id' }, h('h1', { id: 'patient-title', tabindex: '-1' }, humanName(p.name)), h('span', { class: 'sub' }, details.join(' · '))),
    h('div', { class: `progress${pending ? '' : ' done'}` },
      pending ? `${pending} of ${findings.length} findings pending` : `All ${findings.length} findings reviewed`,
      pending ? null : h('a', { href: '#/', class: 'button button-quiet' }, 'Back to worklist')));
}

export function renderDocTabs(tabs: HTMLElement, docs: NoteDoc[], current: string | undefined, findings: Finding[], onPick: (ref: string) => void): void {
  tabs.replaceChildren();
  if (docs.length < 2) return;
  for (const d of docs) {
    const pending = findings.filter((f) => (f.document ?? '') === d.ref && f.state === 'provisional').length;
    tabs.append(h('button', { type: 'button', class: 'tab', 'aria-pressed': String(d.ref === current), onclick: () => onPick(d.ref) },
      `${d.title} · ${formatDate(d.date)}`, pending ? h('span', { class: 'tab-count', 'aria-label': `${pending} pending` }, pending) : null));
  }
}
