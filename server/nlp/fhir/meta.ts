/** Shared parts of every NLP-written resource: canonicals, the provisional meta, the nlp-evidence extension, codings. */
import type { CodeableConcept, Coding, Extension, Meta, Reference } from 'fhir/r4';
import { AI_ASSERTED, NLP_EVIDENCE_URL, SNOMED, TWINFHIR_CODESYSTEM } from '../../core/canonical-urls';
import type { Code, Finding } from '../finding';
import type { ExtractionRun } from './types';


/** SNOMED CT 254386003, the FIGO staging system (under 254292007 Tumor staging): Condition.stage.type and the stage Observation's method. */
export const FIGO_STAGING_SYSTEM: Code = { system: SNOMED, code: '254386003' };

/** The review-state tag every finding starts with (DESIGN.md §4); review swaps it for verified/refuted. */
export const PROVISIONAL_TAG: Coding = { system: TWINFHIR_CODESYSTEM, code: 'provisional', display: 'Provisional (unreviewed NLP finding)' };

/** meta of a provisional finding; `profile` only where the resource really conforms to one of ours. */
export function provisionalMeta(profile?: string): Meta {
  return { ...(profile ? { profile: [profile] } : {}), security: [{ ...AI_ASSERTED }], tag: [{ ...PROVISIONAL_TAG }] };
}

/** The extractor named in the evidence: run engine/version, plus the sub-engine when a hybrid run used another one. */
export function extractorLabel(f: Finding, run: ExtractionRun): string {
  const base = `${run.engine}/${run.version}`;
  return f.engine && f.engine !== run.engine ? `${base} (${f.engine})` : base;
}

/** Confidence as the profile allows it (0..1), rounded so engines' float noise does not reach the record. */
function confidenceOf(f: Finding): number {
  const c = Number.isFinite(f.confidence) ? f.confidence : 0;
  return Math.round(Math.min(1, Math.max(0, c)) * 1000) / 1000;
}

/** One nlp-evidence extension: the quoted span of the note, extractor, confidence and the note itself. */
export function evidenceExtension(f: Finding, run: ExtractionRun, document: Reference): Extension {
  return {
    url: NLP_EVIDENCE_URL,
    extension: [
      { url: 'quote', valueString: f.quote },
      { url: 'offset', valueInteger: f.offset },
      { url: 'length', valueInteger: f.length },
      { url: 'extractor', valueString: extractorLabel(f, run) },
      { url: 'confidence', valueDecimal: confidenceOf(f) },
      { url: 'assertion', valueCode: f.assertion },
      { url: 'document', valueReference: { ...document } },
    ],
  };
}

export function toCoding(c: Code): Coding {
  return { system: c.system, ...(c.version ? { version: c.version } : {}), code: c.code, ...(c.display ? { display: c.display } : {}) };
}

export function concept(codes: Code[], text?: string): CodeableConcept {
  return { coding: codes.map(toCoding), ...(text ? { text } : {}) };
}

export const reference = (type: string, id: string, display?: string): Reference =>
  ({ reference: `${type}/${id}`, ...(display ? { display } : {}) });

/** A finding's own date when it is a valid FHIR date (YYYY, YYYY-MM or YYYY-MM-DD). */
export function findingDate(f: Finding): string | undefined {
  return f.date && /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/.test(f.date) ? f.date : undefined;
}
