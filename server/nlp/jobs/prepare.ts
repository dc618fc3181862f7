/**
 * Phase 1 of an extraction run, outside any transaction: read the document and its text, run the engine,
 * keep only grounded findings, build and validate the provisional resources. Nothing is written here.
 */
import type { Binary, DocumentReference, Patient, Reference, Resource } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import { loadNoteText, type NoteText } from '../attachment';
import { PermanentExtractionError } from '../errors';
import type { Finding, Language } from '../finding';
import { buildFindingResources, type FindingResources } from '../fhir';
import { groundFindings } from '../grounding';
import { maskIdentifiers } from '../masking';
import type { ExtractionServices } from './services';
import { documentPatient } from './task';

export interface PreparedExtraction {
  document: DocumentReference & { id: string };
  documentVersion: number;
  patient: Reference;
  built: FindingResources;
  findings: Finding[];
}

async function readLive<T extends Resource>(s: ExtractionServices, ctx: AccessContext, type: string, id: string): Promise<{ resource: T & { id: string }; version: number } | null> {
  const stored = await s.store.read(ctx, type, id);
  if (!stored || stored.deleted || !stored.resource) return null;
  return { resource: stored.resource as T & { id: string }, version: stored.versionId };
}

function languageOf(note: NoteText): Language | undefined {
  const l = note.language?.toLowerCase().slice(0, 2);
  return l === 'en' || l === 'de' ? l : undefined;
}

/** The document's clinical date (YYYY-MM-DD) for partial and relative dates in the note. */
function documentDate(doc: DocumentReference): string | undefined {
  const d = doc.context?.period?.start ?? doc.date;
  return d ? d.slice(0, 10) : undefined;
}

/** Offsets found in the engine's text → offsets in the source document (HTML); quotes from the unmasked text. */
function toSource(f: Finding, note: NoteText): Finding {
  const quote = note.text.slice(f.offset, f.offset + f.length);
  const start = note.sourceOffset(f.offset);
  const end = note.sourceOffset(f.offset + f.length - 1) + 1;
  return { ...f, quote, offset: start, length: Math.max(1, end - start) };
}

export async function prepareExtraction(s: ExtractionServices, ctx: AccessContext, documentId: string): Promise<PreparedExtraction> {
  const doc = await readLive<DocumentReference>(s, ctx, 'DocumentReference', documentId);
  if (!doc) throw new PermanentExtractionError(`DocumentReference/${documentId} does not exist or was deleted`);
  const patientRef = documentPatient(doc.resource);
  if (!patientRef?.reference) throw new PermanentExtractionError('The DocumentReference has no Patient subject: findings need a patient');
  const patient = await readLive<Patient>(s, ctx, 'Patient', patientRef.reference.slice('Patient/'.length));
  if (!patient) throw new PermanentExtractionError(`The document's subject ${patientRef.reference} does not exist`);

  const loadBinary = async (id: string): Promise<Binary | null> => (await readLive<Binary>(s, ctx, 'Binary', id))?.resource ?? null;
  const note = await loadNoteText(doc.resource, loadBinary, { baseUrl: s.baseUrl, pdfText: s.pdfText });
  const engineText = s.maskIdentifiers ? maskIdentifiers(note.text, patient.resource).text : note.text;

  const { extractor, coder } = await s.engine.current();
  const engine = extractor.name;
  const diagnostics = { dropped: (e: string, reason: string, n = 1): void => { s.metrics.dropped.inc({ engine: e, reason }, n); } };
  const started = performance.now();
  const raw = await extractor.extract({
    text: engineText, language: languageOf(note), documentDate: documentDate(doc.resource),
    diagnostics,
  });
  s.metrics.engineSeconds.observe({ engine }, (performance.now() - started) / 1000);

  // The hallucination guard: every engine's quotes must be found in the text the engine read.
  const grounded = groundFindings(engineText, raw);
  for (const [reason, n] of Object.entries(grounded.dropped)) if (n) s.metrics.dropped.inc({ engine, reason }, n);
  const findings = grounded.kept.map((f) => toSource(f, note));

  const built = buildFindingResources({
    findings, document: doc.resource, patient: patientRef, coder, newId: () => s.ids.newId(), diagnostics,
    run: { engine, version: extractor.version, model: extractor.model, promptVersion: extractor.promptVersion, recorded: s.clock.now().toISOString() },
    documentDate: documentDate(doc.resource),
  });
  return { document: doc.resource, documentVersion: doc.version, patient: patientRef, built: validated(s, built), findings };
}

/** Drops (and counts) any built resource our own profiles reject: never write what we cannot vouch for. */
function validated(s: ExtractionServices, built: FindingResources): FindingResources {
  const engine = s.engine.name;
  const ok = built.resources.filter((r) => {
    const errors = s.validator.validate(r).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    if (errors.length) s.metrics.dropped.inc({ engine, reason: 'invalid-resource' });
    return errors.length === 0;
  });
  if (ok.length === built.resources.length) return built;
  const keep = new Set(ok.map((r) => `${r.resourceType}/${r.id ?? ''}`));
  const target = built.provenance.target.filter((t) => keep.has(t.reference ?? ''));
  return { ...built, resources: ok, provenance: { ...built.provenance, target } };
}
