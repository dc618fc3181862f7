/** Reviewer selection while auth is off: a Practitioner search in a modal dialog, remembered for the browser tab. */
import type { Practitioner, Reference } from 'fhir/r4';
import { ApiError, type FhirClient } from './api';
import { h, replace } from './dom';
import { humanName } from './fhir-model';

export interface ReviewerPicker {
  open(reason?: string): void;
}

function practitionerLine(p: Practitioner): string {
  const role = p.qualification?.[0]?.code?.text ?? p.qualification?.[0]?.code?.coding?.[0]?.display;
  const ident = p.identifier?.[0]?.value;
  return [role, ident ? `ID ${ident}` : ''].filter(Boolean).join(' · ');
}

/** Builds the dialog once and appends it to `host`; `onPick` receives the chosen reviewer. */
export function createReviewerPicker(host: HTMLElement, client: FhirClient, onPick: (ref: Reference) => void): ReviewerPicker {
  const input = h('input', { id: 'reviewer-search', type: 'search', autocomplete: 'off', placeholder: 'Family or given name' });
  const results = h('ul', { class: 'picker-results', 'aria-live': 'polite' });
  const reasonLine = h('p', { class: 'muted small' });
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'reviewer-title' },
    h('form', { method: 'dialog', class: 'dialog-body' },
      h('h2', { id: 'reviewer-title' }, 'Who is reviewing?'),
      reasonLine,
      h('label', { for: 'reviewer-search' }, 'Search practitioners'),
      input,
      results,
      h('div', { class: 'dialog-actions' }, h('button', { type: 'submit', class: 'button button-quiet' }, 'Close'))));
  host.append(dialog);

  let seq = 0;
  async function search(): Promise<void> {
    const mine = ++seq;
    const term = input.value.trim();
    const path = `Practitioner?_count=20&_sort=family${term ? `&name=${encodeURIComponent(term)}` : ''}`;
    try {
      const found = (await client.searchAll(path, 1)).filter((r): r is Practitioner => r.resourceType === 'Practitioner');
      if (mine !== seq) return; // a newer keystroke's search owns the list
      replace(results, found.length ? found.map((p) => h('li', {},
        h('button', { type: 'button', class: 'picker-option', onclick: () => choose(p) },
          h('span', { class: 'picker-name' }, humanName(p.name)), h('span', { class: 'sub' }, practitionerLine(p)))))
        : h('li', { class: 'muted' }, 'No practitioner matches.'));
    } catch (err) {
      replace(results, h('li', { class: 'error-text', role: 'alert' }, err instanceof ApiError ? err.message : 'Search failed.'));
    }
  }
  function choose(p: Practitioner): void {
    onPick({ reference: `Practitioner/${p.id ?? ''}`, display: humanName(p.name) });
    dialog.close();
  }
  input.addEventListener('input', () => void search());
  return {
    open(reason) {
      reasonLine.textContent = reason ?? 'Decisions are recorded under this practitioner (authentication is off on this server).';
      dialog.showModal();
      input.focus();
      void search();
    },
  };
}
