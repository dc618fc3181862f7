/** Shared by the pseudonymization suites: one model/registry, keys, and walkers over source and output JSON. */
import type { Resource } from 'fhir/r4';
import { R4Model } from '../../server/core/r4/element-model';
import { createSearchRegistry } from '../../server/search/registry';
import { createPseudonymizer, loadPseudonymizationProfile, type PseudonymizationProfile, type Pseudonymizer } from '../../server/bulk/pseudonymize';

export const model = new R4Model();
export const registry = createSearchRegistry(model);
export const KEY_A = new Uint8Array(Buffer.from('k6H1wqf3VbXJ4m0rT8yZpL2sN9dC5eA7gU1iO3hK6jQ=', 'base64'));
export const KEY_B = new Uint8Array(Buffer.from('Zx9Qw2Er4Ty6Ui8Op0As1Df3Gh5Jk7Lz9Xc2Vb4Nm6M=', 'base64'));
export const BASE = 'https://fhir.example.org/fhir';

export const gdpr = (): PseudonymizationProfile => loadPseudonymizationProfile('gdpr-default', { model });
export const pseudonymizer = (key: Uint8Array = KEY_A, profile: PseudonymizationProfile = gdpr()): Pseudonymizer =>
  createPseudonymizer(profile, key, { model, registry, baseUrls: [BASE] });

export type Json = Record<string, any>; // resources walked generically in assertions

/** Calls `visit(key, value, parent)` for every property below `value`. */
export function walkJson(value: unknown, visit: (key: string, v: unknown, parent: Json) => void): void {
  if (Array.isArray(value)) value.forEach((v) => walkJson(v, visit));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v, value as Json);
      walkJson(v, visit);
    }
  }
}

/** Every `reference` string in a resource. */
export function referencesOf(r: unknown): string[] {
  const out: string[] = [];
  walkJson(r, (k, v, parent) => {
    if (k === 'reference' && typeof v === 'string' && !('resourceType' in parent)) out.push(v);
  });
  return out;
}

/** The de-identifying values of a source resource: names, identifiers, address parts, telecom, narrative and notes. */
export function sensitiveValues(r: Resource): string[] {
  const out: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.trim().length >= 3) out.push(v.trim());
  };
  walkJson(r, (k, v, parent) => {
    if (k === 'name' && Array.isArray(v)) for (const n of v as Json[]) if (n.family || n.given) [...(n.given ?? []), n.family, n.text].forEach(add);
    if (k === 'identifier') for (const i of ([] as Json[]).concat(v as Json)) add(i.value);
    if (k === 'address' || k === 'valueAddress') {
      // a city the address's state names (Moscow, Novosibirsk Oblast) is told by the state, which the profile keeps
      for (const a of ([] as Json[]).concat(v as Json)) [...(a.line ?? []), a.state?.includes(a.city) ? undefined : a.city, a.postalCode, a.text].forEach(add);
    }
    if (k === 'telecom') for (const t of v as Json[]) add(t.value);
    if (k === 'text' && typeof v === 'object' && v !== null && 'div' in v) add((v as Json).div);
    if (k === 'note') for (const n of v as Json[]) add(n.text);
    if (parent.url === 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName' && k === 'valueString') add(v);
  });
  return out;
}

/** Values that name someone on their own (a letter, or six and more digits); short numbers are checked as whole values instead. */
export const distinctive = (v: string): boolean => /[A-Za-z]/.test(v) || v.replace(/\D/g, '').length >= 6;

/** The strings an output keeps where identifiers, telecom and addresses live (Identifier/ContactPoint value, address lines, city); postal codes are cut to 3 characters by design and checked apart. */
export function personalFieldValues(value: unknown): string[] {
  const out: string[] = [];
  walkJson(value, (k, v, parent) => {
    if (typeof v === 'string' && ((k === 'value' && 'system' in parent) || ['line', 'city', 'district'].includes(k))) out.push(v);
    if (Array.isArray(v) && k === 'line') v.forEach((l) => typeof l === 'string' && out.push(l));
  });
  return out;
}

/** Tokens of a text (runs of letters/digits): a value leaks only if it appears as whole tokens, not inside a hex hash. */
export const tokens = (text: string): string[] => text.split(/[^A-Za-z0-9]+/).filter(Boolean);

/** Whether `value` occurs in `text` with no letter/digit on either side. */
export function occursAsToken(text: string, value: string): boolean {
  for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + 1)) {
    const before = text[i - 1];
    const after = text[i + value.length];
    if (!(before && /[A-Za-z0-9]/.test(before)) && !(after && /[A-Za-z0-9]/.test(after))) return true;
  }
  return false;
}

/** Tokens of the coded vocabulary (Coding.display, CodeableConcept.text) of the source: "Brain" the first name is also "Brain damage". */
export function vocabulary(resources: unknown[]): Set<string> {
  const out = new Set<string>();
  for (const r of resources) {
    walkJson(r, (k, v, parent) => {
      if (typeof v === 'string' && (k === 'display' || (k === 'text' && 'coding' in parent))) tokens(v).forEach((t) => out.add(t));
    });
  }
  return out;
}
