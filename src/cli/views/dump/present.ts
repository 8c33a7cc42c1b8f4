/**
 * Turning dump's structured results into JSON and text. Results hold key and
 * value bytes as `Bytes`; JSON gives them in the chosen encoding with an
 * `<field>Encoding` beside each (utf8 falls back to base64 for bytes that
 * are not UTF-8, as in get/scan), and text escapes them so a field stays on
 * one line.
 */
import {Bytes} from '../../../dump/bytes.js'
import {hex32, type CrcCheck} from '../../../dump/checks.js'
import {formatJson, formatText} from '../../../codec/encoding.js'
import type {RecordEncodings} from '../../output/records.js'

/** A JSON-ready copy of `v`: each `field: Bytes` becomes `field` (text) and `fieldEncoding`. */
export function toJson(v: unknown, enc: RecordEncodings): unknown {
  if (v instanceof Bytes) return formatJson(v.bytes, enc[v.role]).text
  if (Array.isArray(v)) return v.map((x) => toJson(x, enc))
  if (v === null || typeof v !== 'object') return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue
    if (x instanceof Bytes) {
      const j = formatJson(x.bytes, enc[x.role])
      out[k] = j.text
      out[`${k}Encoding`] = j.encoding
    } else {
      out[k] = toJson(x, enc)
    }
  }
  return out
}

/** Bytes for text: escaped (utf8) or hex/base64, quoted under utf8 so empty and spaced strings are visible. */
export function bytesText(b: Bytes | Uint8Array, enc: RecordEncodings, role: 'key' | 'value' = 'key'): string {
  const bytes = b instanceof Bytes ? b.bytes : b
  const e = enc[b instanceof Bytes ? b.role : role]
  const text = formatText(bytes, e)
  return e === 'utf8' ? `"${text.replace(/"/g, '\\"')}"` : text
}

/** "1735689600000 (2025-01-01T00:00:00.000Z)". */
export function timeText(ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? String(ms) : `${ms} (${d.toISOString()})`
}

/** An ISO date, or the number if it is not a valid time. */
export function isoTime(ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString()
}

function isCrc(v: unknown): v is CrcCheck {
  return typeof v === 'object' && v !== null && 'stored' in v && 'computed' in v && 'ok' in v
}

/** "0x1a2b3c4d ok", or "0x1a2b3c4d MISMATCH (computed 0x...)". */
export function crcText(c: CrcCheck): string {
  return c.ok ? `${hex32(c.stored)} ok` : `${hex32(c.stored)} MISMATCH (computed ${hex32(c.computed)})`
}

function scalarText(k: string, v: unknown, enc: RecordEncodings): string {
  if (v instanceof Bytes) return bytesText(v, enc)
  if (v === null) return '-'
  if (typeof v === 'number' && /(AtMs|At)$/.test(k)) return timeText(v)
  if (typeof v === 'string') return v
  return String(v)
}

/** One line for an object of scalars: "k=v k=v". */
function inlineText(o: Record<string, unknown>, enc: RecordEncodings): string {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (isCrc(v) ? `${k}=${crcText(v)}` : `${k}=${typeof v === 'object' && v !== null && !(v instanceof Bytes) ? JSON.stringify(toJson(v, enc)) : scalarText(k, v, enc)}`))
    .join(' ')
}

/**
 * Label/value pairs for text and table output: scalars as they are, nested
 * objects one per line ("footer.index: offset=187 size=17"), arrays one
 * element per line ("tables[0]: ...").
 */
export function flatten(o: Record<string, unknown>, enc: RecordEncodings, skip: ReadonlySet<string> = new Set()): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const visit = (prefix: string, obj: Record<string, unknown>, depth: number): void => {
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined || (depth === 0 && skip.has(k))) continue
      const label = prefix === '' ? k : `${prefix}.${k}`
      if (isCrc(v)) out.push([label, crcText(v)])
      else if (Array.isArray(v)) {
        if (v.length === 0) out.push([label, '(none)'])
        v.forEach((x, i) => out.push([`${label}[${i}]`, typeof x === 'object' && x !== null && !(x instanceof Bytes) ? inlineText(x as Record<string, unknown>, enc) : scalarText(k, x, enc)]))
      } else if (typeof v === 'object' && v !== null && !(v instanceof Bytes)) {
        const entries = Object.values(v as Record<string, unknown>)
        if (depth >= 1 || entries.every((x) => typeof x !== 'object' || x === null || x instanceof Bytes)) out.push([label, inlineText(v as Record<string, unknown>, enc)])
        else visit(label, v as Record<string, unknown>, depth + 1)
      } else {
        out.push([label, scalarText(k, v, enc)])
      }
    }
  }
  visit('', o, 0)
  return out
}
