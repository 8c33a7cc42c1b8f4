/**
 * The read path's adapters: a scan's options turned into key bounds, a
 * stored entry turned into the KeyValue the API returns, and a synchronous
 * iterator behind the async iterator protocol.
 */
import {invalidArgument} from '../errors.js'
import {isLive, type Entry} from '../record/format.js'
import {logicalValue} from '../record/value.js'
import type {KeyValue, ScanOptions} from '../api.js'
import {rangeProblem} from './key-range.js'
import {toBytes} from './write-input.js'

/** An async scan lets other callbacks run once every this many entries. */
const SCAN_YIELD_EVERY = 1024

/**
 * Steps a synchronous iterator behind the async iterator protocol: one
 * settled promise per item, without an async generator's queueing, and a
 * turn of the event loop every SCAN_YIELD_EVERY items so that a long scan
 * does not starve timers and I/O. The iterator is made on the first next(),
 * so bad options reject that call, as they would in an async generator.
 */
export function asyncIterator<T>(make: () => Iterator<T>): AsyncIterableIterator<T> {
  let it: Iterator<T> | undefined
  let count = 0
  /** The newest promise handed out while a deferred step is outstanding: later calls queue behind it. */
  let last: Promise<IteratorResult<T>> | undefined
  const step = (): IteratorResult<T> => (it ??= make()).next()
  return {
    [Symbol.asyncIterator]() {
      return this
    },
    next(): Promise<IteratorResult<T>> {
      const defer = ++count % SCAN_YIELD_EVERY === 0
      if (last === undefined && !defer) {
        try {
          return Promise.resolve(step())
        } catch (err) {
          return Promise.reject(err)
        }
      }
      const after = (): Promise<IteratorResult<T>> => (defer ? new Promise<void>((r) => setImmediate(r)).then(step) : Promise.resolve().then(step))
      const p: Promise<IteratorResult<T>> = last === undefined ? after() : last.then(after, after)
      last = p
      const settled = (): void => {
        if (last === p) last = undefined
      }
      p.then(settled, settled)
      return p
    },
    return(value?: unknown): Promise<IteratorResult<T>> {
      it?.return?.()
      return Promise.resolve({done: true, value: value as T})
    },
  }
}

/** The API's view of entry `e` of shard `shard`. */
export function toKeyValue(e: Entry, shard: number): KeyValue {
  const kv: {-readonly [K in keyof KeyValue]: KeyValue[K]} = {key: e.key, value: logicalValue(e), seq: e.seq, shard, json: e.json === true}
  if (e.expiresAt !== undefined) kv.expiresAt = e.expiresAt
  if (e.schema !== undefined) kv.schema = e.schema
  return kv
}

/** A scan's options, checked: [from, to) narrowed by the prefix, the limit and the direction. */
export function scanBounds(options: ScanOptions): {from?: Buffer; to?: Buffer; limit?: number; reverse: boolean} {
  let from = options.from === undefined ? undefined : toBytes(options.from, 'from')
  let to = options.to === undefined ? undefined : toBytes(options.to, 'to')
  const emptyRange = rangeProblem(from, to)
  if (emptyRange !== undefined) throw invalidArgument(emptyRange)
  if (options.prefix !== undefined) {
    const p = toBytes(options.prefix, 'prefix')
    if (p.length > 0) {
      if (from === undefined || Buffer.compare(from, p) < 0) from = p
      const end = prefixEnd(p)
      if (end !== undefined && (to === undefined || Buffer.compare(end, to) < 0)) to = end
    }
  }
  const limit = options.limit
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw invalidArgument(`limit must be a non-negative integer, got ${limit}`)
  return {from, to, limit, reverse: options.reverse === true}
}

/** The smallest key greater than every key with prefix `p`, or undefined if none (all 0xff). */
function prefixEnd(p: Buffer): Buffer | undefined {
  const end = Buffer.from(p)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i]++
      return end.subarray(0, i + 1)
    }
  }
  return undefined
}

/**
 * The live entries of one shard's newest-version stream. A scan drops the
 * dead ones per shard, before merging shards: a shard a rebalance kept holds
 * tombstones for the keys that moved out of it (src/rebalance), whose live
 * record now sits in another shard, so a dead version must never compete
 * with another shard's versions of its key. (Live keys of different shards
 * are disjoint: each key routes to one shard.)
 */
export function* liveOnly(entries: Iterable<Entry>, now: number): Generator<Entry> {
  for (const e of entries) if (isLive(e, now)) yield e
}
