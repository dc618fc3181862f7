/**
 * The gdpr-default profile over all Synthea bundles (17,293 resources, in the form the store holds them):
 * no source name, identifier, address part, telecom, birth date or narrative survives; references resolve
 * inside the output; each patient's dates move by one offset; keys give stable, unlinkable pseudonyms.
 */
import type { Patient, Resource } from 'fhir/r4';
import { loadStoredSynthea } from '../../bench/lib/synthea-stored';
import { KEY_A, KEY_B, type Json, distinctive, occursAsToken, pseudonymizer, referencesOf, personalFieldValues, sensitiveValues, tokens, vocabulary } from './pseudonymize-helpers';

const corpus = loadStoredSynthea();
const all = corpus.flatMap((b) => b.resources);
const ps = pseudonymizer(KEY_A);
const outputs = corpus.map((b) => b.resources.map((r) => ps.apply(r)));
const lines = outputs.flat().map((r) => JSON.stringify(r));
const DAY = 86_400_000;

describe('pseudonymize: gdpr-default over the Synthea corpus', () => {
  test('every resource is kept (none of the dropped types occur) and every output line is a resource of the same type', () => {
    expect(all.length).toBeGreaterThan(17_000);
    outputs.flat().forEach((out, i) => expect(out?.resourceType).toBe(all[i].resourceType));
  });

  test('no source name, identifier, address line/city/postal code, telecom or narrative appears in any output line', () => {
    const text = lines.join('\n');
    const present = new Set(tokens(text));
    // a one-word value that is also a word of the kept code displays cannot be told apart in a text scan
    const words = vocabulary(all);
    const values = [...new Set(all.flatMap(sensitiveValues))].filter((v) => !(tokens(v).length === 1 && words.has(v)));
    expect(values.length).toBeGreaterThan(1000);
    // a value can only occur if all its tokens do: the exact scan runs for those candidates only
    const leaked = values.filter(distinctive).filter((v) => tokens(v).every((t) => present.has(t)) && occursAsToken(text, v));
    expect(leaked).toEqual([]);
    // short numbers (an NPI of 270, a postal code of 2339) occur in lab values and codes: no identifier,
    // telecom or address field of the output may hold one
    const leaves = new Set(outputs.flatMap(personalFieldValues));
    expect(values.filter((v) => !distinctive(v) && leaves.has(v))).toEqual([]);
    const postalCodes = outputs.flatMap((r) => (JSON.stringify(r).match(/"postalCode":"[^"]*"/g) ?? []));
    expect(postalCodes.length).toBeGreaterThan(80);
    expect(postalCodes.filter((p) => p.length > '"postalCode":"021"'.length)).toEqual([]);
  });

  test("no patient's source birth date appears in that patient's output, and Patient.birthDate moved", () => {
    corpus.forEach((bundle, b) => {
      const patient = bundle.resources.find((r): r is Patient => r.resourceType === 'Patient');
      if (!patient?.birthDate) return;
      const own = outputs[b].map((r) => JSON.stringify(r)).join('\n');
      expect(own.includes(patient.birthDate)).toBe(false);
      const out = outputs[b].find((r) => r?.resourceType === 'Patient') as Patient;
      expect(out.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });
  });

  test('every reference in the output resolves to a resource in the output (or is contained)', () => {
    const keys = new Set(outputs.flat().map((r) => `${r?.resourceType}/${r?.id}`));
    const refs = outputs.flat().flatMap(referencesOf);
    expect(refs.length).toBeGreaterThan(30_000);
    expect(refs.filter((ref) => !ref.startsWith('#') && !keys.has(ref))).toEqual([]);
    // and no source id is left anywhere
    const ids = new Set(all.map((r) => r.id));
    expect(outputs.flat().filter((r) => ids.has(r?.id))).toEqual([]);
  });

  test("date intervals are preserved per patient: every full date of a patient's resources moves by the same non-zero offset", () => {
    corpus.slice(2).forEach((bundle, i) => {
      const shifts = new Set<number>();
      bundle.resources.forEach((src, j) => pairDates(src, outputs[i + 2][j], (a, b) => shifts.add(Math.round((Date.parse(b) - Date.parse(a)) / DAY))));
      expect(shifts.size).toBe(1);
      const [days] = [...shifts];
      expect(days !== 0 && Math.abs(days) <= 365).toBe(true);
    });
  });

  test('the same key gives the same output; another key shares no pseudonym', () => {
    const again = pseudonymizer(KEY_A);
    all.slice(0, 3000).forEach((r, i) => expect(JSON.stringify(again.apply(r))).toBe(lines[i]));
    const other = pseudonymizer(KEY_B);
    const idsA = new Set(outputs.flat().map((r) => r?.id));
    const idsB = all.map((r) => other.apply(r)?.id);
    expect(idsB.filter((id) => idsA.has(id))).toEqual([]);
  });

  test('the key appears in no output line (base64 or hex)', () => {
    const text = lines.join('\n');
    for (const form of [Buffer.from(KEY_A).toString('base64'), Buffer.from(KEY_A).toString('hex'), Buffer.from(KEY_A).toString('base64url')]) {
      expect(text.includes(form)).toBe(false);
    }
  });
});

/** Calls `pair(source, output)` for every full-precision date/dateTime string at the same place in both. */
function pairDates(src: Resource, out: Resource | undefined, pair: (a: string, b: string) => void): void {
  const full = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/;
  const visit = (s: unknown, o: unknown): void => {
    if (typeof s === 'string' && typeof o === 'string') {
      if (full.test(s) && full.test(o)) pair(s.slice(0, 10), o.slice(0, 10));
      return;
    }
    if (Array.isArray(s) && Array.isArray(o) && s.length === o.length) s.forEach((x, k) => visit(x, o[k]));
    else if (s && o && typeof s === 'object' && typeof o === 'object' && !Array.isArray(s)) {
      for (const k of Object.keys(o as Json)) if (k !== 'meta') visit((s as Json)[k], (o as Json)[k]);
    }
  };
  visit(src, out);
}
