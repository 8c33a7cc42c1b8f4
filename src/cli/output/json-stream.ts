import {stringifyJson} from '../../codec/json-raw.js'
import type {Output} from './output.js'

/**
 * Writes a JSON document as it is built: `{"k": v, ..., "list": [` items `], ...}`,
 * one item per line. By default nothing is written before the first item
 * (or the end), so a run that fails before it prints nothing; `eager` writes
 * the head at `open`. A run that fails later leaves the document unfinished
 * (and exits non-zero). The bytes of a finished document are the same either way.
 */
export class JsonStream {
  private n = 0
  private head = ''
  constructor(private readonly out: Output, private readonly eager = false) {}
  async open(head: Record<string, unknown>, list: string): Promise<void> {
    const h = JSON.stringify(head)
    this.head = `${h.slice(0, -1)}${h === '{}' ? '' : ','}${JSON.stringify(list)}:[`
    if (this.eager) {
      await this.out.raw(this.head)
      this.head = ''
    }
  }
  async item(v: unknown): Promise<void> {
    await this.out.raw(`${this.n++ === 0 ? `${this.head}\n` : ',\n'}${stringifyJson(v)}`)
  }
  async close(tail: Record<string, unknown> = {}): Promise<void> {
    const t = JSON.stringify(tail)
    await this.out.line(`${this.n === 0 ? this.head : '\n'}]${t === '{}' ? '' : `,${t.slice(1, -1)}`}}`)
  }
}
