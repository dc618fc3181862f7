/** The worklist view: patients with pending findings, longest waiting first, each a link to the patient. */
import { h } from './dom';
import { formatDate } from './fhir-model';
import type { WorklistRow } from './worklist-data';

function waiting(iso: string, now: number): string {
  const days = Math.floor((now - Date.parse(iso)) / 86_400_000);
  return days <= 0 ? 'today' : days === 1 ? '1 day' : `${days} days`;
}

export function renderWorklist(rows: WorklistRow[], now = Date.now()): HTMLElement {
  const total = rows.reduce((n, r) => n + r.conditions + r.observations, 0);
  const summary = rows.length ? `${rows.length} patient${rows.length === 1 ? '' : 's'} · ${total} finding${total === 1 ? '' : 's'} awaiting review` : 'No findings are awaiting review.';
  return h('section', { class: 'worklist', 'aria-labelledby': 'worklist-title' },
    h('div', { class: 'section-head' },
      h('h1', { id: 'worklist-title', tabindex: '-1' }, 'Review worklist'),
      h('p', { class: 'muted' }, summary)),
    rows.length ? h('table', { class: 'table' },
      h('caption', { class: 'sr-only' }, 'Patients with findings awaiting review, longest waiting first'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Patient'), h('th', { scope: 'col', class: 'num' }, 'Conditions'),
        h('th', { scope: 'col', class: 'num' }, 'Observations'), h('th', { scope: 'col' }, 'Oldest pending'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Open')))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/patient/${encodeURIComponent(r.patientId)}`, class: 'patient-link' }, r.name), h('span', { class: 'sub' }, r.details)),
        h('td', { class: 'num' }, h('span', { class: r.conditions ? 'count' : 'count zero' }, r.conditions)),
        h('td', { class: 'num' }, h('span', { class: r.observations ? 'count' : 'count zero' }, r.observations)),
        h('td', {}, formatDate(r.oldest), h('span', { class: 'sub' }, `waiting ${waiting(r.oldest, now)}`)),
        h('td', { class: 'go' }, h('a', { href: `#/patient/${encodeURIComponent(r.patientId)}`, class: 'button button-quiet', 'aria-label': `Review ${r.name}` }, 'Review →'))))))
      : h('div', { class: 'empty' }, h('p', {}, 'All caught up. New findings appear here when notes are processed.')));
}
