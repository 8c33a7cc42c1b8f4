/**
 * One line of NDJSON bulk input (`importNdjson`, `put --batch`). Grammar (one JSON object per line):
 *
 *   {"key": K, "value": V}                       put
 *   {"key": K, "value": V, "ttl": "30s" | 30000} put with a time to live (a JSON number is ms)
 *   {"key": K, "value": V, "expiresAt": 1767225600000 | "2026-01-01T00:00:00Z"}
 *                                                put with an absolute expiry (as get/scan print it)
 *   {"key": K, "value": V, "json": true}         value is JSON text: checked and marked
 *   {"key": K, "value": <any JSON>, "valueEncoding": "json"}  value given as JSON itself (as get/scan print it)
 *   {"key": K, "value": V, "schema": "NAME@V"}   value is JSON validated against that schema version
 *                                                (NAME alone: the latest) and stamped with it
 *   {"key": K, "delete": true}                   delete
 *
 * Encodings: "encoding": "utf8|hex|base64" sets both key and value;
 * "keyEncoding" / "valueEncoding" set one (and win over "encoding"). Without
 * them the command's --key-encoding / --value-encoding apply. "shard" and
 * "seq" (printed by get/scan) are accepted and ignored. Any other field is an
 * error, so a typo never silently drops data.
 *
 * A record whose expiresAt is already past is applied as a delete (the key
 * would be invisible anyway, and an older version must not reappear).
 */
import {invalidArgument} from '../errors.js'
import {MAX_KEY_BYTES, MAX_VALUE_BYTES} from '../record/format.js'
import {MAX_EXPIRES_AT, expiresAtProblem, expiryAfter} from '../record/limits.js'
import {parseDuration} from '../codec/duration.js'
import {ENCODINGS, decodeInput, parseEncoding, tryDecodeInput, type Encoding} from '../codec/encoding.js'
import {assertJsonText} from '../codec/json-value.js'
import {memberText} from '../codec/json-raw.js'
import {checkKey, checkValueSize} from '../codec/limits.js'

/** A parsed batch line. */
export type BatchLine =
  | {readonly kind: 'put'; readonly key: Buffer; readonly value: Buffer; readonly ttlMs?: number; readonly expiresAt?: number; readonly json: boolean; readonly schema?: string}
  | {readonly kind: 'delete'; readonly key: Buffer; readonly expired: boolean}

const FIELDS = new Set(['key', 'value', 'delete', 'ttl', 'expiresAt', 'json', 'encoding', 'keyEncoding', 'valueEncoding', 'shard', 'seq', 'schema'])
const ENCODING_NAMES: ReadonlySet<unknown> = new Set(ENCODINGS)

// The helpers below build an error's "line N: ..." text only when the input is
// bad: a load runs them for every line.

function encodingField(name: unknown, n: number, field: string): Encoding {
  return ENCODING_NAMES.has(name) ? name as Encoding : parseEncoding(name, `line ${n}: "${field}"`)
}

function decodeField(text: string, enc: Encoding, n: number, field: 'key' | 'value'): Buffer {
  return tryDecodeInput(text, enc) ?? decodeInput(text, enc, `line ${n}: ${field}`)
}

/** Parses and fully validates line `n`; throws INVALID_ARGUMENT naming the line. */
export function parseBatchLine(text: string, n: number, defaults: {readonly key: Encoding; readonly value: Encoding}, now: number): BatchLine {
  const fail = (msg: string, hint?: string): never => {
    throw invalidArgument(`line ${n}: ${msg}`, hint)
  }
  let obj: unknown
  try {
    obj = JSON.parse(text)
  } catch (err) {
    fail(`not valid JSON (${(err as Error).message})`)
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return fail('expected a JSON object like {"key":"k","value":"v"}')
  const rec = obj as Record<string, unknown>
  for (const field of Object.keys(rec)) if (!FIELDS.has(field)) fail(`unknown field ${JSON.stringify(field)}`)

  const both = rec.encoding === undefined ? undefined : encodingField(rec.encoding, n, 'encoding')
  const keyEnc = rec.keyEncoding === undefined ? both ?? defaults.key : encodingField(rec.keyEncoding, n, 'keyEncoding')
  const valueJson = rec.valueEncoding === 'json'
  const valueEnc = valueJson || rec.valueEncoding === undefined ? both ?? defaults.value : encodingField(rec.valueEncoding, n, 'valueEncoding')

  if (typeof rec.key !== 'string') fail(rec.key === undefined ? 'missing "key"' : '"key" must be a string')
  const key = decodeField(rec.key as string, keyEnc, n, 'key')
  if (key.length === 0 || key.length > MAX_KEY_BYTES) checkKey(key, `line ${n}: key`)

  if (rec.delete !== undefined && typeof rec.delete !== 'boolean') fail('"delete" must be true or false')
  if (rec.delete === true) {
    for (const f of ['value', 'ttl', 'expiresAt', 'json', 'schema']) if (rec[f] !== undefined) fail(`a delete line cannot have "${f}"`)
    return {kind: 'delete', key, expired: false}
  }

  if (rec.value === undefined) fail('missing "value" (or "delete": true)')
  if (rec.json !== undefined && typeof rec.json !== 'boolean') fail('"json" must be true or false')
  if (valueJson && rec.json === false) fail('"valueEncoding": "json" needs "json" true or absent')
  if (rec.schema !== undefined && typeof rec.schema !== 'string') fail('"schema" must be a string "NAME" or "NAME@VERSION"')
  if (rec.schema !== undefined && rec.json === false) fail('a value with "schema" is JSON: "json" must be true or absent')
  const schema = rec.schema as string | undefined
  const json = valueJson || rec.json === true || schema !== undefined
  let value: Buffer
  if (valueJson) {
    // The value's own text in the line, so stored JSON is copied verbatim (json-raw.ts).
    value = Buffer.from(memberText(text, 'value') ?? JSON.stringify(rec.value), 'utf8')
  } else {
    if (typeof rec.value !== 'string') fail('"value" must be a string (or use "valueEncoding": "json")')
    value = decodeField(rec.value as string, valueEnc, n, 'value')
    if (json) assertJsonText(value, `line ${n}: value ("json": true)`)
  }
  if (value.length > MAX_VALUE_BYTES) checkValueSize(value.length, `line ${n}: value`)

  if (rec.ttl !== undefined && rec.expiresAt !== undefined) fail('give "ttl" or "expiresAt", not both')
  // Expiries are checked against the engine's record limit (expiresAtProblem,
  // expiryAfter): a line is refused here, never accepted and then unreadable.
  let ttlMs: number | undefined
  if (rec.ttl !== undefined) {
    if (typeof rec.ttl === 'number') {
      if (!Number.isInteger(rec.ttl) || rec.ttl <= 0) fail(`"ttl" ${rec.ttl} must be a positive whole number of milliseconds`)
      ttlMs = rec.ttl
    } else if (typeof rec.ttl === 'string') {
      ttlMs = parseDuration(rec.ttl, {what: `line ${n}: "ttl"`})
    } else {
      fail('"ttl" must be a duration string ("30s") or milliseconds')
    }
    const at = expiryAfter(ttlMs, now)
    if (typeof at === 'string') fail(`"ttl" ${JSON.stringify(rec.ttl)} puts the expiry past the latest a record holds (${MAX_EXPIRES_AT} ms since the epoch)`)
  }
  if (rec.expiresAt !== undefined && rec.expiresAt !== null) {
    const at = typeof rec.expiresAt === 'number' ? rec.expiresAt
      : typeof rec.expiresAt === 'string' ? Date.parse(rec.expiresAt) : Number.NaN
    if (typeof rec.expiresAt !== 'number' && Number.isNaN(at)) fail(`"expiresAt" ${JSON.stringify(rec.expiresAt)} is not a time (ms since the epoch or an ISO 8601 date)`)
    const problem = expiresAtProblem(at)
    if (problem !== undefined) fail(`"expiresAt" ${JSON.stringify(rec.expiresAt)}: ${problem}`)
    if (at <= now) return {kind: 'delete', key, expired: true}
    // Absolute, so an exported record keeps its expiry to the millisecond.
    return {kind: 'put', key, value, expiresAt: at, json, ...(schema === undefined ? {} : {schema})}
  }
  const put = {kind: 'put' as const, key, value, json, ...(schema === undefined ? {} : {schema})}
  return ttlMs === undefined ? put : {...put, ttlMs}
}
