/** Reads a grid as a table: header rows (dates, unit/reference/flag columns), then each row's cells under their column. */
import type { Language } from '../finding';
import { slashOrderEvidence } from './dates';
import { nearerDayFirst } from './date-order';
import { parseHeaderDate, parseLabelledHeaderDate, slashOrder } from './table-dates';
import { findGrids, type Grid, type GridCell, type GridLine, type TableKind } from './table-grid';
import { dataLineAfter, roleOfHeader, sideColumns, timesLine, unitsLine, type ColumnRole } from './table-sublines';

export { roleOfHeader, type ColumnRole };


export interface TableColumn {
  role: ColumnRole;
  /** A unit written under the header ("Hb" over "g/L"). */
  unit?: GridCell;
  /** ISO date of a date column. */
  date?: string;
  header?: GridCell;
}

export interface TableCellRef {
  cell: GridCell;
  column: number;
}

export interface TableRow {
  start: number;
  end: number;
  /** A wrapped label on the line above the row. */
  above?: GridCell;
  /** The date in the first cell of a transposed table's row. */
  date?: string;
  /** The row's first cell when it sits in the label column. */
  label?: GridCell;
  cells: TableCellRef[];
}

export interface Table {
  kind: TableKind;
  /** 'columns': one column per date; 'rows': the first column holds each row's date, the header names analytes. */
  orientation: 'columns' | 'rows';
  start: number;
  end: number;
  header: GridLine;
  columns: TableColumn[];
  rows: TableRow[];
}

export interface TableOptions {
  language: Language;
  documentDate?: string;
}

const NUMERIC = /^[<>≤≥]?\s*\d/;
/** "12.8", "10,1": a measured decimal, though it also reads as a year-less day.month. */
const DECIMAL_LIKE = /^\d{1,3}[.,]\d{1,2}$/;

/** Under a header that already has its dates, a labelled line whose "dates" are all decimals ("Hgb (g/dL)  12.8  10.1") is a row. */
function decimalRow(cur: Table | null, read: HeaderRead, line: GridLine): boolean {
  if (!cur || read.dates === 0 || !cur.columns.some((c) => c.date)) return false;
  const first = line.cells[0];
  if (!first || first.text === '' || NUMERIC.test(first.text)) return false;
  return line.cells.every((c, i) => !read.columns[i]?.date || DECIMAL_LIKE.test(c.text));
}

/** How far (characters) a value may sit from its header in an aligned table. */
const ALIGN_SLACK = 14;

interface HeaderRead { columns: TableColumn[]; dates: number }

/** Date of a cell as a column header or a row's first cell, parsed once per cell (a grid asks several times). */
type CellDate = (cell: GridCell, labelled: boolean) => string | null;

function cellDates(opts: TableOptions, dayFirst: boolean): CellDate {
  const cache = new Map<number, string | null>();
  const dateOpts = { documentDate: opts.documentDate, dayFirst };
  return (cell, labelled) => {
    const key = labelled ? -1 - cell.start : cell.start;
    let d = cache.get(key);
    if (d === undefined) {
      // only a cell with a digit or a month-like word can be a date
      d = !cell.text || !/\d|^\p{L}{3,}\.?\s*\d|^(?:today|heute|aktuell|current|now|jetzt)$/iu.test(cell.text) ? null
        : labelled ? parseLabelledHeaderDate(cell.text, dateOpts) : parseHeaderDate(cell.text, dateOpts);
      cache.set(key, d);
    }
    return d;
  };
}

function readHeader(line: GridLine, dateOf: CellDate): HeaderRead {
  const columns: TableColumn[] = [];
  let dates = 0;
  line.cells.forEach((cell, i) => {
    // a labelled date ("C1 (03.11.)") heads a column; in the first cell only when it stands off the line start
    const date = dateOf(cell, i > 0 || cell.start > line.start);
    if (date) { dates++; columns.push({ role: 'value', date, header: cell }); return; }
    columns.push({ role: i === 0 ? 'label' : roleOfHeader(cell.text), header: cell });
  });
  return { columns, dates };
}

/** A header line: dates and words, no measured numbers ("Parameter  12.01.  19.01.  Einheit  Referenz"). */
function isHeader(h: HeaderRead, line: GridLine): boolean {
  if (h.dates === 0) return h.columns.some((c) => c.role === 'unit' || c.role === 'reference') && !line.cells.some((c, i) => i > 0 && NUMERIC.test(c.text) && !h.columns[i].date);
  return !line.cells.some((c, i) => !h.columns[i].date && NUMERIC.test(c.text) && !/^\d{1,2}:\d{2}/.test(c.text));
}

/** A row of dates under the first column (date in column 0, numbers after it): the transposed layout. */
function isDateRow(line: GridLine, dateOf: CellDate): boolean {
  const first = line.cells[0];
  const date = (c: GridCell): boolean => dateOf(c, false) !== null;
  return !!first && date(first) && line.cells.slice(1).some((c) => NUMERIC.test(c.text) && !date(c));
}

const transposedTable = (t: Table | null): boolean => t?.orientation === 'rows';

/** Lines from `j` start with dates and one of the first few holds a measured number: a transposed table's rows (leading rows may be all "--"). */
function datedRowsFrom(lines: GridLine[], j: number, dateOf: CellDate): boolean {
  for (let k = j; k < lines.length && k < j + 6; k++) {
    const first = lines[k].cells[0];
    if (!first || dateOf(first, false) === null) return false;
    if (isDateRow(lines[k], dateOf)) return true;
  }
  return false;
}

/** The column of an aligned cell: the header it overlaps most, else the nearest within a few characters. */
function alignedColumn(cell: GridCell, line: GridLine, header: GridLine, columns: TableColumn[]): number {
  const cs = cell.start - line.start;
  const ce = cell.end - line.start;
  let best = -1;
  let bestScore = -Infinity;
  columns.forEach((col, i) => {
    if (!col.header || col.header.text === '') return;
    const hs = col.header.start - header.start;
    const he = col.header.end - header.start;
    const overlap = Math.min(ce, he) - Math.max(cs, hs);
    const score = overlap > 0 ? overlap : -Math.abs((cs + ce) / 2 - (hs + he) / 2);
    if (score > bestScore) { bestScore = score; best = i; }
  });
  return bestScore > -ALIGN_SLACK ? best : -1;
}

/**
 * "Creat umol/L 71" under a header whose first date column starts where "71" does: a label written one blank away
 * from its first value is split there.
 */
function splitLabel(line: GridLine, header: GridLine, columns: TableColumn[]): GridCell[] {
  const [cell, ...rest] = line.cells;
  const firstDate = columns.find((c) => c.date && c.header)?.header;
  if (!cell || !firstDate) return line.cells;
  const rel = firstDate.start - header.start - (cell.start - line.start);
  if (rel <= 0 || cell.end - cell.start <= rel) return line.cells;
  const cut = cell.text.lastIndexOf(' ', rel);
  const tail = cell.text.slice(cut + 1);
  if (cut <= 0 || !NUMERIC.test(tail)) return line.cells;
  const head = cell.text.slice(0, cut).trimEnd();
  return [{ text: head, start: cell.start, end: cell.start + head.length }, { text: tail, start: cell.start + cut + 1, end: cell.end }, ...rest];
}

function rowOf(line: GridLine, header: GridLine, columns: TableColumn[], kind: TableKind): TableRow {
  const cells: TableCellRef[] = [];
  if (kind === 'spaces') line = { ...line, cells: splitLabel(line, header, columns) };
  // a row with exactly one cell per column is read in order: hand-typed tables drift from their headers' positions
  const positional = kind === 'spaces' && line.cells.length !== columns.length;
  line.cells.forEach((cell, i) => {
    if (cell.text === '') return;
    const column = i === 0 ? 0 : positional ? alignedColumn(cell, line, header, columns) : i;
    if (column >= 0 && column < columns.length) cells.push({ cell, column });
  });
  const first = line.cells[0];
  const label = first && first.text !== '' && !NUMERIC.test(first.text) ? first : undefined;
  return { start: line.start, end: line.end, ...(label ? { label } : {}), ...(line.above ? { above: line.above } : {}), cells };
}

/** When the header has no cell over the labels ("          12.01.  19.01."), column 0 is an implicit label column. */
function withLabelColumn(h: HeaderRead, header: GridLine, firstData: GridLine | undefined): HeaderRead {
  const first = h.columns[0];
  if (!first?.date || !firstData?.cells[0] || firstData.cells[0].start - firstData.start >= first.header!.start - header.start) return h;
  return { ...h, columns: [{ role: 'label' }, ...h.columns] };
}

/** Gives each column the unit written under its header. */
function attachUnits(t: Table, line: GridLine): void {
  const row = rowOf(line, t.header, t.columns, t.kind);
  for (const { cell, column } of row.cells) if (t.columns[column]) t.columns[column].unit = cell;
  // the first unit cell sits in column 0 only when the label column has none of its own: re-align it
  const first = line.cells[0];
  if (first && t.kind === 'spaces') {
    const col = alignedColumn(first, line, t.header, t.columns);
    if (col > 0) t.columns[col].unit = first;
    if (col > 0 && t.columns[0].unit === first) delete t.columns[0].unit;
  }
}

/** The slash order of a table the note leaves open: the reading nearer before the document date (English only). */
function openOrder(texts: string[], opts: TableOptions): boolean | undefined {
  if (opts.language !== 'en' || !opts.documentDate) return undefined;
  const pairs = texts.flatMap((t) => {
    const m = /^\s*(?:[A-Za-z]{2,3}\.?,?\s+)?(\d{1,2})\/(\d{1,2})(?:\/\d{2,4})?\s*$/.exec(t);
    return m ? [[Number(m[1]), Number(m[2])] as [number, number]] : [];
  });
  return pairs.length ? nearerDayFirst(pairs, opts.documentDate) : undefined;
}

function tablesOfGrid(grid: Grid, opts: TableOptions, noteOrder: boolean | undefined): Table[] {
  const out: Table[] = [];
  const texts = grid.lines.flatMap((l) => l.cells.map((c) => c.text));
  const dayFirst = slashOrder(texts, noteOrder ?? openOrder(texts, opts) ?? opts.language === 'de');
  const dateOf = cellDates(opts, dayFirst);
  let cur: Table | null = null;
  for (let i = 0; i < grid.lines.length; i++) {
    const line = grid.lines[i];
    if (timesLine(line)) {
      // "08:40  09:12  Units  Range" under the dates: the side columns the header line left unnamed
      if (cur && !cur.rows.length) cur.columns.push(...sideColumns(line, cur.header, grid.kind, cur.columns.length));
      continue;
    }
    const read = readHeader(line, dateOf);
    // a dated row of a transposed table stays a row when all its cells are empty or not done ("13/03/2026 | --");
    // a line of several dates is the header of a new table
    const dateRow: boolean = isDateRow(line, dateOf) || (transposedTable(cur) && read.dates <= 1 && !!line.cells[0] && dateOf(line.cells[0], false) !== null);
    // "Datum  CA 125 (U/ml)  HE4": a line of words above a row that starts with a date (past a units and a reference line) heads a transposed table
    // only a line of words can head a table: the look-ahead past sub-lines runs for those alone
    const wordsOnly: boolean = !dateRow && read.dates === 0 && !line.cells.some((c) => NUMERIC.test(c.text));
    const header: boolean = isHeader(read, line) && !dateRow;
    const data: number = wordsOnly || header ? dataLineAfter(grid.lines, i) : -1;
    const transposed: boolean = wordsOnly && data > 0 && datedRowsFrom(grid.lines, data, dateOf);
    const units = unitsLine(grid.lines[i + 1]);
    if ((header || transposed) && !decimalRow(cur, read, line)) {
      const h: HeaderRead = grid.kind === 'spaces' ? withLabelColumn(read, line, data > 0 ? grid.lines[data] : undefined) : read;
      cur = { kind: grid.kind, orientation: transposed ? 'rows' : 'columns', start: line.start, end: line.end, header: line, columns: h.columns, rows: [] };
      out.push(cur);
      if (units) {
        attachUnits(cur, grid.lines[i + 1]);
        i++;
      }
      continue;
    }
    if (!cur) continue;
    const row = rowOf(line, cur.header, cur.columns, grid.kind);
    const rowDate = cur.orientation === 'rows' && line.cells[0] ? dateOf(line.cells[0], false) : null;
    cur.rows.push(rowDate ? { ...row, date: rowDate } : row);
    cur.end = line.end;
  }
  return out.filter((t) => t.rows.length > 0);
}

/** Every table of the note that has a header row. */
export function findTables(text: string, opts: TableOptions): Table[] {
  // a table whose own headers leave the slash order open follows the note (dates elsewhere, regional hints)
  const noteOrder = slashOrderEvidence(text, opts);
  return findGrids(text).flatMap((g) => tablesOfGrid(g, opts, noteOrder));
}
