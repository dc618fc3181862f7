/** Finds tables in note text (aligned columns, `|`, tab and `;` delimited) and splits their lines into cells with exact spans. */

export type TableKind = 'pipe' | 'tab' | 'semicolon' | 'spaces';

export interface GridCell {
  text: string;
  /** Offsets into the text, trimmed. */
  start: number;
  end: number;
}

export interface GridLine {
  start: number;
  end: number;
  cells: GridCell[];
  /** A short line of one cell right above ("Neutrophile Granulozyten" over "(absolut)  /nl  5,1"): a wrapped label. */
  above?: GridCell;
}

export interface Grid {
  kind: TableKind;
  lines: GridLine[];
}

interface RawLine { start: number; end: number; text: string }

/** `|---|:--:|`, `----+-----`, `=====`: rules between rows, not rows. */
const RULE_LINE = /^[\s|+:=_-]*$/;
/** An aligned column gap: two or more blanks, or a tab. */
const SPACE_GAP = /[ \t]{2,}|\t/g;
/** A short line of one cell inside a table: a group label ("Tumormarker"), a wrapped label or a wrapped cell ("  15.5"). */
const SHORT_LINE = 40;
/** A label ending in a bracket with a value glued to it: the first cell boundary of the line. */
const GLUED = /^[^\d\t]{2,}?[)\]](?=\d)/g;
/** Longest line we read as a table row (a huge line is prose or data, not a table row). */
const MAX_LINE = 2000;

function cellsBetween(text: string, from: number, to: number, out: GridCell[], unquote = false): void {
  let s = from;
  let e = to;
  while (s < e && /\s/.test(text[s])) s++;
  while (e > s && /\s/.test(text[e - 1])) e--;
  // a CSV export quotes its fields ("10,1"): the cell is what stands inside the quotes
  if (unquote && e - s >= 2 && text[s] === '"' && text[e - 1] === '"') {
    s++;
    e--;
    while (s < e && /\s/.test(text[s])) s++;
    while (e > s && /\s/.test(text[e - 1])) e--;
  }
  out.push({ text: text.slice(s, e), start: s, end: e });
}

function splitOn(line: RawLine, full: string, sep: string): GridCell[] {
  const out: GridCell[] = [];
  const unquote = sep !== '|';
  let from = line.start;
  for (let i = line.start; i < line.end; i++) {
    if (full[i] === sep) { cellsBetween(full, from, i, out, unquote); from = i + 1; }
  }
  cellsBetween(full, from, line.end, out, unquote);
  return out;
}

/** Cells of an aligned line: runs of text separated by 2+ blanks or a tab, or a label's unit bracket glued to a value ("(Tsd/µl)255"). */
function splitSpaces(line: RawLine, full: string): GridCell[] {
  const out: GridCell[] = [];
  let from = line.start;
  SPACE_GAP.lastIndex = 0;
  GLUED.lastIndex = 0;
  const glued = GLUED.exec(line.text);
  if (glued) {
    cellsBetween(full, line.start, line.start + glued[0].length, out);
    from = line.start + glued[0].length;
    SPACE_GAP.lastIndex = glued[0].length;
  }
  for (let m = SPACE_GAP.exec(line.text); m; m = SPACE_GAP.exec(line.text)) {
    const at = line.start + m.index;
    if (at > from) cellsBetween(full, from, at, out);
    from = at + m[0].length;
  }
  if (from < line.end) cellsBetween(full, from, line.end, out);
  return out.filter((c) => c.text !== '');
}

function count(s: string, c: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === c) n++;
  return n;
}

/** The delimiter a line is written with, or null when it has fewer than two cells. */
function kindOf(line: RawLine): TableKind | null {
  const t = line.text;
  if (t.length > MAX_LINE || t.trim() === '') return null;
  // most lines of a note are prose: no column gap and no delimiter at all
  if (!t.includes('  ') && !t.includes('\t') && !t.includes('|') && !t.includes(';')) return null;
  if (count(t, '|') >= 2 || (count(t, '|') === 1 && /\S\s*\|\s*\S/.test(t))) return 'pipe';
  if (t.includes('\t') && /\S\t+\S/.test(t)) return 'tab';
  if (count(t, ';') >= 2 && !/;\s+\p{Ll}/u.test(t)) return 'semicolon';
  if (/\S(?:[ \t]{2,})\S/.test(t)) return 'spaces';
  return null;
}

function cellsOf(line: RawLine, full: string, kind: TableKind): GridCell[] {
  if (kind === 'pipe') {
    const cells = splitOn(line, full, '|');
    // a bordered row "| a | b |" has empty cells outside its outer pipes; an indented "      | g/l | G/l" under
    // "Datum | Hb | Lc" (no closing pipe) leaves its first cell empty on purpose
    if (cells.length && cells[0].text === '' && (/^\s?\|/.test(line.text) || /\|\s*$/.test(line.text))) cells.shift();
    if (cells.length && cells[cells.length - 1].text === '' && /\|\s*$/.test(line.text)) cells.pop();
    return cells;
  }
  if (kind === 'tab') return splitOn(line, full, '\t');
  if (kind === 'semicolon') return splitOn(line, full, ';');
  return splitSpaces(line, full);
}

function rawLines(text: string): RawLine[] {
  const out: RawLine[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    let end = nl < 0 ? text.length : nl;
    if (end > start && text[end - 1] === '\r') end--;
    out.push({ start, end, text: text.slice(start, end) });
    if (nl < 0) return out;
    start = nl + 1;
  }
}

/** A tab or `|` table may mix in aligned lines (a wrapped label); an aligned table only aligned lines. */
function compatible(a: TableKind, b: TableKind): boolean {
  return a === b || (a === 'tab' && b === 'spaces') || (a === 'spaces' && b === 'tab');
}

/**
 * Blocks of two or more consecutive table-like lines of a compatible kind. One blank line or rule line may sit
 * inside a block (between a header and its rows); a prose line ends it.
 */
export function findGrids(text: string): Grid[] {
  const lines = rawLines(text);
  const grids: Grid[] = [];
  let cur: Grid | null = null;
  let gap = 0;
  let above: GridCell | undefined;
  const close = (): void => {
    above = undefined;
    if (cur && cur.lines.length >= 2) grids.push(cur);
    cur = null;
    gap = 0;
  };
  for (const line of lines) {
    if (cur && (line.text.trim() === '' || (RULE_LINE.test(line.text) && line.text.trim().length >= 3))) {
      above = undefined;
      if (++gap > 1 && line.text.trim() === '') close();
      continue;
    }
    const kind = kindOf(line);
    // "Hämatologie", "Tumormarker", "  15.5": a short line between rows does not end the table
    if (!kind && cur && line.text.trim().length <= SHORT_LINE) {
      const cells: GridCell[] = [];
      cellsBetween(text, line.start, line.end, cells);
      above = cells[0];
      continue;
    }
    if (!kind) { close(); continue; }
    if (cur && !compatible(cur.kind, kind)) close();
    const g: Grid = cur ?? { kind, lines: [] };
    cur = g;
    g.lines.push({ start: line.start, end: line.end, cells: cellsOf(line, text, kind), ...(above ? { above } : {}) });
    above = undefined;
    gap = 0;
  }
  close();
  return grids;
}
