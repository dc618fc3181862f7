/**
 * Phase 2 of an extraction run, inside one transaction: replace the document's unreviewed findings with
 * this run's, and write the engine's Device and the run's Provenance (the store runs the write hooks for
 * each). Reviewed findings (tag verified/refuted) are never touched, and a finding a clinician already
 * decided on is not proposed again.
 */
import type { Extension, Provenance, Resource } from 'fhir/r4';
import { type AccessContext, asOrigin } from '../../core/access-context';
import { NLP_EVIDENCE_URL, TWINFHIR_CODESYSTEM } from '../../core/canonical-urls';
import type { StoreWriter, StoredResource } from '../../store/types';
import type { PreparedExtraction } from './prepare';
import type { ExtractionServices, Written } from './services';
import { searchAll } from './store-search';
import { documentRef } from './task';


const tagOf = (r: Resource): string | undefined =>
  r.meta?.tag?.find((t) => t.system === TWINFHIR_CODESYSTEM && ['provisional', 'verified', 'refuted'].includes(t.code ?? ''))?.code;

/**
 * Where in the note a finding was read (type + evidence span): a clinician may amend the code, so "the same
 * finding" across runs is the same kind of resource quoting the same span.
 */
function spans(r: Resource): string[] {
  const rec = r as Resource & { extension?: Extension[] };
  return (rec.extension ?? []).filter((e) => e.url === NLP_EVIDENCE_URL).map((ev) => {
    const part = (url: string): number => ev.extension?.find((e) => e.url === url)?.valueInteger ?? -1;
    return `${r.resourceType}|${part('offset')}|${part('length')}`;
  });
}

/** Current versions of every resource earlier extraction runs wrote from this document. */
async function earlierFindings(tx: StoreWriter, s: ExtractionServices, ctx: AccessContext, documentId: string): Promise<Written[]> {
  const runs = await searchAll<Provenance>(tx, ctx, s.registry, 'Provenance', [['entity', documentRef(documentId)]]);
  const refs = new Set(runs.filter((p) => p.agent.some((a) => a.who?.reference?.startsWith('Device/')))
    .flatMap((p) => p.target.map((t) => t.reference ?? '').filter((r) => /^(Condition|Observation|FamilyMemberHistory)\/[^/]+$/.test(r))));
  const out: Written[] = [];
  for (const ref of refs) {
    const [type, id] = ref.split('/');
    const stored = await tx.read(ctx, type, id);
    if (stored && !stored.deleted && stored.resource) out.push(stored.resource as Written);
  }
  return out;
}

/** Writes the run; returns what was written (findings first, then the Provenance). */
export async function writeExtraction(tx: StoreWriter, s: ExtractionServices, callerCtx: AccessContext, run: PreparedExtraction): Promise<StoredResource[]> {
  // Marked so the review guard lets this run create provisional findings and replace unreviewed ones.
  const ctx = asOrigin(callerCtx, 'nlp-extraction');
  const earlier = await earlierFindings(tx, s, ctx, run.document.id);
  const decided = new Set(earlier.filter((r) => tagOf(r) !== 'provisional').flatMap(spans));
  for (const r of earlier.filter((x) => tagOf(x) === 'provisional')) await tx.delete(ctx, r.resourceType, r.id);
  const fresh = run.built.resources.filter((r) => !spans(r).some((sp) => decided.has(sp))) as Written[];
  if (!fresh.length) return [];
  const device = run.built.device as Written;
  const existing = await tx.read(ctx, 'Device', device.id);
  if (!existing || existing.deleted) await tx.update(ctx, device);
  const keep = new Set(fresh.map((r) => `${r.resourceType}/${r.id}`));
  const provenance = { ...run.built.provenance, target: run.built.provenance.target.filter((t) => keep.has(t.reference ?? '')) } as Written;
  const stored = await tx.createMany(ctx, [...fresh, provenance]);
  for (const r of fresh) s.metrics.findings.inc({ engine: s.engine.name, kind: r.resourceType });
  return stored;
}
