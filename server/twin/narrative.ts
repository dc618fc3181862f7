/** Generated XHTML for twin sections (https://hl7.org/fhir/R4/narrative.html#xhtml): every text escaped, tables for series. */

const XHTML_NS = 'http://www.w3.org/1999/xhtml';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for XHTML content and attributes; also drops control characters XML forbids. */
export function esc(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export interface TableSpec {
  caption?: string;
  headers: string[];
  /** Plain-text cells (escaped here). */
  rows: string[][];
}

export function table(t: TableSpec): string {
  const head = `<thead><tr>${t.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody>`;
  return `<table>${t.caption ? `<caption>${esc(t.caption)}</caption>` : ''}${head}${body}</table>`;
}

export const para = (text: string): string => `<p>${esc(text)}</p>`;

/** A paragraph with a bold lead-in, e.g. "Current stage: IIIC". */
export const labelled = (label: string, text: string): string => `<p><b>${esc(label)}</b> ${esc(text)}</p>`;

/** The root div of a Narrative. */
export const div = (parts: string[]): string => `<div xmlns="${XHTML_NS}">${parts.join('')}</div>`;
