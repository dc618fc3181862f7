/** The review page's pure parts: evidence segmentation, quote location, FHIR reading, worklist grouping, chart scales. */
import type { Condition, FhirResource, Observation } from 'fhir/r4';
import { ca125Points } from '../../server/review/ui/app/chart-data';
import { timeScale, valueScale } from '../../server/review/ui/app/chart-scale';
import { formatDate, toFinding } from '../../server/review/ui/app/fhir-model';
import { locateQuote, segmentText } from '../../server/review/ui/app/segments';
import { verifyParameters } from '../../server/review/ui/app/verify';
import { worklistRows } from '../../server/review/ui/app/worklist-data';

const TAG = (code: string) => ({ tag: [{ system: 'https://twinfhir.org/fhir/CodeSystem/twinfhir', code }] });

describe('evidence spans', () => {
  test('overlapping spans split into runs that each know every finding covering them', () => {
    const segs = segmentText(20, [{ start: 2, end: 10, id: 'A' }, { start: 6, end: 14, id: 'B' }]);
    expect(segs).toEqual([
      { start: 0, end: 2, ids: [] }, { start: 2, end: 6, ids: ['A'] }, { start: 6, end: 10, ids: ['A', 'B'] },
      { start: 10, end: 14, ids: ['B'] }, { start: 14, end: 20, ids: [] },
    ]);
  });

  test('spans outside the text are ignored instead of corrupting the note', () => {
    expect(segmentText(5, [{ start: 3, end: 9, id: 'A' }, { start: -1, end: 2, id: 'B' }])).toEqual([{ start: 0, end: 5, ids: [] }]);
  });

  test('a quote is taken at its offset, else at the nearest occurrence, else reported missing', () => {
    const text = 'ascites here; no ascites there';
    expect(locateQuote(text, 'ascites', 17, 7)).toEqual({ start: 17, end: 24, exact: true });
    expect(locateQuote(text, 'ascites', 15, 7)).toEqual({ start: 17, end: 24, exact: false });
    expect(locateQuote(text, 'effusion', 0, 8)).toBeNull();
  });
});

describe('reading findings', () => {
  const condition: Condition = {
    resourceType: 'Condition', id: 'c1', meta: { versionId: '3', ...TAG('provisional') },
    extension: [{ url: 'https://twinfhir.org/fhir/StructureDefinition/nlp-evidence', extension: [
      { url: 'quote', valueString: 'ovarian cancer' }, { url: 'offset', valueInteger: 12 }, { url: 'length', valueInteger: 14 },
      { url: 'extractor', valueString: 'rules' }, { url: 'confidence', valueDecimal: 0.6 },
      { url: 'document', valueReference: { reference: 'DocumentReference/d1' } }] }],
    note: [{ text: 'NLP assertion: possible — the note states this as suspected, not established.' }],
    code: { coding: [{ system: 'http://snomed.info/sct', code: '363443007', display: 'Malignant tumor of ovary' }] },
    subject: { reference: 'Patient/p1' }, onsetDateTime: '2025-09-02',
  };

  test('nlp-evidence, state, assertion, document and version are read from the resource', () => {
    const f = toFinding(condition);
    expect(f).toMatchObject({
      ref: 'Condition/c1', version: '3', state: 'provisional', assertion: 'possible', display: 'Malignant tumor of ovary',
      confidence: 0.6, engine: 'rules', document: 'DocumentReference/d1', date: '2025-09-02',
      evidence: [{ quote: 'ovarian cancer', offset: 12, length: 14 }],
    });
  });

  test('the evidence assertion wins over the note and the clinical status', () => {
    const ext = condition.extension?.[0];
    const historical: Condition = {
      ...condition, note: undefined, clinicalStatus: { coding: [{ code: 'active' }] },
      extension: [{ ...ext!, extension: [...(ext?.extension ?? []), { url: 'assertion', valueCode: 'historical' }] }],
    };
    expect(toFinding(historical).assertion).toBe('historical');
    expect(toFinding(historical).evidence[0].assertion).toBe('historical');
  });

  test('a Condition without onset shows its recordedDate labelled "Recorded", never "Onset"', () => {
    const { onsetDateTime: _onset, ...noOnset } = condition;
    const recorded = toFinding({ ...noOnset, recordedDate: '2026-03-14' });
    expect([recorded.date, recorded.dateLabel]).toEqual(['2026-03-14', 'Recorded']);
    expect(toFinding(condition).dateLabel).toBe('Onset');
    expect(toFinding({ resourceType: 'Observation', status: 'preliminary', code: {}, effectiveDateTime: '2026-03-10' }).dateLabel).toBe('Date');
  });

  test('dates are shown without time-zone shifts', () => {
    expect(formatDate('2026-03-01')).toBe('1 Mar 2026');
    expect(formatDate('2025-09')).toBe('Sep 2025');
  });

  test('$verify Parameters carry decision, resource, a trimmed note and the reviewer', () => {
    const p = verifyParameters({ decision: 'amend', resource: condition, note: '  wrong side ', reviewer: { reference: 'Practitioner/x' } });
    expect(p.parameter?.map((x) => x.name)).toEqual(['decision', 'resource', 'note', 'reviewer']);
    expect(p.parameter?.[2].valueString).toBe('wrong side');
    expect(verifyParameters({ decision: 'confirm', note: ' ' }).parameter).toEqual([{ name: 'decision', valueCode: 'confirm' }]);
  });
});

describe('worklist', () => {
  test('pending findings are grouped per patient, longest waiting first', () => {
    const finding = (type: 'Condition' | 'Observation', patient: string, at: string) =>
      ({ resourceType: type, subject: { reference: `Patient/${patient}` }, meta: { lastUpdated: at } }) as FhirResource;
    const rows = worklistRows([
      finding('Condition', 'a', '2026-03-05T00:00:00Z'), finding('Observation', 'a', '2026-03-02T00:00:00Z'),
      finding('Condition', 'b', '2026-03-01T00:00:00Z'),
      { resourceType: 'Patient', id: 'a', name: [{ given: ['Ann'], family: 'Lee' }] },
    ]);
    expect(rows.map((r) => [r.patientId, r.name, r.conditions, r.observations, r.oldest])).toEqual([
      ['b', 'Patient/b', 1, 0, '2026-03-01T00:00:00Z'],
      ['a', 'Ann Lee', 1, 1, '2026-03-02T00:00:00Z'],
    ]);
  });
});

describe('CA-125 chart data', () => {
  const obs = (id: string, value: number, date: string, extra: Partial<Observation> = {}): Observation => ({
    resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '10334-1' }] },
    effectiveDateTime: date, valueQuantity: { value, code: 'U/mL', unit: 'U/mL' }, ...extra,
  });

  test('verified vs provisional, refuted left out, other units skipped, in time order', () => {
    const { points, skipped } = ca125Points([
      obs('3', 845, '2026-03-10', { status: 'preliminary', meta: TAG('provisional') }),
      obs('1', 1320, '2025-09-22'),
      obs('2', 99, '2025-12-01', { status: 'entered-in-error', meta: TAG('refuted') }),
      obs('4', 5, '2026-01-01', { valueQuantity: { value: 5, code: 'mg/dL' } }),
      obs('5', 58, '2026-02-01', { valueQuantity: { value: 58, code: 'kU/L' } }),
    ]);
    expect(points.map((p) => [p.ref, p.value, p.verified])).toEqual([
      ['Observation/1', 1320, true], ['Observation/5', 58, true], ['Observation/3', 845, false],
    ]);
    expect(skipped).toBe(1);
  });

  test('value axis starts at 0 and covers the largest point and the reference line with round ticks', () => {
    const y = valueScale([845, 1320], 35, 200, 0);
    expect(y.ticks[0]).toBe(0);
    expect(y.max).toBeGreaterThanOrEqual(1320);
    expect(y.ticks.every((t) => t % 100 === 0)).toBe(true);
    expect(y.at(0)).toBe(200);
    expect(y.at(y.max)).toBe(0);
  });

  test('a single point gets a padded time axis instead of a zero-width one', () => {
    const t = Date.parse('2026-03-10');
    const x = timeScale([t], 0, 100);
    expect(x.max - x.min).toBeGreaterThan(0);
    expect(x.at(t)).toBeCloseTo(50, 5);
  });
});
