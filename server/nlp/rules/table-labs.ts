/** Lab tables → dated lab values: one per cell, the row (or column) analyte from the dictionary, the date from its column (or row). */
import { findTables, roleOfHeader, type Table, type TableRow } from '../text/table-layout';
import type { GridCell } from '../text/table-grid';
import type { NoteAnalysis } from './analysis';
import type { LabValue } from './labs';
import type { Match } from './matcher';
import type { EcogMention } from './staging';
import { decimalStyle, readCell, type CellValue, type DecimalStyle } from './table-cells';
import type { UnitConverter } from './units';

export interface TableLabResult {
  values: LabValue[];
  /** Spans (rows, headers) the table reader owns: the prose lab reader skips analytes inside them. */
  owned: Array<[number, number]>;
  /** ECOG scores from a table column or row headed "ECOG" / "PS" (no unit, not a lab analyte). */
  ecog: EcogMention[];
}

/** A header or row label that names the performance status. */
const ECOG_HEADER = /^(?:ECOG(?:[\s-]*PS)?|WHO[\s-]*PS|PS)$/i;

const BRACKET_UNIT = /[([]\s*([^()[\]\d\s][^()[\]]{0,14}?)\s*[)\]]/;

interface Analyte { concept: string; tok: number; unit: string | null; end: number }

export class TableLabReader {
  private readonly out: LabValue[] = [];
  private readonly owned: Array<[number, number]> = [];
  private readonly ecog: EcogMention[] = [];

  /** A cell holding a bare score 0–5 under an ECOG header. */
  private ecogCell(cell: GridCell, date: string | undefined): void {
    const m = /^\s*([0-5])\s*$/.exec(cell.text);
    if (!m) return;
    const at = cell.start + cell.text.indexOf(m[1]);
    this.ecog.push({ value: Number(m[1]), start: cell.start, end: cell.end, valueStart: at, valueEnd: at + 1, ...(date ? { date } : {}) });
  }

  constructor(private readonly a: NoteAnalysis, private readonly units: UnitConverter) {}

  /** The analyte named inside a label or header cell, and a unit written with it ("Hb (g/dl)", "CA 125 [U/ml]", "Leukozyten /nl"). */
  private analyteIn(cell: GridCell | undefined): Analyte | null {
    if (!cell) return null;
    const m = this.firstAnalyteIn(cell.start, cell.end);
    const entry = m?.entries.find((e) => e.key !== '');
    if (!m || !entry) return null;
    const rest = this.a.text.slice(m.end, cell.end);
    const bracket = BRACKET_UNIT.exec(rest);
    const written = bracket ? bracket[1] : rest.replace(/^[\s,:-]+/, '').trim();
    const unit = written ? this.unitOf(written) : null;
    return { concept: entry.key, tok: m.startTok, unit, end: m.end };
  }

  /** The first analyte match inside [start, end): binary search over the matches, sorted by position. */
  private firstAnalyteIn(start: number, end: number): Match | undefined {
    const list = this.a.matches.analyte;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].start < start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length && list[i].start < end; i++) if (list[i].end <= end) return list[i];
    return undefined;
  }

  /** The cell's value in the concept's preferred unit: the unit written in the cell, the row's, or an assumed one in range. */
  private normalize(concept: string, v: CellValue, rowUnit: string | null): { ucum: string; normalized: number; assumed: boolean } | null {
    const rule = this.units.rule(concept);
    if (!rule) return null;
    const inRange = (x: number | null): x is number => x !== null && x >= rule.range[0] && x <= rule.range[1];
    const stated = v.ucum ?? rowUnit;
    if (stated) {
      const n = this.units.toPreferred(concept, v.value, stated);
      return inRange(n) ? { ucum: stated, normalized: n, assumed: false } : null;
    }
    for (const ucum of [rule.unit, ...(rule.assumeAlternates ?? [])]) {
      const n = this.units.toPreferred(concept, v.value, ucum);
      if (inRange(n)) return { ucum, normalized: n, assumed: true };
    }
    return null;
  }

  /**
   * The evidence is the cell's own span ("10,4 L"): each cell of a row points at itself, and the row label is one
   * line away at most (the Observation's code names the analyte).
   */
  private push(an: Analyte, cell: GridCell, v: CellValue, rowUnit: string | null, date: string | undefined): void {
    const u = this.normalize(an.concept, v, rowUnit);
    if (!u) return;
    this.out.push({
      concept: an.concept, value: v.value, ...(v.comparator ? { comparator: v.comparator } : {}), ucum: u.ucum,
      ...(v.unitText ? { unitText: v.unitText } : {}), valueText: this.a.text.slice(v.numberStart, v.numberEnd).trim(),
      normalized: u.normalized, assumedUnit: u.assumed, valueStart: cell.start, valueEnd: cell.end,
      quoteStart: cell.start, quoteEnd: cell.end, analyteTok: an.tok, continuation: true,
      ...(date ? { date } : {}), ...(v.flag ? { flag: v.flag } : {}), table: true,
    });
  }

  private unitOf(written: string): string | null {
    return this.units.lookup(written) ?? this.units.parseAt(written, 0)?.ucum ?? null;
  }

  private unitColumnOf(t: Table, row: TableRow): string | null {
    const ref = row.cells.find((c) => t.columns[c.column]?.role === 'unit');
    return ref ? this.unitOf(ref.cell.text) : null;
  }

  /** One analyte per row, one date per column; only value columns are read (never the reference range). */
  private byColumns(t: Table, style: DecimalStyle): void {
    for (const row of t.rows) {
      const label = row.label ?? row.cells.find((c) => c.column === 0)?.cell;
      if (label && ECOG_HEADER.test(label.text.trim())) {
        for (const { cell, column } of row.cells) if (column > 0 && t.columns[column]?.role === 'value') this.ecogCell(cell, t.columns[column].date);
        this.owned.push([row.start, row.end]);
        continue;
      }
      const an = this.analyteIn(label) ?? this.analyteIn(row.above);
      if (!an) continue;
      const unit = an.unit ?? this.unitColumnOf(t, row);
      const before = this.out.length;
      for (const { cell, column } of row.cells) {
        const col = t.columns[column];
        if (column === 0 || col?.role !== 'value') continue;
        const v = readCell(this.a.text, cell.start, cell.end, style, this.units);
        if (v) this.push(an, cell, v, unit, col.date);
      }
      // a row the table reader could not read stays with the prose reader
      if (this.out.length > before) this.owned.push([row.start, row.end]);
    }
  }

  /** The transposed layout: analytes across the header, one date per row in the first column. */
  private byRows(t: Table, style: DecimalStyle): void {
    const analytes = t.columns.map((c) => {
      const an = c.header ? this.analyteIn(c.header) : null;
      return an && !an.unit && c.unit ? { ...an, unit: this.unitOf(c.unit.text) } : an;
    });
    const ecogColumn = t.columns.findIndex((c) => c.header !== undefined && ECOG_HEADER.test(c.header.text.trim()));
    if (!analytes.some(Boolean) && ecogColumn < 0) return;
    for (const row of t.rows) {
      // "Referenz | < 35 | < 140": the reference (or unit) row under the dated rows holds no measurement
      if (!row.date && row.label && ['reference', 'unit'].includes(roleOfHeader(row.label.text))) continue;
      const date = row.date;
      const before = this.out.length;
      for (const { cell, column } of row.cells) {
        if (column === ecogColumn && column > 0) this.ecogCell(cell, date);
        const an = analytes[column];
        if (column === 0 || !an) continue;
        const v = readCell(this.a.text, cell.start, cell.end, style, this.units);
        if (v) this.push(an, cell, v, an.unit, date);
      }
      if (this.out.length > before) this.owned.push([row.start, row.end], [t.header.start, t.header.end]);
    }
  }

  run(): TableLabResult {
    for (const t of findTables(this.a.text, { language: this.a.language, documentDate: this.a.documentDate })) {
      const style = decimalStyle(t.rows.flatMap((r) => r.cells.filter((c) => t.columns[c.column]?.role === 'value').map((c) => c.cell.text)), this.a.language);
      if (t.orientation === 'rows') this.byRows(t, style);
      else this.byColumns(t, style);
    }
    return { values: this.out, owned: this.owned, ecog: this.ecog };
  }
}
