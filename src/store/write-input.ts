/**
 * The write path's input checks: keys, values and expiries as the caller
 * gives them, turned into the bytes and numbers a shard stores, and a batch
 * validated whole and split by shard before anything is written.
 */
import {invalidArgument} from '../errors.js'
import {Kind} from '../record/format.js'
import {expiresAtProblem, expiryAfter, keyLengthProblem, valueLengthProblem} from '../record/limits.js'
import {maxEncodedEntryLength} from '../record/codec.js'
import {isWellFormed} from '../util/text.js'
import {MAX_WAL_RECORD_BYTES} from '../wal/format.js'
import {shardOf} from '../util/hash.js'
import type {BatchOp, CompactOptions} from '../api.js'
import {rangeProblem} from './key-range.js'
import type {SchemaRef} from '../record/format.js'
import type {ShardWrite} from './shard-types.js'

/** A tombstone's value: empty, and never written to, so one is shared. */
const NO_VALUE = Buffer.alloc(0)

/**
 * A key, value or bound as bytes. A string is UTF-8; one with a lone
 * surrogate is refused, since UTF-8 cannot hold it and encoding would
 * replace it with U+FFFD, so two different strings would name the same key.
 */
export function toBytes(v: Uint8Array | string, what: string): Buffer {
  if (typeof v === 'string') {
    if (!isWellFormed(v)) throw invalidArgument(`${what} has a lone UTF-16 surrogate, which UTF-8 cannot hold`, 'pass bytes (a Uint8Array) for binary data')
    return Buffer.from(v, 'utf8')
  }
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  throw invalidArgument(`${what} must be a string or bytes`)
}

// The checks below are the record limits of record/limits.ts, the ones the
// decoder enforces: a write is refused before anything is written, never
// accepted and then unreadable.

/** Validates and converts a key. */
export function toKey(k: Uint8Array | string): Buffer {
  const key = toBytes(k, 'key')
  const problem = keyLengthProblem(key.length)
  if (problem !== undefined) throw invalidArgument(problem)
  return key
}

function toValue(v: Uint8Array | string): Buffer {
  const value = toBytes(v, 'value')
  const problem = valueLengthProblem(value.length)
  if (problem !== undefined) throw invalidArgument(problem)
  return value
}

/** The absolute expiry of a put, from its ttlMs or expiresAt option, or undefined. */
function expiryOf(op: {ttlMs?: unknown; expiresAt?: unknown}, now: number): number | undefined {
  const {ttlMs, expiresAt} = op
  if (ttlMs !== undefined && expiresAt !== undefined) throw invalidArgument('give ttlMs or expiresAt, not both')
  if (ttlMs !== undefined) {
    const at = expiryAfter(ttlMs, now)
    if (typeof at === 'string') throw invalidArgument(at)
    return at
  }
  if (expiresAt !== undefined) {
    const problem = expiresAtProblem(expiresAt)
    if (problem !== undefined) throw invalidArgument(`expiresAt: ${problem}`)
    return expiresAt as number
  }
  return undefined
}

/**
 * Validates every operation of a batch and groups them by shard, each
 * shard's part in order. Throws INVALID_ARGUMENT before anything is written.
 * `refs` stamps op i (a put) with schema reference refs.get(i), as JSON.
 */
export function planBatch(ops: readonly BatchOp[], now: number, shardCount: number, refs?: ReadonlyMap<number, SchemaRef>): Map<number, ShardWrite[]> {
  if (!Array.isArray(ops)) throw invalidArgument('batch takes an array of operations')
  const perShard = new Map<number, ShardWrite[]>()
  const shardBytes = new Map<number, number>()
  for (const [i, op] of ops.entries()) {
    if (op === null || typeof op !== 'object') throw invalidArgument('a batch operation must be an object like {type: "put", key, value}')
    const key = toKey(op.key)
    let w: ShardWrite
    if (op.type === 'put') {
      const expiresAt = expiryOf(op, now)
      const put: {-readonly [K in keyof ShardWrite]: ShardWrite[K]} = {kind: Kind.PUT, key, value: toValue(op.value)}
      if (expiresAt !== undefined) put.expiresAt = expiresAt
      if (op.json !== undefined && typeof op.json !== 'boolean') throw invalidArgument(`json must be true or false, got ${typeof op.json}`)
      if (op.json) put.json = true
      const ref = refs?.get(i)
      if (ref !== undefined) {
        put.schema = ref
        put.json = true
      }
      w = put
    } else if (op.type === 'del') {
      w = {kind: Kind.DELETE, key, value: NO_VALUE}
    } else {
      throw invalidArgument(`unknown batch operation type ${JSON.stringify((op as {type: unknown}).type)}`)
    }
    const index = shardOf(key, shardCount)
    let list = perShard.get(index)
    if (list === undefined) perShard.set(index, (list = []))
    list.push(w)
    // Each shard's part is one WAL record: one over the record limit would
    // fail after other shards' parts were written.
    const bytes = (shardBytes.get(index) ?? 4) + maxEncodedEntryLength(w)
    if (bytes > MAX_WAL_RECORD_BYTES) {
      throw invalidArgument(`batch is too large: its part in shard ${index} exceeds ${MAX_WAL_RECORD_BYTES} bytes, the limit of one atomic write`, 'split it into smaller batches')
    }
    shardBytes.set(index, bytes)
  }
  return perShard
}

/** A compaction's options checked: the shards it covers and its key range [from, to). */
export function compactTargets(options: CompactOptions, shardCount: number): {targets: number[]; from?: Buffer; to?: Buffer} {
  let targets = [...Array(shardCount).keys()]
  if (options.shard !== undefined) {
    if (!Number.isInteger(options.shard) || options.shard < 0 || options.shard >= shardCount) {
      throw invalidArgument(`shard ${options.shard} does not exist (the store has shards 0 to ${shardCount - 1})`)
    }
    targets = [options.shard]
  }
  const from = options.from === undefined ? undefined : toBytes(options.from, 'from')
  const to = options.to === undefined ? undefined : toBytes(options.to, 'to')
  const emptyRange = rangeProblem(from, to)
  if (emptyRange !== undefined) throw invalidArgument(emptyRange)
  return {targets, from, to}
}
