/**
 * A request's query string, kept raw: URLSearchParams decodes values as
 * UTF-8 and replaces bytes that are not with U+FFFD, which would change a
 * binary key given as a bound. Here a value is decoded to bytes
 * (key-path.ts) or, for flags and numbers, to text; a malformed
 * percent-encoding is a 400 either way. "+" stands for a space, as in HTML
 * forms and URLSearchParams.
 */
import {badRequest} from './http-error.js'
import {percentDecode} from './key-path.js'

/** The parameters of one query string. */
export class Query {
  private readonly raw = new Map<string, string>()

  constructor(search: string) {
    const text = search.startsWith('?') ? search.slice(1) : search
    if (text === '') return
    for (const part of text.split('&')) {
      if (part === '') continue
      const eq = part.indexOf('=')
      const name = percentDecode((eq === -1 ? part : part.slice(0, eq)).replaceAll('+', ' '), 'a query parameter name').toString('utf8')
      const value = eq === -1 ? '' : part.slice(eq + 1).replaceAll('+', '%20')
      if (this.raw.has(name)) throw badRequest(`query parameter ${JSON.stringify(name)} is given twice`)
      this.raw.set(name, value)
    }
  }

  /** Names of the parameters given. */
  names(): string[] {
    return [...this.raw.keys()]
  }

  /** The raw (still percent-encoded) value of `name`, or undefined. */
  rawValue(name: string): string | undefined {
    return this.raw.get(name)
  }

  /** The value of `name` as text, or undefined. */
  get(name: string): string | undefined {
    const v = this.raw.get(name)
    return v === undefined ? undefined : percentDecode(v, `query parameter ${name}`).toString('utf8')
  }

  /** 400 unless every parameter given is one of `allowed`: a typo is never silently ignored. */
  only(allowed: readonly string[]): this {
    for (const name of this.raw.keys()) {
      if (!allowed.includes(name)) throw badRequest(`unknown query parameter ${JSON.stringify(name)}`, allowed.length === 0 ? 'this endpoint takes no parameters' : `this endpoint takes ${allowed.join(', ')}`)
    }
    return this
  }

  /** A boolean flag: absent false; "", "1", "true" true; "0", "false" false; else 400. */
  flag(name: string): boolean {
    const v = this.get(name)
    if (v === undefined || v === '0' || v === 'false') return false
    if (v === '' || v === '1' || v === 'true') return true
    throw badRequest(`query parameter ${name} must be 1, true, 0 or false, got ${JSON.stringify(v)}`)
  }

  /** A whole number of at least `min`, or undefined when absent; else 400. */
  integer(name: string, min: number): number | undefined {
    const v = this.get(name)
    if (v === undefined) return undefined
    const n = /^\d{1,15}$/.test(v) ? Number(v) : Number.NaN
    if (!(n >= min)) throw badRequest(`query parameter ${name} must be a whole number of at least ${min}, got ${JSON.stringify(v)}`)
    return n
  }
}
