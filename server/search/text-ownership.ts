/**
 * Which patient-context tokens may match a resource's full text (_content, _text), decided at index time so
 * the restriction stays in SQL (store/search/masked-rows.ts, migration 017). A token is shown the resource
 * masked (core/foreign-mask.ts); a search must match only what it is shown. So each text row records:
 * - owner '*': masking changes nothing for any token, the full text is everyone's;
 * - owner = a Patient id: masking changes nothing for that patient's token (it names her and nobody else);
 * - owner '': something is masked for every token;
 * - targets: its literal references to resources that can sit in a Patient compartment. Whether one of them
 *   is in other patients' compartments only (and so masked, with the narrative) is known only when a search
 *   runs, so the search checks them then: a hit means the token is not shown the full text either;
 * - sharedContent: the words of the copy masked for a token of no patient with every literal reference
 *   masked, which every token is shown at least.
 * - idents: the identifiers the owner's copy shows only if they are hers (identifier references to a Patient or
 *   an unknown type, nested Patients' identifiers), as `[system|null, value]` JSON: her identifiers are not
 *   known here, so the search checks them against her Patient then, as it does the targets.
 */
import type { Resource } from 'fhir/r4';
import { type CompartmentsOf, type ForeignRules, type MaskInputs, foreignRulesOf, maskForeign, maskInputs } from '../core/foreign-mask';
import { contentText, contentWords } from './extract';
import { maskedContent, masksAnything } from './masked-content';
import type { IndexValues } from './types';
import { containedParam, MAX_CONTAINED } from './extract-contained';
import { nestedCompartments } from './patient-compartment';
import type { SearchRegistry } from './registry';

export interface TextOwnership { owner: string; targets: string[]; idents: string[]; sharedContent: string | null }

export const EVERYONE = '*';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** What extract-contained.ts indexes as a contained resource. */
const isResource = (v: unknown): v is Resource => !!v && typeof v === 'object' && typeof (v as Resource).resourceType === 'string';

/** Rules for `patient`'s token that take every well-formed identifier as hers, noting it in `idents` to be checked when a search runs. */
export function provisional(patient: string, idents: Set<string>, compartments: CompartmentsOf): ForeignRules {
  const rules = foreignRulesOf({ patient, exemptTypes: [] }, new Set(), [], compartments);
  return {
    ...rules,
    identifier: (i) => {
      if (!isObject(i) || typeof i.value !== 'string') return true;
      idents.add(JSON.stringify([typeof i.system === 'string' ? i.system : null, i.value]));
      return false;
    },
  };
}

/**
 * Resources nested (Bundle entries, contained, at any depth) beyond which the ownership is not worked out:
 * judging each costs ~0.2 ms of main-thread CPU (200: ~40 ms), so an 80,000-entry Bundle held the event loop ~15 s.
 * Such a resource gets the safe answer, full text matched by no patient-context token.
 */
export const NESTED_BUDGET = 200;

/** Whether more than `budget` resources are nested in `resource`; stops counting once past it. */
export function nestedOver(resource: Resource, budget: number): boolean {
  let count = 0;
  const stack: unknown[] = [resource];
  while (stack.length) {
    const r = stack.pop();
    if (!isObject(r)) continue;
    const contained: unknown[] = Array.isArray(r.contained) ? r.contained : [];
    const entries: unknown[] = Array.isArray(r.entry) ? r.entry : [];
    const nested = [...contained, ...entries.map((e) => (isObject(e) ? e.resource : undefined))];
    for (const n of nested) {
      if (!isObject(n)) continue;
      if (++count > budget) return true;
      stack.push(n);
    }
  }
  return false;
}

/** What a write that is not judged gets: its full text matched by no patient-context token. */
const SAFE: TextOwnership = { owner: '', targets: [], idents: [], sharedContent: null };

/**
 * The resource's text ownership. The copy masked for a token of no patient is not built: one walk finds its words
 * and what masking needs (search/masked-content.ts), as the copy would give them (the write path judges every
 * resource here, and building the copy and extracting its text again cost as much as the index extraction).
 * `values`: the resource's index values when the caller has them, so contained resources are not extracted again.
 */
export function textOwnershipOf(registry: SearchRegistry, resource: Resource, values?: IndexValues): TextOwnership {
  if (nestedOver(resource, NESTED_BUDGET)) return { ...SAFE };
  const compartments = nestedCompartmentsMemo(registry, resource, values);
  const nobody = foreignRulesOf({ patient: '', exemptTypes: [] }, new Set(), [], compartments);
  const rules: ForeignRules = { ...nobody, target: () => true };
  const masked = maskedOnce(resource, rules);
  if (!masked) return { owner: EVERYONE, targets: [], idents: [], sharedContent: null };
  const { inputs, sharedContent } = masked;
  const { targets, named } = literalTargets(registry, inputs);
  // Only literal references can be masked: no Patient named is everyone's, one is hers (the write path's common case, without masking again).
  if (!inputs.nested && !inputs.identifiers) return { owner: soleNamedOwner(named), targets, idents: [], sharedContent };
  const { owner, idents } = firstShownOwner(resource, named, (patient, seen) => {
    const walked = masksAnything(resource as unknown as Record<string, unknown>, provisional(patient, seen, compartments));
    return walked === undefined ? maskForeign(resource, provisional(patient, seen, compartments)) === resource : !walked;
  });
  return { owner, targets, idents, sharedContent };
}

/** The literal references: those that can sit in a Patient compartment (checked when a search runs, sorted) and the Patients named. */
export function literalTargets(registry: SearchRegistry, inputs: MaskInputs): { targets: string[]; named: string[] } {
  const literal = [...inputs.targets];
  const targets = literal.filter((t) => {
    const type = t.slice(0, t.indexOf('/'));
    return type !== 'Patient' && registry.compartmentParams('Patient', type).length > 0;
  });
  return { targets: targets.sort(), named: literal.filter((t) => t.startsWith('Patient/')).map((t) => t.slice('Patient/'.length)) };
}

/** When only literal references can be masked: no Patient named is everyone's, one named is hers, more are nobody's. */
export function soleNamedOwner(named: readonly string[]): string {
  const patients = [...new Set(named)];
  return patients.length === 0 ? EVERYONE : patients.length === 1 ? patients[0] : '';
}

/**
 * The first token (everyone's, then the resource's own Patient, then each Patient it names) shown the resource
 * unmasked by `isShown`, with the identifiers that token's copy takes as hers; '' when none is.
 */
export function firstShownOwner(resource: Resource, named: readonly string[], isShown: (patient: string, idents: Set<string>) => boolean): { owner: string; idents: string[] } {
  const candidates = [EVERYONE, ...new Set(resource.resourceType === 'Patient' && resource.id ? [resource.id, ...named] : named)];
  for (const p of candidates) {
    const seen = new Set<string>();
    if (isShown(p === EVERYONE ? '' : p, seen)) return { owner: p, idents: [...seen].sort() };
  }
  return { owner: '', idents: [] };
}

/** The copy masked by `rules`' words and maskInputs(resource), or undefined when masking changes nothing. */
function maskedOnce(resource: Resource, rules: ForeignRules): { inputs: MaskInputs; sharedContent: string } | undefined {
  const walked = maskedContent(resource as unknown as Record<string, unknown>, rules);
  if (walked) return walked.changed ? { inputs: walked.inputs, sharedContent: contentWords(walked.parts) } : undefined;
  const allMasked = maskForeign(resource, rules);
  return allMasked === resource ? undefined : { inputs: maskInputs(resource), sharedContent: contentText(allMasked) };
}

/**
 * nestedCompartments, each nested resource's worked out once per call (every masking of it asks again). With the
 * resource's index values, a contained resource's come from its rows there (extract-contained.ts: `#Type:code`,
 * grouped by its place), as patientCompartmentsOf would find them from its own: no second extraction of it.
 */
function nestedCompartmentsMemo(registry: SearchRegistry, resource: Resource, values?: IndexValues): CompartmentsOf {
  const of = nestedCompartments(registry);
  const known = new Map<Record<string, unknown>, readonly string[]>();
  const contained = (resource as { contained?: unknown }).contained;
  if (values && Array.isArray(contained)) {
    contained.slice(0, MAX_CONTAINED).forEach((r: unknown, group) => {
      if (!isResource(r) || known.has(r as unknown as Record<string, unknown>)) return;
      const params = new Set(registry.compartmentParams('Patient', r.resourceType).map((code) => containedParam(r.resourceType, code)));
      const patients = new Set<string>();
      if (r.resourceType === 'Patient' && r.id) patients.add(r.id);
      for (const row of values.reference) if (row.group === group && params.has(row.param) && row.targetType === 'Patient' && row.targetId) patients.add(row.targetId);
      known.set(r as unknown as Record<string, unknown>, [...patients].sort());
    });
  }
  return (nested) => {
    let patients = known.get(nested);
    if (!patients) known.set(nested, (patients = of(nested)));
    return patients;
  };
}
