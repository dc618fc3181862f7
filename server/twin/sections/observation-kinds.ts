/** Which twin section an Observation belongs to, decided by its code and category. */
import type { Observation } from 'fhir/r4';
import { LOINC } from '../../core/canonical-urls';
import { ECOG, GENE_STUDIED, GENOMICS_CODES, OBSERVATION_CATEGORY, STAGING_CODES, TUMOR_MARKERS, hasCoding } from '../codes';

export type ObservationKind = 'tumor-marker' | 'staging' | 'genomics' | 'functional-status' | 'vital-signs' | 'result';

/** The tumor marker an Observation measures (e.g. 'CA-125'), if any. */
export function markerName(o: Observation): string | undefined {
  return TUMOR_MARKERS.find((m) => hasCoding(o.code, LOINC, m.loinc))?.name;
}

const isStaging = (o: Observation): boolean =>
  (o.code.coding ?? []).some((c) => STAGING_CODES.some((s) => s.system === c.system && s.code === c.code));

const isGenomics = (o: Observation): boolean =>
  hasCoding(o.code, LOINC, GENOMICS_CODES) || (o.component ?? []).some((c) => hasCoding(c.code, LOINC, [GENE_STUDIED]));

const isVitalSign = (o: Observation): boolean =>
  (o.category ?? []).some((cat) => hasCoding(cat, OBSERVATION_CATEGORY, ['vital-signs']));

export function observationKind(o: Observation): ObservationKind {
  if (markerName(o)) return 'tumor-marker';
  if (isStaging(o)) return 'staging';
  if (isGenomics(o)) return 'genomics';
  if (hasCoding(o.code, LOINC, [ECOG])) return 'functional-status';
  if (isVitalSign(o)) return 'vital-signs';
  return 'result';
}
