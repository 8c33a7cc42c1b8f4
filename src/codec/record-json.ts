/**
 * The JSON shape of a key/value record, shared by `get`, `scan`, `dump` and
 * the NDJSON export, so any of their NDJSON output can be fed back to
 * `put --batch` / `importNdjson`.
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
 *
 * An export line (`exportLineJson`) always gives the value as its bytes, a
 * JSON value too (then "json": true), so a record round-trips byte for byte.
 */
import type {KeyValue} from '../api.js'
import {formatJson, type Encoding} from './encoding.js'
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

/** A delete line: {"key", "keyEncoding", "delete": true, "shard", "seq"}. */
export interface DeleteLineJson {
  readonly key: string
  readonly keyEncoding: Encoding
  readonly delete: true
  readonly shard: number
  readonly seq: number
}

/**
 * `kv` as an NDJSON import line (see the file comment): a put with its value
 * as encoded bytes, or with `asDelete` a delete of its key. Holds no RawJson,
 * so JSON.stringify writes it.
 */
export function exportLineJson(kv: KeyValue, enc: RecordEncodings, asDelete = false): RecordJson | DeleteLineJson {
  if (asDelete) {
    const key = formatJson(kv.key, enc.key)
    return {key: key.text, keyEncoding: key.encoding, delete: true, shard: kv.shard, seq: kv.seq}
  }
  return {...recordToJson({...kv, json: false}, enc), json: kv.json}
}
