import {stringifyJson} from '../../output/json-raw.js'
import type {Output} from '../../output/output.js'

/**
 * Writes a JSON document as it is built: `{"k": v, ..., "list": [` items `], ...}`.
 * Nothing is written before the first item (or the end), so a run that fails
 * on its first file prints nothing; one that fails later leaves the document
 * unfinished (and exits non-zero).
 */
export class JsonStream {
  private n = 0
  private head = ''
  constructor(private readonly out: Output) {}
  open(head: Record<string, unknown>, list: string): void {
    const h = JSON.stringify(head)
    this.head = `${h.slice(0, -1)}${h === '{}' ? '' : ','}${JSON.stringify(list)}:[`
  }
  async item(v: unknown): Promise<void> {
    await this.out.raw(`${this.n++ === 0 ? `${this.head}\n` : ',\n'}${stringifyJson(v)}`)
  }
  async close(tail: Record<string, unknown> = {}): Promise<void> {
    const t = JSON.stringify(tail)
    await this.out.line(`${this.n === 0 ? this.head : '\n'}]${t === '{}' ? '' : `,${t.slice(1, -1)}`}}`)
  }
}

