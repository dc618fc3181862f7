/** Results and vital signs (latest value per test, every result an entry) and functional status (ECOG series). */
import type { Observation } from 'fhir/r4';
import type { SectionKey } from '../codes';
import { clinicalDate, conceptText, dateOnly, observationValue } from '../fhir-values';
import { labelled, table } from '../narrative';
import type { SectionContent } from './section';

/** One row per test: its name, latest value and date, and how many results there are. */
function latestPerTest(observations: readonly Observation[]): string[][] {
  const byTest = new Map<string, { name: string; latest: Observation; count: number }>();
  for (const o of observations) {
    const c = o.code.coding?.[0];
    const key = c ? `${c.system ?? ''}|${c.code ?? ''}` : conceptText(o.code);
    const seen = byTest.get(key);
    // input is sorted by date, so the last one seen is the latest
    byTest.set(key, { name: conceptText(o.code), latest: o, count: (seen?.count ?? 0) + 1 });
  }
  return [...byTest.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => [t.name, observationValue(t.latest), dateOnly(clinicalDate(t.latest)), String(t.count)]);
}

/** `observations` sorted by date. */
export function summarySection(key: Extract<SectionKey, 'results' | 'vital-signs'>, observations: readonly Observation[]): SectionContent {
  const what = key === 'results' ? 'results' : 'vital signs';
  return {
    key,
    entries: [...observations],
    narrative: [table({ caption: `Latest ${what} per test`, headers: ['Test', 'Latest value', 'Date', 'Results'], rows: latestPerTest(observations) })],
    emptyText: `No ${what} are recorded.`,
    byDate: true,
  };
}

/** ECOG performance status over time, `scores` sorted by date. */
export function functionalStatusSection(scores: readonly Observation[]): SectionContent {
  const latest = scores[scores.length - 1];
  return {
    key: 'functional-status',
    entries: [...scores],
    narrative: latest
      ? [
        labelled('Latest ECOG performance status:', `${observationValue(latest)} (${dateOnly(clinicalDate(latest)) || 'date unknown'})`),
        table({ headers: ['Date', 'Assessment', 'Score', 'Status'], rows: scores.map((o) => [dateOnly(clinicalDate(o)), conceptText(o.code), observationValue(o), o.status]) }),
      ]
      : [],
    emptyText: 'No verified functional status assessment is recorded.',
    byDate: true,
  };
}
