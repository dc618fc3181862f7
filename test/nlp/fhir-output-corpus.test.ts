/** Findings → provisional FHIR resources on the real development notes: every resource valid, scored against the gold annotations. */
import type { Condition, DocumentReference, Extension, FamilyMemberHistory, Observation, Resource } from 'fhir/r4';
import type { Finding } from '../../server/nlp/finding';
import { buildFindingResources, type ExtractionRun, type FindingResources } from '../../server/nlp/fhir';
import { readDevCorpus } from '../../server/nlp/eval/corpus';
import type { GoldNote } from '../../server/nlp/eval/score';
import { type ResourceValidator, createValidator } from '../../server/validation';
import { rules, rulesResources } from './helpers';

const RUN: ExtractionRun = { engine: 'rules', version: '1.0.0', recorded: '2026-03-20T08:00:00Z' };
const dev = readDevCorpus();

let v: ResourceValidator;
beforeAll(() => {
  v = createValidator();
});

interface Built { note: GoldNote; findings: Finding[]; out: FindingResources }

function buildNote(note: GoldNote): Built {
  const findings = rules().extractSync({ text: note.text, language: note.language, ...(note.date ? { documentDate: note.date } : {}) });
  const document: DocumentReference & { id: string } = { resourceType: 'DocumentReference', id: note.id, status: 'current', content: [{ attachment: { contentType: 'text/plain' } }] };
  let n = 0;
  const out = buildFindingResources({
    findings, document, patient: { reference: `Patient/${note.id}` }, run: RUN, coder: rulesResources().coder,
    newId: () => `${note.id}-${++n}`, ...(note.date ? { documentDate: note.date } : {}),
  });
  return { note, findings, out };
}

const codesOf = (cc: { coding?: Array<{ code?: string }> } | undefined): string[] => (cc?.coding ?? []).map((c) => c.code ?? '');
const ofType = <T extends Resource>(out: FindingResources, type: T['resourceType']): T[] => out.resources.filter((r) => r.resourceType === type) as unknown as T[];
/** The concept's preferred code that every resource of it carries, whatever its laterality. */
const keyCode = (concept: string): string => rulesResources().coder.conditionCodes(concept)[0]?.code ?? rulesResources().coder.observationCodes(concept)[0]?.code;

/** The findings a resource was built from, found by the offsets of its nlp-evidence extensions. */
function sourceFindings(r: { extension?: Extension[] }, findings: Finding[]): Finding[] {
  const offsets = (r.extension ?? []).flatMap((e) => e.extension?.filter((x) => x.url === 'offset').map((x) => x.valueInteger) ?? []);
  return findings.filter((f) => offsets.includes(f.offset));
}

describe('buildFindingResources on the development corpus', () => {
  let built: Built[] = [];
  beforeAll(() => {
    built = dev.map(buildNote);
  });

  it('reads the corpus from ../shared', () => {
    expect(dev.length).toBeGreaterThanOrEqual(20);
  });

  it('every resource, Provenance and Device validates with zero errors', () => {
    const failures: string[] = [];
    let count = 0;
    for (const { note, out } of built) {
      for (const r of [...out.resources, out.provenance, out.device]) {
        count++;
        for (const i of v.validate(r)) if (i.severity === 'error' || i.severity === 'fatal') failures.push(`${note.id} ${r.resourceType}/${r.id}: ${i.expression?.[0]} ${i.diagnostics}`);
      }
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(200);
  });

  it('writes a Condition for every present or historical gold condition, with its attributes', () => {
    const misses: string[] = [];
    for (const { note, findings, out } of built) {
      const conditions = ofType<Condition>(out, 'Condition');
      for (const g of note.gold.conditions.filter((c) => c.assertion !== 'possible')) {
        const c = conditions.find((x) => codesOf(x.code).includes(keyCode(g.concept)));
        if (!c) { misses.push(`${note.id} missing ${g.concept}`); continue; }
        // the engine's assertion (not gold's) decides the status: historical → inactive
        const historical = sourceFindings(c, findings.filter((f) => f.concept === g.concept)).every((f) => f.assertion === 'historical');
        if (codesOf(c.clinicalStatus)[0] !== (historical ? 'inactive' : 'active')) misses.push(`${note.id} ${g.concept} clinicalStatus`);
        const a = g.attributes ?? {};
        const histology = c.extension?.find((e) => e.url.endsWith('mcode-histology-morphology-behavior'))?.valueCodeableConcept;
        if (a.histology && codesOf(histology)[0] !== rulesResources().coder.histology(a.histology)?.code?.code) misses.push(`${note.id} ${g.concept} histology`);
        if (a.laterality && codesOf(c.bodySite?.[0]?.extension?.[0]?.valueCodeableConcept)[0] !== rulesResources().coder.laterality(a.laterality)?.code?.code) misses.push(`${note.id} ${g.concept} laterality`);
        if (a.figo && codesOf(c.stage?.[0]?.summary)[0] !== rulesResources().coder.figoCode(a.figo)?.code) misses.push(`${note.id} ${g.concept} figo`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('never writes a negated, hypothetical or family mention as the patient\'s Condition', () => {
    const errors: string[] = [];
    for (const { note, out } of built) {
      const stated = new Set(note.gold.conditions.map((c) => c.concept));
      const written = new Set(ofType<Condition>(out, 'Condition').flatMap((c) => codesOf(c.code)));
      for (const n of note.gold.not_conditions) if (!stated.has(n.concept) && written.has(keyCode(n.concept))) errors.push(`${note.id} ${n.assertion} ${n.concept}`);
    }
    expect(errors).toEqual([]);
  });

  it('writes family mentions as FamilyMemberHistory of the named relative', () => {
    let family = 0;
    for (const { findings, out } of built) {
      const relatives = ofType<FamilyMemberHistory>(out, 'FamilyMemberHistory').map((f) => codesOf(f.relationship)[0]);
      const expected = [...new Set(findings.filter((f) => f.kind === 'family').map((f) => f.attributes.relationship?.key ?? 'FAMMEMB'))];
      expect(relatives.sort()).toEqual(expected.sort());
      family += relatives.length;
    }
    expect(family).toBeGreaterThanOrEqual(5);
  });

  it('writes every gold observation with its code, value and effective date', () => {
    const misses: string[] = [];
    const { coder, units } = rulesResources();
    for (const { note, findings, out } of built) {
      const observations = ofType<Observation>(out, 'Observation');
      for (const g of note.gold.observations) {
        const want = typeof g.value === 'number' ? (g.unit ? units.toPreferred(g.concept, g.value, g.unit) : g.value) : null;
        const hit = observations.find((o) => {
          if (!codesOf(o.code).includes(keyCode(g.concept))) return false;
          if (typeof g.value === 'string') {
            const code = g.concept === 'figo_stage' ? coder.figoCode(g.value)?.code : coder.variantAnswer(g.value as 'present' | 'absent').code;
            if (g.concept.endsWith('_variant') && !o.component?.some((c) => codesOf(c.valueCodeableConcept)[0] === coder.gene(g.concept)?.code?.code)) return false;
            return codesOf(o.valueCodeableConcept)[0] === code;
          }
          const got = o.valueQuantity?.value ?? o.valueInteger;
          return want !== null && got !== undefined && Math.abs(got - want) <= 0.01 * Math.max(Math.abs(want), 1e-9);
        });
        if (!hit) misses.push(`${note.id} ${g.concept} ${g.value}`);
        // the date the engine bound, else the note's (gold dates are the engine's business, scored by eval)
        else if (hit.effectiveDateTime !== (sourceFindings(hit, findings.filter((f) => f.concept === g.concept))[0]?.date ?? note.date)) misses.push(`${note.id} ${g.concept} effective ${hit.effectiveDateTime}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('the Provenance of each run targets exactly its resources and reads the note', () => {
    for (const { note, out } of built) {
      expect(out.provenance.target.map((t) => t.reference)).toEqual(
        out.resources.length ? out.resources.map((r) => `${r.resourceType}/${r.id}`) : [`DocumentReference/${note.id}`]);
      expect(out.provenance.entity?.[0].what.reference).toBe(`DocumentReference/${note.id}`);
    }
  });
});
