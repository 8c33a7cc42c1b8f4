/**
 * Output formats, the one module that writes results to stdout:
 *
 * - text:   human- and grep-friendly lines, one record per line (bytes escaped, see encoding.ts)
 * - table:  cli-table3 boxes for people at a terminal (colour via chalk only)
 * - json:   exactly one JSON document (pretty on a TTY, one line otherwise)
 * - ndjson: one JSON object per line, streamable
 *
 * Progress and errors go to stderr, never stdout.
 */
import {createRequire} from 'node:module'
import type TableType from 'cli-table3'
import type {ChalkInstance} from 'chalk'
import {chalkFor} from './color.js'
import {stringifyJson} from '../../codec/json-raw.js'
import {processStdout, type OutputSink} from './stdout-writer.js'
import {cutCell, fitWidths, visibleLength} from './table-fit.js'

/** The output formats of every command. */
export const FORMATS = ['text', 'table', 'json', 'ndjson'] as const
export type Format = (typeof FORMATS)[number]

/** True for the formats whose output (and errors) are JSON. */
export function isJsonFormat(format: Format): boolean {
  return format === 'json' || format === 'ndjson'
}

/** A stream for progress and notes (stderr). */
export interface ErrStream {
  readonly isTTY?: boolean
  write(chunk: string): boolean
}

/** Options for a table. */
export interface TableOptions {
  /** Column alignments, default left. */
  readonly align?: ReadonlyArray<'left' | 'right'>
  /** Per-column styling (e.g. a chalk colour), applied after long cells are cut. */
  readonly style?: ReadonlyArray<((cell: string) => string) | undefined>
}

/** Longest cell shown in a table; longer values are cut with "…" (tables are for people; use text/json for data). */
export const MAX_TABLE_CELL = 96

/** cli-table3, loaded on first use: most invocations print no table, and start-up time matters. */
let tableClass: typeof TableType | undefined
function Table(): typeof TableType {
  tableClass ??= createRequire(import.meta.url)('cli-table3') as typeof TableType
  return tableClass
}

/** Box characters without a rule between body rows. */
const COMPACT_ROWS = {'mid': '', 'left-mid': '', 'mid-mid': '', 'right-mid': ''}

/** Writes results to stdout and progress to stderr in one format. */
export class Output {
  readonly format: Format
  /** Colours for stdout (no-ops when stdout is not a colour terminal). */
  readonly color: ChalkInstance
  /** Colours for stderr. */
  readonly errColor: ChalkInstance
  private readonly stdout: OutputSink
  private readonly stderr: ErrStream

  /** Every result goes through `stdout` (stdout-writer.ts): it waits for the reader and reports failed writes. */
  constructor(format: Format, stdout: OutputSink = processStdout(), stderr: ErrStream = process.stderr) {
    this.format = format
    this.stdout = stdout
    this.stderr = stderr
    this.color = chalkFor(stdout)
    this.errColor = chalkFor(stderr)
  }

  /** True when stdout has been closed by the reader (e.g. `| head`): stop producing. */
  get closed(): boolean {
    return this.stdout.closed
  }

  /** True when stdout is a terminal. */
  get isTTY(): boolean {
    return this.stdout.isTTY
  }

  /** Writes one line to stdout, waiting if the pipe is full (so large scans stream in bounded memory). */
  async line(text: string): Promise<void> {
    await this.raw(`${text}\n`)
  }

  /** Writes raw bytes (or text) to stdout, nothing added. Throws IO if stdout cannot be written. */
  async raw(bytes: Uint8Array | string): Promise<void> {
    await this.stdout.write(bytes)
  }

  /**
   * Waits until everything written is with the operating system; throws IO
   * if any of it failed. Commands end with this before their exit status is set.
   */
  async flush(): Promise<void> {
    await this.stdout.flush()
  }

  /** A JSON document as text (pretty on a terminal, one line otherwise); stored JSON values are kept verbatim. */
  jsonText(doc: unknown): string {
    return this.stdout.isTTY ? stringifyJson(doc, 2) : stringifyJson(doc)
  }

  /** Writes one JSON document (pretty on a terminal, one line otherwise). */
  async json(doc: unknown): Promise<void> {
    await this.line(this.jsonText(doc))
  }

  /** Writes one NDJSON line. */
  async ndjson(obj: unknown): Promise<void> {
    await this.line(stringifyJson(obj))
  }

  /** Renders a table with a header row; on a terminal, wide columns are cut to fit its width (table-fit.ts). */
  async table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): Promise<void> {
    const cut = rows.map((row) => row.map(truncate))
    const widths = this.fitColumns([head, ...cut])
    const t = new (Table())({
      head: head.map((h, i) => this.color.bold(cutCell(h, widths[i]))),
      style: {head: [], border: []},
      ...(options.align ? {colAligns: [...options.align]} : {}),
    })
    for (const row of cut) t.push(row.map((cell, i) => (options.style?.[i] ?? String)(cutCell(cell, widths[i]))))
    // Keep the rule under the header, drop the ones between body rows (cells are one line each).
    const lines = t.toString().split('\n')
    await this.line([...lines.slice(0, 3), ...lines.slice(3, -1).filter((l) => !l.startsWith('├')), lines[lines.length - 1]].join('\n'))
  }

  /** Renders "name: value" pairs as a two-column table (table format) or aligned lines (text). */
  async fields(pairs: ReadonlyArray<readonly [string, string]>): Promise<void> {
    if (this.format === 'table') {
      const cut = pairs.map(([k, v]) => [k, truncate(v)])
      const widths = this.fitColumns(cut)
      const t = new (Table())({style: {head: [], border: []}, chars: COMPACT_ROWS})
      for (const [k, v] of cut) t.push({[this.color.bold(cutCell(k, widths[0]))]: cutCell(v, widths[1])})
      await this.line(t.toString())
      return
    }
    const width = Math.max(0, ...pairs.map(([k]) => k.length)) + 1
    for (const [k, v] of pairs) await this.line(`${`${k}:`.padEnd(width)} ${v}`)
  }

  /** Column content widths for `rows` (plain text): natural widths, narrowed to the terminal's width when stdout is one. */
  private fitColumns(rows: ReadonlyArray<readonly string[]>): number[] {
    const n = Math.max(0, ...rows.map((r) => r.length))
    const natural = Array.from({length: n}, (_, i) => Math.max(1, ...rows.map((r) => visibleLength(r[i] ?? ''))))
    const columns = this.stdout.columns
    return columns === undefined ? natural : fitWidths(natural, columns)
  }

  /**
   * Prints a one-object result: the document as JSON/NDJSON, `fields` as a
   * table (if given), else the text line.
   */
  async document(doc: unknown, text: string, fields?: ReadonlyArray<readonly [string, string]>): Promise<void> {
    if (this.format === 'json') await this.json(doc)
    else if (this.format === 'ndjson') await this.ndjson(doc)
    else if (this.format === 'table' && fields) await this.fields(fields)
    else await this.line(text)
  }

  /** A progress message on stderr (never stdout). */
  progress(text: string): void {
    this.stderr.write(`${this.errColor.dim(text)}\n`)
  }
}

/** A store's or table's compression in prose: "zlib compression", or "uncompressed" (never "none compression"). */
export function compressionText(compression: string): string {
  return compression === 'none' ? 'uncompressed' : `${compression} compression`
}

function truncate(cell: string): string {
  return cell.length > MAX_TABLE_CELL ? `${cell.slice(0, MAX_TABLE_CELL - 1)}…` : cell
}
