/** CA-125 Observations → chart points in U/mL (verified or provisional). Pure (no DOM). */
import type { Observation } from 'fhir/r4';
import type { ChartPoint } from './chart-scale';
import { findingDate, formatDate, reviewState } from './fhir-model';

/** Commonly used upper reference limit of serum CA-125. */
export const UPPER_LIMIT = 35;
// 1 kU/L = 1000 U/L = 1 U/mL: the same quantity written two ways.
const SAME_AS_U_PER_ML = new Set(['U/mL', 'U/ml', 'kU/L', 'kU/l']);

/** Points of CA-125 Observations in U/mL; refuted / entered-in-error ones are left out. */
export function ca125Points(observations: Observation[]): { points: ChartPoint[]; skipped: number } {
  const points: ChartPoint[] = [];
  let skipped = 0;
  for (const o of observations) {
    const q = o.valueQuantity;
    const date = findingDate(o);
    if (o.status === 'entered-in-error' || o.status === 'cancelled' || reviewState(o.meta) === 'refuted') continue;
    if (q?.value === undefined || !date || !SAME_AS_U_PER_ML.has(q.code ?? q.unit ?? '')) {
      skipped++;
      continue;
    }
    const verified = reviewState(o.meta) !== 'provisional' && o.status !== 'preliminary';
    points.push({ ref: `Observation/${o.id ?? ''}`, time: Date.parse(date), value: q.value, verified, label: `${formatDate(date)}: ${q.value} U/mL (${verified ? 'verified' : 'provisional'})` });
  }
  points.sort((a, b) => a.time - b.time);
  return { points, skipped };
}
