/**
 * How a key/value record is printed in each format. One shape for `get` and
 * `scan` (and, later, `dump`), so NDJSON output can be fed back to
 * `put --batch`.
 *
 * JSON record (stable; fields may be added, never removed or retyped):
 *   {
 *     "key": string,            // in keyEncoding
 *     "keyEncoding": "utf8" | "hex" | "base64",
 *     "value": string | any,    // absent with --keys-only
 *     "valueEncoding": "utf8" | "hex" | "base64" | "json",   // absent with --keys-only
 *     "json": boolean,          // the value was written with put --json
 *     "expiresAt": number|null, // ms since the epoch
 *     "shard": number,
 *     "seq": number,
 *     "schema": "NAME@V"        // only for a record stamped with a schema: the version shown
 *   }
 * Under utf8, bytes that are not valid UTF-8 are given in base64 and the
 * encoding field says "base64". A value marked JSON is given under utf8 as
 * the stored JSON text itself, verbatim ("valueEncoding": "json"; never
 * parsed and re-serialised, which would change big numbers, 1e400, -0 and
 * duplicate names; see json-raw.ts); under hex/base64 it is given as
 * encoded bytes like any other value. Print records with stringifyJson.
 */
import type {KeyValue} from '../../engine.js'
import {escapeText, formatJson, formatText, type Encoding} from '../input/encoding.js'
import {formatDuration} from '../input/duration.js'
import {RawJson} from './json-raw.js'

/** The encodings chosen by --key-encoding / --value-encoding. */
export interface RecordEncodings {
  readonly key: Encoding
  readonly value: Encoding
}

/** A record in JSON output. */
export interface RecordJson {
  readonly key: string
  readonly keyEncoding: Encoding
  readonly value?: unknown
  readonly valueEncoding?: Encoding | 'json'
  readonly json: boolean
  readonly expiresAt: number | null
  readonly shard: number
  readonly seq: number
  readonly schema?: string
}

/** The JSON shape of `kv`; `keysOnly` leaves the value out; `schema` ("NAME@V") names its schema version. */
export function recordToJson(kv: KeyValue, enc: RecordEncodings, keysOnly = false, schema?: string): RecordJson {
  const key = formatJson(kv.key, enc.key)
  const base = {key: key.text, keyEncoding: key.encoding}
  const tail = {json: kv.json, expiresAt: kv.expiresAt ?? null, shard: kv.shard, seq: kv.seq, ...(schema === undefined ? {} : {schema})}
  if (keysOnly) return {...base, ...tail}
  if (kv.json && enc.value === 'utf8') {
    const raw = RawJson.fromBytes(kv.value)
    if (raw !== undefined) return {...base, value: raw, valueEncoding: 'json', ...tail}
  }
  const value = formatJson(kv.value, enc.value)
  return {...base, value: value.text, valueEncoding: value.encoding, ...tail}
}

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
