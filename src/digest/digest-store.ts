/**
 * The store digest: an order-independent hash of the live logical content of
 * a store (or of one shard, or a key range), judged at one instant.
 *
 * Each live record (a put, not expired at `at`) is hashed by its encoding
 * (format.ts) and the hashes are summed modulo 2^256 (sum256.ts), per shard
 * and in total. Nothing about how the data is stored enters it: not sequence
 * numbers, shards, levels, files or value codecs. So two stores with the same
 * live records have the same digest whatever their shard count, compaction
 * state or history, and the per-shard digests sum to the total.
 *
 * It reads through the store's own read path (a read-only open: no lock, no
 * change to the directory), one shard at a time, each shard a consistent
 * view. Given a cut (src/cut), it reads the store as it was at the cut,
 * every shard at the same instant; given an open store (a cut's view, or a
 * writer's own store), it reads that store and leaves it open. Expiry is judged at the single instant `at` for every shard, so a
 * key that expires while the digest runs counts the same in every shard.
 */
import {invalidArgument} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {isLive, type Entry} from '../record/format.js'
import type {Store} from '../api.js'
import {open, shardVersions} from '../store/open.js'
import {toBytes} from '../store/write-input.js'
import type {StoreCut} from '../cut/cut.js'
import {isStoreCut, openCut} from '../cut/cut-view.js'
import {DIGEST_VERSION, RecordHasher} from './format.js'
import {Sum256} from './sum256.js'

/** Options for `digestStore`. Bounds are bytewise; the range is [from, to). */
export interface DigestOptions {
  /** Only this shard (0 .. shardCount - 1). */
  readonly shard?: number
  /** First key of the range (included). */
  readonly from?: Uint8Array | string
  /** End of the range (excluded). Must not be below `from`. */
  readonly to?: Uint8Array | string
  /** Only keys starting with this; combines with from/to. */
  readonly prefix?: Uint8Array | string
  /** The instant expiry is judged at, ms since the epoch. Default: the clock, read once when the call starts. */
  readonly at?: number
  readonly fs?: FileSystem
  /** Called as each shard finishes. */
  readonly onProgress?: (done: number, total: number) => void
  /**
   * The record hashed for each selected live record, in its place: the digest
   * of a view of the store (the lazy-upgraded records of a schema, for
   * migrate-schema's proof). Default: the record as stored.
   */
  readonly view?: (e: Entry) => Entry
}

/** The digest of one shard's selected live records. */
export interface ShardDigest {
  readonly shard: number
  /** 64 lowercase hex digits. */
  readonly digest: string
  readonly records: number
}

/** The digest of a store's selected live records. */
export interface StoreDigest {
  /** Sum of the record hashes modulo 2^256, as 64 lowercase hex digits (all zeros for no records). */
  readonly digest: string
  /** Live records hashed. */
  readonly records: number
  /** The instant expiry was judged at, ms since the epoch. */
  readonly at: number
  /** Version of the record encoding hashed (formats/README.md). */
  readonly version: number
  readonly shardCount: number
  /** One entry per shard digested, in shard order; their digests sum to `digest`. */
  readonly shards: readonly ShardDigest[]
}

/**
 * Digests the live records of `source`: the store in a directory, a held cut
 * of one, or an open store (left open); see the file comment.
 */
export async function digestStore(source: string | StoreCut | Store, options: DigestOptions = {}): Promise<StoreDigest> {
  const at = options.at ?? Date.now()
  if (!Number.isSafeInteger(at) || at < 0) throw invalidArgument(`at must be a non-negative integer of ms since the epoch, got ${at}`)
  const range = keyRange(options)
  const fsOption = options.fs ? {fs: options.fs} : {}
  const owned = typeof source === 'string' ? await open(source, {readOnly: true, ...fsOption}) : isStoreCut(source) ? openCut(source, fsOption) : undefined
  const store = owned ?? (source as Store)
  try {
    let targets = [...Array(store.shardCount).keys()]
    if (options.shard !== undefined) {
      if (!Number.isInteger(options.shard) || options.shard < 0 || options.shard >= store.shardCount) {
        throw invalidArgument(`shard ${options.shard} does not exist (the store has shards 0 to ${store.shardCount - 1})`)
      }
      targets = [options.shard]
    }
    const hasher = new RecordHasher()
    const total = new Sum256()
    const shards: ShardDigest[] = []
    let records = 0
    const view = options.view
    for (const [n, index] of targets.entries()) {
      const sum = new Sum256()
      let count = 0
      if (!range.empty) {
        for (const e of shardVersions(store, index, range.from, range.to)) {
          // Keys come in order and those with the prefix are contiguous from it: the first key without it ends the range.
          if (range.prefix !== undefined && !startsWith(e.key, range.prefix)) break
          if (!isLive(e, at)) continue
          sum.addLatin1(hasher.hash(view === undefined ? e : view(e)))
          count++
        }
      }
      total.addSum(sum)
      records += count
      shards.push({shard: index, digest: sum.hex(), records: count})
      options.onProgress?.(n + 1, targets.length)
    }
    return {digest: total.hex(), records, at, version: DIGEST_VERSION, shardCount: store.shardCount, shards}
  } finally {
    await owned?.close()
  }
}

interface KeyRange {
  readonly from?: Buffer
  readonly to?: Buffer
  readonly prefix?: Buffer
  /** No key can be selected (from == to, or the prefix lies outside [from, to)). */
  readonly empty: boolean
}

/** The scan bounds of the options: from raised to the prefix; the prefix itself is checked per key. */
function keyRange(options: DigestOptions): KeyRange {
  let from = options.from === undefined ? undefined : toBytes(options.from, 'from')
  const to = options.to === undefined ? undefined : toBytes(options.to, 'to')
  if (from !== undefined && to !== undefined && Buffer.compare(from, to) > 0) {
    throw invalidArgument('the range is reversed: from must not be above to', 'the range is [from, to): from is included, to is not')
  }
  let prefix = options.prefix === undefined ? undefined : toBytes(options.prefix, 'prefix')
  if (prefix !== undefined && prefix.length === 0) prefix = undefined
  if (prefix !== undefined && (from === undefined || Buffer.compare(from, prefix) < 0)) from = prefix
  const empty = from !== undefined && to !== undefined && Buffer.compare(from, to) >= 0
  return {...(from ? {from} : {}), ...(to ? {to} : {}), ...(prefix ? {prefix} : {}), empty}
}

function startsWith(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
}
