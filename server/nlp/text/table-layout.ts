/** Reads a grid as a table: header rows (dates, unit/reference/flag columns), then each row's cells under their column. */
import type { Language } from '../finding';
import { slashOrderEvidence } from './dates';
import { nearerDayFirst } from './date-order';
import { squash } from './normalize';
import { parseHeaderDate, parseLabelledHeaderDate, slashOrder } from './table-dates';
import { findGrids, type Grid, type GridCell, type GridLine, type TableKind } from './table-grid';

export type ColumnRole = 'label' | 'value' | 'unit' | 'reference' | 'flag' | 'other';

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

const ROLE_WORDS: Array<[ColumnRole, string[]]> = [
  ['unit', ['einheit', 'einh', 'unit', 'units', 'me', 'dimension', 'masseinheit']],
  ['reference', ['referenz', 'referenzbereich', 'referenzwert', 'referenzwerte', 'ref', 'refbereich', 'norm', 'normbereich', 'normalbereich',
    'normwert', 'normwerte', 'normalwert', 'normalwerte', 'reference', 'referencerange', 'refrange', 'normalrange', 'range', 'normal', 'rb', 'ref.bereich', 'zielbereich']],
  ['flag', ['flag', 'flags', 'kennz', 'kennzeichen', 'markierung', 'hl', 'bew', 'bewertung']],
  ['value', ['wert', 'werte', 'value', 'values', 'result', 'results', 'ergebnis', 'ergebnisse', 'befund', 'aktuell', 'current', 'messwert', 'resultat']],
];
const ROLE_OF = new Map<string, ColumnRole>(ROLE_WORDS.flatMap(([role, words]) => words.map((w) => [squash(w), role] as [string, ColumnRole])));
const NUMERIC = /^[<>≤≥]?\s*\d/;
/** A unit cell of a units line under the header: "g/L", "x10^9/L", "10^9/l", "U/mL", "%", "mmol/l". */
const UNIT_CELL = /^(?:[x×]\s*)?(?:10\s*(?:\^|\*\*?|[eE])\s*\d{1,2}\s*\/\s*\w+|[A-Za-zµμ%][\w/^*µμ.²³%-]{0,11})$/;
const TIMES_ONLY = /^(?:\s*\d{1,2}:\d{2}\s*(?:h|uhr)?\s*)$/i;

/** How far (characters) a value may sit from its header in an aligned table. */
const ALIGN_SLACK = 14;

function roleOfHeader(text: string): ColumnRole {
  const key = squash(text.replace(/[([].*$/, ''));
  return ROLE_OF.get(key) ?? 'other';
}

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
  const positional = kind === 'spaces' || line.cells.length !== header.cells.length;
  if (kind === 'spaces') line = { ...line, cells: splitLabel(line, header, columns) };
  line.cells.forEach((cell, i) => {
    if (cell.text === '') return;
    const column = i === 0 ? 0 : positional && kind === 'spaces' ? alignedColumn(cell, line, header, columns) : i;
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

/** The line is a row of units only ("          g/L    x10^9/L  U/mL"), with at least one written as a ratio. */
function unitsLine(line: GridLine | undefined): boolean {
  if (!line || line.cells.length < 2) return false;
  const cells = line.cells.filter((c) => c.text !== '');
  return cells.length >= 2 && cells.every((c) => UNIT_CELL.test(c.text)) && cells.some((c) => c.text.includes('/'));
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
    if (line.cells.every((c) => c.text === '' || TIMES_ONLY.test(c.text))) continue;
    const read = readHeader(line, dateOf);
    const dateRow = isDateRow(line, dateOf);
    // "Datum  CA 125 (U/ml)  HE4": a line of words above a row that starts with a date heads a transposed table
    const transposed = !dateRow && read.dates === 0 && !line.cells.some((c) => NUMERIC.test(c.text))
      && !!grid.lines[i + 1] && isDateRow(grid.lines[i + 1], dateOf);
    const units = unitsLine(grid.lines[i + 1]);
    const transposedUnder = !transposed && units && !dateRow && read.dates === 0 && !!grid.lines[i + 2] && isDateRow(grid.lines[i + 2], dateOf)
      && !line.cells.some((c) => NUMERIC.test(c.text));
    if ((isHeader(read, line) && !dateRow) || transposed || transposedUnder) {
      const h = grid.kind === 'spaces' ? withLabelColumn(read, line, grid.lines[i + 1]) : read;
      cur = { kind: grid.kind, orientation: transposed || transposedUnder ? 'rows' : 'columns', start: line.start, end: line.end, header: line, columns: h.columns, rows: [] };
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
