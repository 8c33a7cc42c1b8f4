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
import {instantOf, keySelection, liveEntries, type KeySelection, type KeySelectionOptions} from '../store/live-entries.js'
import {openReadSource, type ReadSource} from '../cut/read-source.js'
import {shardSnapshot} from '../store/open.js'
import {forEachNewest} from '../store/in-place-merge.js'
import {GenerationMoved} from '../store/generation-follow.js'
import type {Entry} from '../record/format.js'
import type {Store} from '../api.js'
import {DIGEST_VERSION, RecordHasher} from './format.js'
import {Sum256} from './sum256.js'

/** Options for `digestStore`. Bounds are bytewise; the range is [from, to). */
export interface DigestOptions extends KeySelectionOptions {
  /** Only this shard (0 .. shardCount - 1). */
  readonly shard?: number
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
export async function digestStore(source: ReadSource, options: DigestOptions = {}): Promise<StoreDigest> {
  const at = instantOf(options.at)
  const selection = keySelection(options)
  // A store in a directory that a shard-rebalance switches to its next generation
  // while it is read is read again whole, on the new one: a digest never sums a mix.
  for (let attempt = 1; ; attempt++) {
    try {
      return await digestOnce(source, options, at, selection)
    } catch (err) {
      if (!(err instanceof GenerationMoved) || typeof source !== 'string' || attempt >= MOVE_RETRIES) throw err
    }
  }
}

/** Generation switches a digest of a directory follows before it gives up. */
const MOVE_RETRIES = 5

async function digestOnce(source: ReadSource, options: DigestOptions, at: number, selection: KeySelection): Promise<StoreDigest> {
  const {store, release} = await openReadSource(source, options.fs)
  try {
    let targets = [...Array(store.shardCount).keys()]
    if (options.shard !== undefined) {
      if (!Number.isInteger(options.shard) || options.shard < 0 || options.shard >= store.shardCount) {
        throw invalidArgument(`shard ${options.shard} does not exist (the store has shards 0 to ${store.shardCount - 1})`)
      }
      targets = [options.shard]
    }
    const view = options.view
    const hasher = new RecordHasher()
    const total = new Sum256()
    const shards: ShardDigest[] = []
    let records = 0
    for (const [n, index] of targets.entries()) {
      const {sum, records: count} = sumShard(store, index, selection, at, hasher, view)
      total.addSum(sum)
      records += count
      shards.push({shard: index, digest: sum.hex(), records: count})
      options.onProgress?.(n + 1, targets.length)
    }
    return {digest: total.hex(), records, at, version: DIGEST_VERSION, shardCount: store.shardCount, shards}
  } finally {
    await release()
  }
}

/** One shard's selected live records, summed: see `sumShard`. */
export interface ShardSum {
  readonly sum: Sum256
  readonly records: number
  /** How many of those records carry an expiry (so the sum can change with time alone). */
  readonly expiring: number
}

/**
 * @internal The sum of the hashes of shard `index`'s live records of
 * `selection` at `at` (each through `view` if given): the per-shard step of
 * `digestStore`, for callers that hold a store open and digest shard by
 * shard (a replica's cut digest).
 */
export function sumShard(store: Store, index: number, selection: KeySelection, at: number, hasher = new RecordHasher(), view?: (e: Entry) => Entry): ShardSum {
  const whole = selection.from === undefined && selection.to === undefined && selection.prefix === undefined && !selection.empty
  if (view === undefined && whole) return sumShardInPlace(store, index, at, hasher)
  const sum = new Sum256()
  let records = 0
  let expiring = 0
  for (const e of liveEntries(store, index, selection, at)) {
    sum.addLatin1(hasher.hash(view === undefined ? e : view(e)))
    records++
    if (e.expiresAt !== undefined) expiring++
  }
  return {sum, records, expiring}
}

/**
 * @internal sumShard over the whole shard, its records read where they lie
 * (store/in-place-merge.ts) instead of decoded into entries: the same sum,
 * at a fraction of the objects per record.
 */
export function sumShardInPlace(store: Store, index: number, at: number, hasher = new RecordHasher()): ShardSum {
  const sum = new Sum256()
  let records = 0
  let expiring = 0
  const snap = shardSnapshot(store, index)
  try {
    forEachNewest(snap.cursors(), (r) => {
      if (!r.isLive(at)) return
      sum.addLatin1(hasher.hashInPlace(r))
      records++
      if (r.expiresAt !== undefined) expiring++
    })
  } finally {
    snap.release()
  }
  return {sum, records, expiring}
}
