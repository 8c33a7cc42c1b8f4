/**
 * The whole-shard sums of a store read through a view of fixed files (a
 * held cut's, or the files a restore has just written), on two threads
 * where that pays: a replicate's first cut and a restore's full check hash
 * every record of the store, and SHA-256 per record is most of their time.
 *
 * The files are fixed (pinned by a cut, or private to a restore not yet
 * renamed into place), so a worker thread opens its own view of the same
 * manifests and WAL lengths and sees exactly the records this thread sees.
 * Both threads claim the next shard not yet claimed (an atomic counter both
 * see) until none is left; the worker sends each sum as it is done. A
 * failure on either thread fails the whole call, with the worker's error
 * revived as the same StrataError (a damaged table is CORRUPTION whichever
 * thread read it).
 *
 * The files may also still be arriving (a restore writing them): with a
 * ShardFeed, each shard's manifest and WAL length are given as its files
 * are complete, and the worker sums a shard it claimed only once it is;
 * this thread joins once `startAfter` settles, when every shard must be.
 *
 * One thread only on a filesystem other than Node's (a worker cannot share
 * another FileSystem object, such as the fault-injecting one), on a machine
 * with one core, for a single shard, or below `minParallelBytes` of tables,
 * where starting the worker costs more than it saves.
 */
import {availableParallelism} from 'node:os'
import {Worker} from 'node:worker_threads'
import type {FileSystem} from '../vfs/fs.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import type {ViewAt} from '../store/shard-types.js'
import {openViewAt} from '../store/open.js'
import {WorkerLink} from '../util/thread-wire.js'
import {sumShardInPlace} from './digest-store.js'
import {RecordHasher} from './format.js'
import {Sum256} from './sum256.js'

/** The files a view reads: the store's folder, its descriptor, and per shard (in shard order) its manifest and WAL length. */
export interface ViewSpec {
  readonly dir: string
  readonly descriptor: StoreDescriptor
  readonly at: readonly ViewAt[]
}

/** One shard's live records at the instant asked for, summed. */
export interface ShardTotal {
  readonly shard: number
  readonly sum: Sum256
  readonly records: number
  /** How many of those records carry an expiry. */
  readonly expiring: number
}

/** Tables below which the sums stay on one thread. */
export const MIN_PARALLEL_BYTES = 8 * 1024 * 1024

/** @internal What the worker is given. With `fed`, spec.at is empty and each shard's arrives in a 'ready' message. */
export interface ViewSumsJob {
  readonly spec: ViewSpec
  readonly shards: readonly number[]
  readonly at: number
  readonly claims: SharedArrayBuffer
  readonly fed: boolean
}

/** @internal What the worker is sent: shard `shard`'s files are complete, to be read at `at`. */
export interface ShardReady {
  readonly type: 'ready'
  readonly shard: number
  readonly at: ViewAt
}

/**
 * The shards of a view whose files are still being written, given one by
 * one as each is complete (see the file comment). `spec.at` fills in as
 * they are.
 */
export class ShardFeed {
  readonly spec: ViewSpec
  /** By shard, those given so far (the others are holes). */
  private readonly at: ViewAt[] = []
  private link: WorkerLink<ShardReady, FromViewSumsWorker> | undefined

  /** `tableBytes`: about what the shards' files will hold, to decide whether a worker helps. */
  constructor(
    dir: string,
    descriptor: StoreDescriptor,
    readonly tableBytes: number,
  ) {
    this.spec = {dir, descriptor, at: this.at}
  }

  /** Shard `shard`'s files are complete: read it at `at`. */
  ready(shard: number, at: ViewAt): void {
    this.at[shard] = at
    this.link?.send({type: 'ready', shard, at})
  }

  /** Whether every shard of `shards` was given. */
  has(shards: readonly number[]): boolean {
    return shards.every((s) => this.at[s] !== undefined)
  }

  /** @internal The worker's link: the shards given so far are sent now, later ones as they come. */
  attach(link: WorkerLink<ShardReady, FromViewSumsWorker>): void {
    this.link = link
    this.at.forEach((at, shard) => link.send({type: 'ready', shard, at}))
  }
}

/** @internal What the worker sends. */
export type FromViewSumsWorker = {readonly type: 'shard'; readonly index: number; readonly digest: string; readonly records: number; readonly expiring: number} | {readonly type: 'done'}

export interface ViewSumsOptions {
  readonly fs?: FileSystem
  /** Tables (bytes, over the shards summed) from which a worker helps. Default MIN_PARALLEL_BYTES. */
  readonly minParallelBytes?: number
  /**
   * This thread joins the sums only once this settles (the worker, if any,
   * starts at once): a caller with other work for this thread meanwhile
   * (a replicate's uploads) passes it. If it rejects, so does the call, with
   * the worker stopped.
   */
  readonly startAfter?: Promise<unknown>
  /** The shards' files are still being written: `spec` is this feed's, and `startAfter` settles once every shard was given. */
  readonly feed?: ShardFeed
  /** @internal For tests: every shard is summed by the worker (which then always starts), this thread only waits. */
  readonly helperOnly?: boolean
}

/** The sums of `shards` of the view `spec` at `at` (ms since the epoch), in the order of `shards`; see the file comment. */
export async function sumViewShards(spec: ViewSpec, shards: readonly number[], at: number, options: ViewSumsOptions = {}): Promise<ShardTotal[]> {
  const fs = options.fs ?? nodeFileSystem
  const results = new Array<ShardTotal | undefined>(shards.length).fill(undefined)
  const counter = new SharedArrayBuffer(4)
  const claims = new Int32Array(counter)
  const feed = options.feed
  const tableBytes = feed?.tableBytes ?? shards.reduce((n, s) => n + spec.at[s].manifest.tables.reduce((m, t) => m + t.fileSize, 0), 0)
  const helperOnly = options.helperOnly === true
  const helped = helperOnly || (fs === nodeFileSystem && shards.length >= 2 && availableParallelism() >= 2 && tableBytes >= (options.minParallelBytes ?? MIN_PARALLEL_BYTES))
  const job: ViewSumsJob = {spec: feed === undefined ? spec : {...spec, at: []}, shards, at, claims: counter, fed: feed !== undefined}
  const link = helped ? new WorkerLink<ShardReady, FromViewSumsWorker>(new Worker(new URL('./view-sums-worker.js', import.meta.url), {workerData: job}), 'the digest\'s other thread', 'digest thread') : undefined
  if (link !== undefined) feed?.attach(link)
  try {
    await options.startAfter
    if (feed !== undefined && !feed.has(shards)) throw new Error('sumViewShards: startAfter settled before every shard was given to the feed')
    const view = openViewAt(spec.dir, spec.descriptor, spec.at, {fs})
    try {
      const hasher = new RecordHasher()
      for (let i = helperOnly ? shards.length : Atomics.add(claims, 0, 1); i < shards.length; i = Atomics.add(claims, 0, 1)) {
        results[i] = {shard: shards[i], ...sumShardInPlace(view, shards[i], at, hasher)}
      }
    } finally {
      await view.close()
    }
    while (results.includes(undefined)) {
      const m = await link!.expect('shard')
      const sum = new Sum256()
      sum.addHex(m.digest)
      results[m.index] = {shard: shards[m.index], sum, records: m.records, expiring: m.expiring}
    }
    return results as ShardTotal[]
  } finally {
    await link?.close()
  }
}
