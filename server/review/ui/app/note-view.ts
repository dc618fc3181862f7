/** The source note: decoded from its DocumentReference attachment and shown as text nodes with every evidence span marked. */
import type { Attachment, Binary, DocumentReference } from 'fhir/r4';
import type { FhirClient } from './api';
import { h, replace, scrollIntoContainer } from './dom';
import { formatDate } from './fhir-model';
import { type Located, type Span, locateQuote, segmentText } from './segments';
import type { Finding } from './types';

export type NoteKind = 'text' | 'html' | 'pdf' | 'none';

export interface NoteDoc {
  ref: string;
  title: string;
  date?: string;
  contentType: string;
  kind: NoteKind;
  text?: string;
  /** Why the text cannot be shown, in words for the reviewer. */
  problem?: string;
}

// The NLP reads the simplest content first; the offsets refer to that one.
const PREFERENCE = ['text/plain', 'text/markdown', 'text/html', 'application/xhtml+xml', 'application/pdf'];

const baseType = (ct: string | undefined): string => (ct ?? '').split(';')[0].trim().toLowerCase();

function pickAttachment(doc: DocumentReference): Attachment | undefined {
  const all = (doc.content ?? []).map((c) => c.attachment);
  const rank = (a: Attachment): number => {
    const i = PREFERENCE.indexOf(baseType(a.contentType));
    return i < 0 ? PREFERENCE.length : i;
  };
  return [...all].sort((a, b) => rank(a) - rank(b))[0];
}

function decodeBase64Utf8(data: string): string {
  const bin = atob(data.replace(/\s+/g, ''));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8').decode(bytes);
}

async function attachmentData(client: FhirClient, a: Attachment): Promise<string | undefined> {
  if (a.data !== undefined) return a.data;
  const m = a.url ? /(?:^|\/)(Binary\/[A-Za-z0-9.-]+)$/.exec(a.url) : null;
  if (!m) return undefined;
  return (await client.get<Binary>(m[1])).data;
}

function kindOf(ct: string): NoteKind {
  if (ct === 'text/plain' || ct === 'text/markdown') return 'text';
  if (ct === 'text/html' || ct === 'application/xhtml+xml') return 'html';
  if (ct === 'application/pdf') return 'pdf';
  return 'none';
}

export async function loadNote(client: FhirClient, ref: string): Promise<NoteDoc> {
  const doc = await client.get<DocumentReference>(ref);
  const a = pickAttachment(doc);
  const contentType = baseType(a?.contentType) || 'unknown';
  const base: NoteDoc = {
    ref, contentType, kind: kindOf(contentType),
    title: doc.description ?? doc.type?.text ?? doc.type?.coding?.[0]?.display ?? a?.title ?? 'Clinical note',
    date: doc.date ?? doc.context?.period?.start,
  };
  if (!a) return { ...base, kind: 'none', problem: 'The document has no attachment.' };
  if (base.kind === 'pdf') return { ...base, problem: 'This note is a PDF. Its text layer is not shown here; the quoted evidence is listed instead.' };
  if (base.kind === 'none') return { ...base, problem: `Notes of type ${contentType} cannot be shown; the quoted evidence is listed instead.` };
  const data = await attachmentData(client, a);
  if (data === undefined) return { ...base, kind: 'none', problem: 'The note text is stored outside this server and cannot be shown.' };
  try {
    return { ...base, text: decodeBase64Utf8(data) };
  } catch {
    return { ...base, kind: 'none', problem: 'The note attachment is not valid base64 text.' };
  }
}

/** Where each finding's first evidence span sits in `text` (null: quote not found). */
export function locateAll(text: string, findings: Finding[]): Map<string, Located | null> {
  const out = new Map<string, Located | null>();
  for (const f of findings) {
    const ev = f.evidence[0];
    out.set(f.ref, ev ? locateQuote(text, ev.quote, ev.offset, ev.length) : null);
  }
  return out;
}

function markClass(ids: string[], byRef: Map<string, Finding>): string {
  const states = ids.map((id) => byRef.get(id)?.state);
  const state = states.includes('provisional') ? 'provisional' : states.includes('verified') ? 'verified' : 'refuted';
  return `ev ev-${state}${ids.length > 1 ? ' ev-multi' : ''}`;
}

/** The note as text nodes and <mark>s; clicking a mark picks its (first) finding. */
export function renderNoteText(text: string, located: Map<string, Located | null>, findings: Finding[], onPick: (ref: string) => void): HTMLElement {
  const byRef = new Map(findings.map((f) => [f.ref, f]));
  const spans: Span[] = [];
  for (const [id, loc] of located) if (loc) spans.push({ start: loc.start, end: loc.end, id });
  const pre = h('div', { class: 'note-text' });
  for (const seg of segmentText(text.length, spans)) {
    const part = text.slice(seg.start, seg.end);
    if (!seg.ids.length) {
      pre.append(document.createTextNode(part));
      continue;
    }
    const labels = seg.ids.map((id) => byRef.get(id)?.display ?? id).join(', ');
    pre.append(h('mark', { class: markClass(seg.ids, byRef), 'data-ids': seg.ids.join(' '), title: labels, onclick: () => onPick(seg.ids[0]) }, part));
  }
  return pre;
}

/** Notice and quote list for notes whose text cannot be shown (PDF, unknown types). */
export function renderQuotesOnly(doc: NoteDoc, findings: Finding[], onPick: (ref: string) => void): HTMLElement {
  return h('div', { class: 'note-fallback' },
    h('p', { class: 'notice' }, doc.problem ?? 'The note text cannot be shown.'),
    h('ul', { class: 'quote-list' }, findings.map((f) => h('li', {},
      h('button', { type: 'button', class: 'quote-button', 'data-ref': f.ref, onclick: () => onPick(f.ref) },
        h('q', {}, f.evidence[0]?.quote ?? '(no quote)'), h('span', { class: 'muted' }, ` — ${f.display}`))))));
}

export function renderNoteHeader(doc: NoteDoc): HTMLElement {
  return h('p', { class: 'note-meta' },
    h('span', {}, doc.title), h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'), h('span', {}, formatDate(doc.date)),
    h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'), h('span', { class: 'mono' }, doc.contentType),
    doc.kind === 'html' ? h('span', { class: 'badge badge-info' }, 'HTML shown as source') : null);
}

/** Marks the spans of `ref` as active and scrolls the first one into the middle of the note pane. */
export function highlightSpan(container: HTMLElement, ref: string | undefined): HTMLElement | undefined {
  let first: HTMLElement | undefined;
  container.querySelectorAll<HTMLElement>('mark.ev, .quote-button').forEach((m) => {
    const on = ref !== undefined && ((m.dataset.ids ?? '').split(' ').includes(ref) || m.dataset.ref === ref);
    m.classList.toggle('is-active', on);
    if (on && !first) first = m;
  });
  if (first) scrollIntoContainer(first, 'center');
  return first;
}

/** Recolours the marks after a decision without rebuilding the note (keeps its scroll position). */
export function refreshMarks(container: HTMLElement, findings: Finding[]): void {
  const byRef = new Map(findings.map((f) => [f.ref, f]));
  container.querySelectorAll<HTMLElement>('mark.ev').forEach((m) => {
    const active = m.classList.contains('is-active');
    m.className = markClass((m.dataset.ids ?? '').split(' '), byRef) + (active ? ' is-active' : '');
  });
}

export function renderNote(target: HTMLElement, doc: NoteDoc, findings: Finding[], onPick: (ref: string) => void): Map<string, Located | null> {
  const located = doc.text !== undefined ? locateAll(doc.text, findings) : new Map<string, Located | null>();
  const body = doc.text !== undefined ? renderNoteText(doc.text, located, findings, onPick) : renderQuotesOnly(doc, findings, onPick);
  replace(target, renderNoteHeader(doc), body);
  return located;
}
