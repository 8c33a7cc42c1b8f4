/**
 * The limits of every field of a record: one rule, used by the write path
 * before anything is written (store.batch, the WAL and table encoders, the
 * CLI's argument and NDJSON checks) and by the decoder on what it reads. A
 * record the writer accepts is therefore always one the reader decodes; the
 * two cannot drift because there is only this one definition.
 *
 * The limits follow from the entry layout (record/format.ts):
 * - key: 1 .. MAX_KEY_BYTES bytes; value: 0 .. MAX_VALUE_BYTES stored bytes,
 *   and none for a tombstone;
 * - seq, schema id and schema version: varints, read as JavaScript safe
 *   integers, so 0 .. 2^53 - 1;
 * - expires_at: a u64 of milliseconds since the epoch, read as a safe integer,
 *   so 0 .. MAX_EXPIRES_AT (about the year 287396);
 * - codec: one of ValueCodec; json: a flag bit.
 *
 * Each check returns undefined when the field is valid, else a short reason
 * ("expiry 1e+19 is past the latest ..."): the caller adds its context (a
 * line number, a flag name) and its error kind (INVALID_ARGUMENT on write,
 * CORRUPTION on read). Messages are built only on failure: these run for
 * every record.
 */
import {Kind, MAX_KEY_BYTES, MAX_VALUE_BYTES, ValueCodec, type Entry} from './format.js'

/** Latest expiry a record can carry, in ms since the epoch (2^53 - 1). */
export const MAX_EXPIRES_AT = Number.MAX_SAFE_INTEGER
/** Largest sequence number, schema id and schema version (varints read as safe integers). */
export const MAX_RECORD_NUMBER = Number.MAX_SAFE_INTEGER

/** Why a key of `length` bytes cannot be stored, or undefined. */
export function keyLengthProblem(length: number): string | undefined {
  if (length >= 1 && length <= MAX_KEY_BYTES) return undefined
  return length === 0 ? `key is empty; keys are 1 to ${MAX_KEY_BYTES} bytes` : `key is ${length} bytes; the limit is ${MAX_KEY_BYTES}`
}

/** Why a value of `length` stored bytes cannot be stored, or undefined. */
export function valueLengthProblem(length: number): string | undefined {
  if (length <= MAX_VALUE_BYTES) return undefined
  return `value is ${length} bytes; the limit is ${MAX_VALUE_BYTES} (64 MiB)`
}

/** Why `at` is not a storable expiry (an integer of ms since the epoch, 0 .. MAX_EXPIRES_AT), or undefined. */
export function expiresAtProblem(at: unknown): string | undefined {
  if (typeof at === 'number' && Number.isSafeInteger(at) && at >= 0) return undefined
  if (typeof at === 'number' && Number.isInteger(at) && at > MAX_EXPIRES_AT) {
    return `expiry ${at} is past the latest a record holds (${MAX_EXPIRES_AT} ms since the epoch)`
  }
  return `expiry ${describe(at)} is not a non-negative integer of ms since the epoch`
}

/**
 * The expiry of a record written at `now` with a time to live of `ttlMs`
 * (rounded up to whole milliseconds), or a reason it has none: the TTL must
 * be a positive finite number and the expiry must pass expiresAtProblem.
 */
export function expiryAfter(ttlMs: unknown, now: number): number | string {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || !(ttlMs > 0)) {
    return `ttl must be a positive number of milliseconds, got ${describe(ttlMs)}`
  }
  const at = Math.ceil(now + ttlMs)
  if (expiresAtProblem(at) === undefined) return at
  return `ttl ${ttlMs} ms puts the expiry past the latest a record holds (${MAX_EXPIRES_AT} ms since the epoch)`
}

/** Why `n` is not a storable sequence number, schema id or version, or undefined. */
export function recordNumberProblem(n: unknown, what: string): string | undefined {
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return undefined
  return `${what} ${describe(n)} is not an integer from 0 to ${MAX_RECORD_NUMBER}`
}

/** Why `e` cannot be encoded as a record the decoder accepts, or undefined. */
export function entryProblem(e: Entry): string | undefined {
  if (e.kind !== Kind.PUT && e.kind !== Kind.DELETE) return `unknown entry kind ${describe(e.kind)}`
  const problem = keyLengthProblem(e.key.length) ??
    valueLengthProblem(e.value.length) ??
    recordNumberProblem(e.seq, 'sequence number') ??
    (e.expiresAt === undefined ? undefined : expiresAtProblem(e.expiresAt))
  if (problem !== undefined) return problem
  if (e.kind === Kind.DELETE && e.value.length !== 0) return 'a tombstone has no value'
  if (e.json !== undefined && typeof e.json !== 'boolean') return `json flag ${describe(e.json)} is not true or false`
  if (e.codec !== undefined && e.codec !== ValueCodec.RAW && e.codec !== ValueCodec.ZLIB) return `unknown value codec ${describe(e.codec)}`
  if (e.schema !== undefined) return recordNumberProblem(e.schema.id, 'schema id') ?? recordNumberProblem(e.schema.version, 'schema version')
  return undefined
}

/** A value as it reads in a message: numbers as JavaScript prints them, anything else as JSON or its type. */
function describe(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
  if (v === null || v === undefined || typeof v === 'boolean') return String(v)
  return `(${typeof v})`
}
