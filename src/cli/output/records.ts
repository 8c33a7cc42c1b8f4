/**
 * How a key/value record is printed as text and in tables, and named in
 * messages. Its JSON shape is src/codec/record-json.ts.
 */
import type {KeyValue} from '../../engine.js'
import {escapeText, formatText, type Encoding} from '../../codec/encoding.js'
import {formatDuration} from '../../codec/duration.js'
import {recordToJson, type RecordEncodings} from '../../codec/record-json.js'
import type {RecordShape} from './record-list.js'

export {recordToJson} from '../../codec/record-json.js'
export type {RecordEncodings, RecordJson} from '../../codec/record-json.js'

/** `key<TAB>value` (or just the key), escaped so the record is one line. */
export function recordToText(kv: KeyValue, enc: RecordEncodings, keysOnly = false): string {
  const key = formatText(kv.key, enc.key)
  return keysOnly ? key : `${key}\t${formatText(kv.value, enc.value)}`
}

/** Remaining time to live for display, or "" when the record has no expiry. */
export function ttlText(kv: KeyValue, now: number = Date.now()): string {
  return kv.expiresAt === undefined ? '' : formatDuration(kv.expiresAt - now)
}

/** Table header and rows for records. The TTL column appears only when some record has one. */
export function recordTable(records: readonly KeyValue[], enc: RecordEncodings, keysOnly = false): {head: string[]; rows: string[][]} {
  const withTtl = records.some((r) => r.expiresAt !== undefined)
  const head = ['KEY', ...(keysOnly ? [] : ['VALUE']), ...(withTtl ? ['TTL'] : [])]
  const now = Date.now()
  const rows = records.map((r) => [
    formatText(r.key, enc.key),
    ...(keysOnly ? [] : [formatText(r.value, enc.value)]),
    ...(withTtl ? [ttlText(r, now)] : []),
  ])
  return {head, rows}
}

/** A record as get and scan show it: read through its schema's lazy upgrade, `schemaName` ("NAME@V") the version shown. */
export type ShownRecord = KeyValue & {readonly schemaName?: string}

/** How get and scan show a key/value record (record-list.ts); `keysOnly` leaves values out. */
export function keyValueShape(enc: RecordEncodings, keysOnly = false): RecordShape<ShownRecord> {
  return {
    json: (kv) => recordToJson(kv, enc, keysOnly, kv.schemaName),
    text: (kv) => recordToText(kv, enc, keysOnly),
    table: (records) => recordTable(records, enc, keysOnly),
  }
}

/** Longest key shown in a message before it is cut with "…". */
const MESSAGE_KEY_CHARS = 80

/** A key for messages (stderr), escaped, quoted under utf8, cut if long. */
export function keyForMessage(key: Uint8Array, enc: Encoding): string {
  const text = enc === 'utf8' ? escapeText(key).replace(/"/g, '\\"') : formatText(key, enc)
  const cut = text.length > MESSAGE_KEY_CHARS ? `${text.slice(0, MESSAGE_KEY_CHARS)}…` : text
  return enc === 'utf8' ? `"${cut}"` : cut
}

/** Keys for a message: at most `max` named, then "and N more". */
export function keysForMessage(keys: readonly Uint8Array[], enc: Encoding, max = 10): string {
  const named = keys.slice(0, max).map((k) => keyForMessage(k, enc)).join(', ')
  return keys.length > max ? `${named} and ${keys.length - max} more` : named
}
