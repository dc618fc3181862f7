/** Pure assembly of a patient's Digital Twin Composition from the data read for it (no I/O). */
import type { Composition, CompositionSection, DocumentReference, HumanName, Observation, Patient, Reference, Resource } from 'fhir/r4';
import { TWIN_IDENTIFIER_SYSTEM, TWIN_PROFILE } from '../core/canonical-urls';
import { SECTION_ORDER, type SectionKey, TWIN_TYPE, SECTIONS } from './codes';
import { sortByDate } from './fhir-values';
import { div, labelled, para, table } from './narrative';
import type { PatientData } from './patient-data';
import { isProvisional, isWithdrawn } from './review-state';
import { problemListSection, provisionalSection } from './sections/findings';
import { observationKind, type ObservationKind } from './sections/observation-kinds';
import { functionalStatusSection, summarySection } from './sections/observations';
import { genomicsSection, stagingSection, tumorMarkerSection } from './sections/oncology';
import { type SectionContent, toSection } from './sections/section';
import { documentsSection } from './sections/documents';
import { allergySection, immunizationSection, medicationSection, procedureSection } from './sections/treatments';
import { twinIdFor } from './twin-id';

export interface AssembleOptions {
  /** Composition.date. */
  now: Date;
  /** The server's twin-builder Device. */
  author: Reference;
}

export function patientName(p: Patient): string {
  const n: HumanName | undefined = p.name?.find((x) => x.use === 'official') ?? p.name?.[0];
  const text = n?.text ?? [...(n?.prefix ?? []), ...(n?.given ?? []), n?.family ?? ''].join(' ').trim();
  return text || `Patient ${p.id ?? ''}`;
}

/** Verified and recorded Observations (provisional and withdrawn ones left out), by section. */
function observationsByKind(observations: readonly Observation[]): Map<ObservationKind, Observation[]> {
  const out = new Map<ObservationKind, Observation[]>();
  for (const o of sortByDate(observations.filter((x) => !isWithdrawn(x) && !isProvisional(x)))) {
    const k = observationKind(o);
    const list = out.get(k);
    if (list) list.push(o);
    else out.set(k, [o]);
  }
  return out;
}

function sectionContents(data: PatientData): SectionContent[] {
  const docs = sortByDate(data.documents.filter((d) => !isWithdrawn(d)));
  const docMap = new Map<string, DocumentReference>(docs.map((d) => [`DocumentReference/${d.id ?? ''}`, d]));
  const obs = observationsByKind(data.observations);
  const kind = (k: ObservationKind): Observation[] => obs.get(k) ?? [];
  const live = <T extends Resource>(xs: readonly T[]): T[] => xs.filter((x) => !isWithdrawn(x));
  const problems = problemListSection(data.conditions, docMap);
  const provisional = provisionalSection(data.conditions, data.observations, docMap);
  const byKey: Record<SectionKey, SectionContent> = {
    problems,
    provisional,
    staging: stagingSection(kind('staging'), docMap),
    'tumor-markers': tumorMarkerSection(kind('tumor-marker')),
    genomics: genomicsSection(kind('genomics')),
    'functional-status': functionalStatusSection(kind('functional-status')),
    medications: medicationSection(sortByDate([...live(data.medicationRequests), ...live(data.medicationStatements)]), data.medications),
    procedures: procedureSection(sortByDate(live(data.procedures))),
    results: summarySection('results', kind('result')),
    'vital-signs': summarySection('vital-signs', kind('vital-signs')),
    immunizations: immunizationSection(sortByDate(live(data.immunizations))),
    allergies: allergySection(sortByDate(live(data.allergies))),
    documents: documentsSection(docs, live([...data.conditions, ...data.observations])),
  };
  return SECTION_ORDER.map((k) => byKey[k]);
}

function overview(name: string, contents: SectionContent[], provisionalCount: number): string {
  const status = provisionalCount > 0
    ? `Preliminary: ${provisionalCount} provisional finding(s) await clinician review.`
    : 'Final: every finding shown has been recorded or verified by clinicians.';
  return div([
    para(`Digital Twin of ${name}, assembled by TwinFHIR from the data the server holds.`),
    labelled('Status:', status),
    table({ headers: ['Section', 'Entries'], rows: contents.map((c) => [SECTIONS[c.key].title, String(c.entries.length)]) }),
  ]);
}

/** The twin Composition; the same data always gives the same content (only `date` differs). */
export function assembleTwin(data: PatientData, opts: AssembleOptions): Composition & { id: string } {
  const contents = sectionContents(data);
  const sections: CompositionSection[] = contents.map(toSection);
  const provisionalCount = contents.find((c) => c.key === 'provisional')?.entries.length ?? 0;
  const name = patientName(data.patient);
  return {
    resourceType: 'Composition',
    id: twinIdFor(data.patient.id),
    meta: { profile: [TWIN_PROFILE] },
    text: { status: 'generated', div: overview(name, contents, provisionalCount) },
    identifier: { system: TWIN_IDENTIFIER_SYSTEM, value: data.patient.id },
    status: provisionalCount > 0 ? 'preliminary' : 'final',
    type: structuredClone(TWIN_TYPE),
    subject: { reference: `Patient/${data.patient.id}`, display: name },
    date: opts.now.toISOString(),
    author: [{ ...opts.author }],
    title: `Digital Twin: ${name}`,
    section: sections,
  };
}
