/** The refute and amend forms: Enter submits, Esc (handled by the page) cancels; amend edits code, value and date. */
import type { Observation } from 'fhir/r4';
import { UCUM } from '../../../core/canonical-urls';
import { h } from './dom';
import type { ConceptEntry, ConceptList, Finding, FindingResource } from './types';

export interface FormHandlers {
  submit: (note: string, resource?: FindingResource) => void;
  cancel: () => void;
}

function noteField(id: string, label: string): { field: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { id, type: 'text', maxlength: 500, autocomplete: 'off' });
  return { field: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}

function formButtons(submitLabel: string, submitClass: string, cancel: () => void): HTMLElement {
  return h('div', { class: 'form-actions' },
    h('button', { type: 'submit', class: `button ${submitClass}` }, submitLabel),
    h('button', { type: 'button', class: 'button button-quiet', onclick: cancel }, 'Cancel', h('kbd', { 'aria-hidden': 'true' }, 'Esc')));
}

export function refuteForm(f: Finding, on: FormHandlers): HTMLFormElement {
  const note = noteField('refute-note', 'Reason (optional, recorded in the audit trail)');
  const form = h('form', { class: 'decision-form', 'aria-label': `Refute ${f.display}` },
    h('p', { class: 'form-lead' }, 'Refute this finding? It stays on record as refuted and is no longer used as patient data.'),
    note.field, formButtons('Refute finding', 'button-refute', on.cancel));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    on.submit(note.input.value);
  });
  return form;
}

const keyOf = (system: string | undefined, code: string | undefined): string => `${system ?? ''}|${code ?? ''}`;

export function conceptOf(f: Finding, list: ConceptEntry[]): ConceptEntry | undefined {
  const keys = new Set(f.codes.map((c) => keyOf(c.system, c.code)));
  return list.find((c) => c.keys.some((k) => keys.has(k)));
}

/** A filter box over a listbox-sized <select>: searchable without a custom widget, so it stays accessible. */
function conceptPicker(list: ConceptEntry[], current: ConceptEntry | undefined): { field: HTMLElement; select: HTMLSelectElement } {
  const select = h('select', { id: 'amend-concept', size: 5 });
  const filter = h('input', { id: 'amend-concept-filter', type: 'search', autocomplete: 'off', placeholder: 'Filter codes', 'aria-controls': 'amend-concept' });
  const fill = (): void => {
    const term = filter.value.trim().toLowerCase();
    const keep = select.value || current?.id || '';
    select.replaceChildren(...list
      .filter((c) => !term || c.display.toLowerCase().includes(term) || c.id.includes(term) || c.codings.some((x) => (x.code ?? '').toLowerCase().includes(term)))
      .map((c) => h('option', { value: c.id, selected: c.id === keep }, `${c.display} (${c.codings.map((x) => x.code).join(', ')})`)));
  };
  filter.addEventListener('input', fill);
  fill();
  return {
    select,
    field: h('div', { class: 'field' },
      h('label', { for: 'amend-concept-filter' }, 'Code (from the server\'s terminology)'), filter,
      h('label', { for: 'amend-concept', class: 'sr-only' }, 'Concept'), select),
  };
}

function withCode(r: FindingResource, concept: ConceptEntry | undefined, current: ConceptEntry | undefined): void {
  if (!concept || concept.id === current?.id) return; // unchanged: keep the codes as extracted
  r.code = { coding: concept.codings, text: concept.display };
}

function withDate(r: FindingResource, value: string, original: string | undefined): void {
  if (!value || original?.startsWith(value)) return;
  if (r.resourceType === 'Condition') r.onsetDateTime = value;
  else r.effectiveDateTime = value;
}

function withValue(o: Observation, raw: string, unit: string): void {
  const value = Number(raw);
  const q = o.valueQuantity ?? {};
  if (q.value === value && (q.code ?? q.unit) === unit) return;
  o.valueQuantity = { value, unit, system: UCUM, code: unit };
}

function numberFields(o: Observation): { fields: HTMLElement; value: HTMLInputElement; unit: HTMLInputElement } {
  const value = h('input', { id: 'amend-value', type: 'number', step: 'any', required: true, value: o.valueQuantity?.value ?? '' });
  const unit = h('input', { id: 'amend-unit', type: 'text', required: true, value: o.valueQuantity?.code ?? o.valueQuantity?.unit ?? '' });
  return {
    value, unit,
    fields: h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'amend-value' }, 'Value'), value),
      h('div', { class: 'field' }, h('label', { for: 'amend-unit' }, 'Unit (UCUM)'), unit)),
  };
}

export function amendForm(f: Finding, concepts: ConceptList, on: FormHandlers): HTMLFormElement {
  const list = f.resource.resourceType === 'Condition' ? concepts.conditions : concepts.observations;
  const current = conceptOf(f, list);
  const picker = conceptPicker(list, current);
  const obs = f.resource.resourceType === 'Observation' && f.resource.valueQuantity ? numberFields(f.resource) : undefined;
  // a Condition's recordedDate is not its onset: the onset field starts empty unless the note stated one
  const shown = f.dateLabel === 'Recorded' ? undefined : f.date;
  const date = h('input', { id: 'amend-date', type: 'date', value: (shown ?? '').slice(0, 10) });
  const note = noteField('amend-note', 'Note (optional)');
  const form = h('form', { class: 'decision-form', 'aria-label': `Amend ${f.display}` },
    h('p', { class: 'form-lead' }, 'Correct what was read; your version is stored as verified.'),
    picker.field, obs?.fields ?? null,
    h('div', { class: 'field' }, h('label', { for: 'amend-date' }, f.resource.resourceType === 'Condition' ? 'Onset date' : 'Date of measurement'), date),
    note.field, formButtons('Save amendment', 'button-primary', on.cancel));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const r = structuredClone(f.resource);
    withCode(r, list.find((c) => c.id === picker.select.value), current);
    if (obs && r.resourceType === 'Observation') withValue(r, obs.value.value, obs.unit.value.trim());
    withDate(r, date.value, shown);
    on.submit(note.input.value, r);
  });
  return form;
}
