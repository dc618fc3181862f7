/** Turns a section's entries and narrative into a Composition.section (with emptyReason when there is nothing to show). */
import type { CompositionSection, Resource } from 'fhir/r4';
import { SECTIONS, type SectionKey, emptyReason, orderedByDate } from '../codes';
import { div, para } from '../narrative';

export interface SectionContent {
  key: SectionKey;
  /** In the order the section lists them. */
  entries: Resource[];
  /** XHTML fragments (already escaped) shown when there are entries. */
  narrative: string[];
  /** Said when there are no entries. */
  emptyText: string;
  /** Entries are ordered by event date (list-order#event-date). */
  byDate?: boolean;
}

export function toSection(c: SectionContent): CompositionSection {
  const def = SECTIONS[c.key];
  const code = { coding: def.coding.map((x) => ({ ...x })), text: def.title };
  if (c.entries.length === 0) {
    return { title: def.title, code, text: { status: 'generated', div: div([para(c.emptyText)]) }, emptyReason: emptyReason() };
  }
  return {
    title: def.title,
    code,
    text: { status: 'generated', div: div(c.narrative) },
    ...(c.byDate ? { orderedBy: orderedByDate() } : {}),
    entry: c.entries.map((r) => ({ reference: `${r.resourceType}/${r.id ?? ''}` })),
  };
}
