/**
 * Lines under a table header that are no data rows: a line of sampling times under the dates (with the "Units" and
 * "Range" words the header line left out), a line of units, a reference-range line. The table reader skips them when
 * it looks for the first data row and takes the column roles they name.
 */
import { squash } from './normalize';
import type { GridCell, GridLine, TableKind } from './table-grid';

export type ColumnRole = 'label' | 'value' | 'unit' | 'reference' | 'flag' | 'other';

const ROLE_WORDS: Array<[ColumnRole, string[]]> = [
  ['unit', ['einheit', 'einh', 'unit', 'units', 'me', 'dimension', 'masseinheit']],
  ['reference', ['referenz', 'referenzbereich', 'referenzwert', 'referenzwerte', 'ref', 'refbereich', 'norm', 'normbereich', 'normalbereich',
    'normwert', 'normwerte', 'normalwert', 'normalwerte', 'reference', 'referencerange', 'refrange', 'normalrange', 'range', 'normal', 'rb', 'ref.bereich', 'zielbereich']],
  ['flag', ['flag', 'flags', 'kennz', 'kennzeichen', 'markierung', 'hl', 'bew', 'bewertung']],
  ['value', ['wert', 'werte', 'value', 'values', 'result', 'results', 'ergebnis', 'ergebnisse', 'befund', 'aktuell', 'current', 'messwert', 'resultat']],
];
const ROLE_OF = new Map<string, ColumnRole>(ROLE_WORDS.flatMap(([role, words]) => words.map((w) => [squash(w), role] as [string, ColumnRole])));

/** The role a header word names ("Einheit", "Ref. range"); also tells a reference or unit row of a transposed table. */
export function roleOfHeader(text: string): ColumnRole {
  const key = squash(text.replace(/[([].*$/, ''));
  return ROLE_OF.get(key) ?? 'other';
}

export const TIMES_ONLY = /^(?:\s*\d{1,2}:\d{2}\s*(?:h|uhr)?\s*)$/i;
/** A unit cell of a units line under the header: "g/L", "x10^9/L", "10^9/l", "U/mL", "%", "mmol/l". */
const UNIT_CELL = /^(?:[x×]\s*)?(?:10\s*(?:\^|\*\*?|[eE])\s*\d{1,2}\s*\/\s*\w+|[A-Za-zµμ%][\w/^*µμ.²³%-]{0,11})$/;
const SIDE_ROLES = new Set<ColumnRole>(['unit', 'reference', 'flag']);

/** The line is a row of units only ("          g/L    x10^9/L  U/mL"), with at least one written as a ratio. */
export function unitsLine(line: GridLine | undefined): boolean {
  if (!line || line.cells.length < 2) return false;
  const cells = line.cells.filter((c) => c.text !== '');
  return cells.length >= 2 && cells.every((c) => UNIT_CELL.test(c.text)) && cells.some((c) => c.text.includes('/'));
}

/** Sampling times under the dates ("08:40  09:12  14:35"), maybe with the side columns' names ("Units  Range"). */
export function timesLine(line: GridLine): boolean {
  let times = 0;
  for (const c of line.cells) {
    if (c.text === '') continue;
    if (TIMES_ONLY.test(c.text)) times++;
    else if (!SIDE_ROLES.has(roleOfHeader(c.text))) return false;
  }
  return times > 0 || line.cells.every((c) => c.text === '');
}

/** "Ref. | 120-154 | 3.0-9.6": a reference-range (or unit) line between a transposed header and its dated rows. */
function referenceLine(line: GridLine): boolean {
  const first = line.cells.find((c) => c.text !== '');
  return !!first && first === line.cells[0] && SIDE_ROLES.has(roleOfHeader(first.text));
}

/** Index of the first line after `i` that can hold data: past times, units and reference lines (-1 when none). */
export function dataLineAfter(lines: GridLine[], i: number): number {
  for (let j = i + 1; j < lines.length && j <= i + 4; j++) {
    if (!timesLine(lines[j]) && !unitsLine(lines[j]) && !referenceLine(lines[j])) return j;
  }
  return -1;
}

export interface SideColumn { role: ColumnRole; header: GridCell }

/**
 * The side columns a times line names beyond the header's last cell ("Units", "Range" under no header word of their
 * own). In an aligned table the cell is re-based onto the header line so column alignment can compare positions;
 * such a header is used for alignment and its role only, never quoted.
 */
export function sideColumns(line: GridLine, header: GridLine, kind: TableKind, known: number): SideColumn[] {
  const out: SideColumn[] = [];
  const last = header.cells[header.cells.length - 1];
  line.cells.forEach((c, i) => {
    const role = roleOfHeader(c.text);
    if (c.text === '' || !SIDE_ROLES.has(role)) return;
    if (kind === 'spaces') {
      const at = header.start + (c.start - line.start);
      if (last && at > last.end) out.push({ role, header: { text: c.text, start: at, end: at + c.text.length } });
    } else if (i >= known) out.push({ role, header: c });
  });
  return out;
}
