/**
 * The amend form's code choices, read from the server's terminology ($expand of the amend ValueSets,
 * DESIGN.md terminology): the NLP catalogue plus whatever local codes the hospital has added, so an
 * extended catalogue shows up here without rebuilding the page.
 */
import type { ValueSet, ValueSetExpansionContains } from 'fhir/r4';
import { amendValueSetUrl } from '../../../core/canonical-urls';
import type { FhirClient } from './api';
import type { ConceptEntry, ConceptList } from './types';

/** Enough for the catalogue and a hospital's additions; the server refuses (400 too-costly) beyond its own limit. */
export const MAX_CHOICES = 5000;

const flatten = (list: ValueSetExpansionContains[]): ValueSetExpansionContains[] =>
  list.flatMap((c) => [...(c.abstract ? [] : [c]), ...flatten(c.contains ?? [])]);

/** One choice per coding of the expansion, sorted by display; a code without display shows as its code. */
export function choicesOf(vs: ValueSet): ConceptEntry[] {
  const seen = new Set<string>();
  const out: ConceptEntry[] = [];
  for (const c of flatten(vs.expansion?.contains ?? [])) {
    if (!c.system || !c.code) continue;
    const key = `${c.system}|${c.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const display = c.display ?? c.code;
    out.push({ id: key, display, codings: [{ system: c.system, code: c.code, display }], keys: [key] });
  }
  return out.sort((a, b) => a.display.localeCompare(b.display) || a.id.localeCompare(b.id));
}

export async function expandChoices(client: FhirClient, kind: 'conditions' | 'observations'): Promise<ConceptEntry[]> {
  const vs = await client.get<ValueSet>(`ValueSet/$expand?url=${encodeURIComponent(amendValueSetUrl(kind))}&count=${MAX_CHOICES}`);
  return choicesOf(vs);
}

/** Both lists the amend form needs, in parallel. */
export async function loadAmendChoices(client: FhirClient): Promise<ConceptList> {
  const [conditions, observations] = await Promise.all([expandChoices(client, 'conditions'), expandChoices(client, 'observations')]);
  return { conditions, observations };
}
