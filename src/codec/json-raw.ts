/**
 * JSON text carried verbatim through the CLI's JSON output. A value stored
 * with `put --json` was checked to be JSON text when it was written; printing
 * it by parsing and re-serialising would change it (12345678901234567890
 * loses digits, 1e400 becomes null, duplicate names merge, -0 becomes 0), so
 * it is spliced into the output as the text it is. Node 20 has no
 * JSON.rawJSON, hence the splice below.
 *
 * The one change made to the stored text: line breaks (CR, LF), which JSON
 * only allows between tokens, are dropped so an NDJSON record stays one line.
 */
import {randomBytes} from 'node:crypto'

const decoder = new TextDecoder('utf-8', {fatal: true})

/** JSON text to be written as it is inside a JSON document (see stringifyJson). */
export class RawJson {
  /** REQUIRES: `text` is valid JSON text without line breaks. */
  private constructor(readonly text: string) {}

  /** `bytes` as raw JSON, or undefined when they are not UTF-8 JSON text (the caller then prints them encoded). */
  static fromBytes(bytes: Uint8Array): RawJson | undefined {
    let text: string
    try {
      text = decoder.decode(bytes)
      JSON.parse(text)
    } catch {
      return undefined
    }
    return new RawJson(text.replace(/[\r\n]+/g, ''))
  }
}

// A placeholder no real string can hold: a NUL and 128 random bits.
const MARK = `\u0000strata-raw-json-${randomBytes(16).toString('hex')}:`
const MARK_RE = new RegExp(`"${JSON.stringify(MARK).slice(1, -1).replace(/\\/g, '\\\\')}(\\d+)"`, 'g')

/** JSON.stringify, with each RawJson in `doc` written as its text. */
export function stringifyJson(doc: unknown, indent?: number): string {
  const raws: string[] = []
  const text = JSON.stringify(doc, (_key, value: unknown) => (value instanceof RawJson ? `${MARK}${raws.push(value.text) - 1}` : value), indent)
  return raws.length === 0 ? text : text.replace(MARK_RE, (_m, i: string) => raws[Number(i)])
}

/**
 * The source text of the last top-level member `name` of the JSON object
 * `text` (the one JSON.parse keeps), or undefined if there is none.
 * REQUIRES: `text` is valid JSON (JSON.parse accepted it).
 */
export function memberText(text: string, name: string): string | undefined {
  let i = skipSpace(text, 0)
  if (text[i] !== '{') return undefined
  i = skipSpace(text, i + 1)
  let found: string | undefined
  while (i < text.length && text[i] !== '}') {
    const keyEnd = endOfValue(text, i)
    const key = JSON.parse(text.slice(i, keyEnd)) as string
    const start = skipSpace(text, skipSpace(text, keyEnd) + 1) // past the colon
    const end = endOfValue(text, start)
    if (key === name) found = text.slice(start, end)
    i = skipSpace(text, end)
    if (text[i] === ',') i = skipSpace(text, i + 1)
  }
  return found
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++
  return i
}

/** The index just past the JSON value that starts at `i`. */
function endOfValue(text: string, i: number): number {
  const c = text[i]
  if (c === '"') {
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === '\\') j++
      else if (text[j] === '"') return j + 1
    }
    return text.length
  }
  if (c === '{' || c === '[') {
    let depth = 0
    for (let j = i; j < text.length; j++) {
      const d = text[j]
      if (d === '"') j = endOfValue(text, j) - 1
      else if (d === '{' || d === '[') depth++
      else if (d === '}' || d === ']') {
        depth--
        if (depth === 0) return j + 1
      }
    }
    return text.length
  }
  let j = i
  while (j < text.length && !',}] \t\n\r'.includes(text[j])) j++
  return j
}
