/**
 * Fitting a table into a terminal's width: the widest columns are narrowed
 * first (a cap shared by all columns over it), and their cells are cut with
 * "…". Cells are one line each, so wrapping is not an option: a table stays
 * one row per line. Used only when stdout is a terminal of known width; piped
 * output keeps every cell whole (up to MAX_TABLE_CELL).
 */

/** Narrowest a column is made; a table with too many columns for the terminal overflows rather than going below it. */
export const MIN_COLUMN = 6

/** Width cli-table3 draws for columns of these content widths: a space either side of each, and n+1 borders. */
export function tableWidth(widths: readonly number[]): number {
  return widths.reduce((sum, w) => sum + w + 2, 0) + widths.length + 1
}

/** Content widths for columns of `natural` widths so the table is at most `columns` wide (see the file comment). */
export function fitWidths(natural: readonly number[], columns: number): number[] {
  if (tableWidth(natural) <= columns) return [...natural]
  const capped = (cap: number): number[] => natural.map((w) => Math.min(w, Math.max(cap, MIN_COLUMN)))
  // The largest cap that fits; widths only shrink as the cap falls, so a binary search finds it.
  let lo = MIN_COLUMN
  let hi = Math.max(...natural)
  if (tableWidth(capped(lo)) > columns) return capped(lo)
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (tableWidth(capped(mid)) <= columns) lo = mid
    else hi = mid - 1
  }
  return capped(lo)
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

/** Characters a cell takes on screen: its length without colour escapes. */
export function visibleLength(cell: string): number {
  return cell.replace(ANSI, '').length
}

/** `cell` cut to `width` characters, ending in "…" when cut (a coloured cell that must be cut loses its colour). */
export function cutCell(cell: string, width: number): string {
  if (visibleLength(cell) <= width) return cell
  return `${cell.replace(ANSI, '').slice(0, Math.max(0, width - 1))}…`
}
