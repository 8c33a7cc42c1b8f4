/**
 * The one printer of a list of records (get, scan, dump) in the four
 * formats:
 *
 *   json    {"records": [record, ...], ...tail}. Streamed one record a line
 *           (scan, dump), or, with `document`, built whole and written as one
 *           JSON document, pretty on a terminal (get).
 *   ndjson  one record a line.
 *   table   one table of all the records, printed at the end (or, on an
 *           error, of those before it: `printTable`).
 *   text    one line a record.
 *
 * What a record looks like in each is the caller's `RecordShape`.
 */
import {JsonStream} from './json-stream.js'
import type {Output} from './output.js'

/** How one kind of record is shown. */
export interface RecordShape<R> {
  /** Its JSON (and NDJSON) form. */
  json(r: R): unknown
  /** Its text line. */
  text(r: R): string
  /** Table head and rows for all the records (columns may depend on all of them). */
  table(records: readonly R[]): {head: string[]; rows: string[][]}
}

/** How the list is printed. */
export interface RecordListOptions {
  /** Table cell styles, by column. */
  readonly tableStyle?: ReadonlyArray<(s: string) => string>
  /** JSON: build one document and write it at the end (pretty on a terminal) instead of streaming. */
  readonly document?: boolean
  /** Streamed JSON: write the head before the first record (see JsonStream). */
  readonly eagerHead?: boolean
}

/** Prints records as they come; see the file comment. Call `start`, `add` for each, then `finish`. */
export class RecordList<R> {
  private readonly stream: JsonStream
  private readonly items: unknown[] = []
  private readonly rows: R[] = []
  private tablePrinted = false
  /** Records added. */
  count = 0

  constructor(private readonly out: Output, private readonly shape: RecordShape<R>, private readonly options: RecordListOptions = {}) {
    this.stream = new JsonStream(out, options.eagerHead === true)
  }

  /** Begins the output (the streamed JSON's head, when eager). */
  async start(): Promise<void> {
    if (this.out.format === 'json' && this.options.document !== true) await this.stream.open({}, 'records')
  }

  async add(r: R): Promise<void> {
    this.count++
    const {format} = this.out
    if (format === 'json') {
      if (this.options.document === true) this.items.push(this.shape.json(r))
      else await this.stream.item(this.shape.json(r))
    } else if (format === 'ndjson') {
      await this.out.ndjson(this.shape.json(r))
    } else if (format === 'table') {
      this.rows.push(r)
    } else {
      await this.out.line(this.shape.text(r))
    }
  }

  /** Prints the table of the records so far, once (table format; nothing for no records). */
  async printTable(): Promise<void> {
    if (this.out.format !== 'table' || this.tablePrinted || this.rows.length === 0) return
    this.tablePrinted = true
    const {head, rows} = this.shape.table(this.rows)
    await this.out.table(head, rows, this.options.tableStyle === undefined ? {} : {style: this.options.tableStyle})
  }

  /** Ends the output: closes the JSON with `tail`'s fields after "records", or prints the table. */
  async finish(tail: Record<string, unknown> = {}): Promise<void> {
    if (this.out.format === 'json') {
      if (this.options.document === true) await this.out.json({records: this.items, ...tail})
      else await this.stream.close(tail)
    }
    await this.printTable()
  }
}
