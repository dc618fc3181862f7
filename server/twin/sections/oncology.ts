/** Cancer staging (latest FIGO stage and its source), tumor marker series by date, and genomic variant assessments. */
import type { DocumentReference, Observation, ObservationComponent } from 'fhir/r4';
import { LOINC } from '../../core/canonical-urls';
import { GENE_STUDIED, TUMOR_MARKERS, hasCoding } from '../codes';
import { clinicalDate, conceptText, dateOnly, observationValue, valueText } from '../fhir-values';
import { labelled, table } from '../narrative';
import { reviewState } from '../review-state';
import { markerName } from './observation-kinds';
import { noteOnVerified } from './findings';
import type { SectionContent } from './section';
import { sourceText } from './sources';

const when = (o: Observation): string => dateOnly(clinicalDate(o));
const verification = (o: Observation): string => (reviewState(o) === 'verified' ? 'verified NLP finding' : o.status);

/** `stages` sorted by date: the last one is the current stage. */
export function stagingSection(stages: readonly Observation[], docs: ReadonlyMap<string, DocumentReference>): SectionContent {
  const latest = stages[stages.length - 1];
  const narrative = latest
    ? [
      noteOnVerified(),
      labelled('Current stage:', `${observationValue(latest) || conceptText(latest.code)} (${when(latest) || 'date unknown'})`),
      labelled('Source:', sourceText(latest, docs)),
      table({
        caption: 'Staging history',
        headers: ['Date', 'Stage', 'Staging system', 'Status', 'Source'],
        rows: stages.map((o) => [when(o), observationValue(o), conceptText(o.method) || conceptText(o.code), verification(o), sourceText(o, docs)]),
      }),
    ]
    : [];
  return { key: 'staging', entries: [...stages], narrative, emptyText: 'No verified cancer stage is recorded.', byDate: true };
}

/** `markers` sorted by date; one table per marker (CA-125 first), each a series of dates and values. */
export function tumorMarkerSection(markers: readonly Observation[]): SectionContent {
  const narrative = [noteOnVerified()];
  for (const m of TUMOR_MARKERS) {
    const series = markers.filter((o) => markerName(o) === m.name);
    if (series.length === 0) continue;
    narrative.push(table({
      caption: `${m.name} (LOINC ${m.loinc.join(', ')}): ${series.length} result(s)`,
      headers: ['Date', 'Value', 'Status'],
      rows: series.map((o) => [when(o), observationValue(o), verification(o)]),
    }));
  }
  return { key: 'tumor-markers', entries: [...markers], narrative, emptyText: 'No verified tumor marker results are recorded.', byDate: true };
}

const geneOf = (o: Observation): string =>
  conceptText((o.component ?? []).find((c) => hasCoding(c.code, LOINC, [GENE_STUDIED]))?.valueCodeableConcept);

const otherComponents = (o: Observation): ObservationComponent[] =>
  (o.component ?? []).filter((c) => !hasCoding(c.code, LOINC, [GENE_STUDIED]));

/** `variants` sorted by date: gene, result (present/absent) and any further variant details. */
export function genomicsSection(variants: readonly Observation[]): SectionContent {
  const rows = variants.map((o) => [
    geneOf(o) || conceptText(o.code),
    valueText(o) || conceptText(o.interpretation?.[0]),
    otherComponents(o).map((c) => `${conceptText(c.code)}: ${valueText(c)}`).join('; '),
    when(o),
    verification(o),
  ]);
  return {
    key: 'genomics',
    entries: [...variants],
    narrative: [noteOnVerified(), table({ headers: ['Gene', 'Result', 'Details', 'Date', 'Status'], rows })],
    emptyText: 'No verified genomic findings are recorded.',
  };
}
