/**
 * The store: a STORE descriptor plus N independent shards. Routes each key to
 * its shard (jump consistent hash), applies the sync mode, triggers flushes
 * and compactions, and merges shards for scans.
 *
 * The concerns live beside it: write-input.ts (validation, batches by shard),
 * sync-mode.ts (when WALs are synced), read-adapters.ts (scan bounds,
 * KeyValue, the async iterator), store-scan.ts (the merged scan of all
 * shards), explain.ts (explain and stats),
 * shard-context.ts (settings and what each shard is given), shard-slots.ts
 * (the shards, opened on first use, and how a read-only store recovers when
 * files vanish under it), open.ts
 * (opening: the lock, leftovers, then this class).
 */
import {ErrorCode, StrataError, invalidArgument, ioError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {isLive, type Entry, type SchemaRef} from '../record/format.js'
import {hashKey, shardOfHash} from '../util/hash.js'
import type {BatchOp, CompactOptions, CompactionReport, KeyExplanation, KeyValue, OpenOptions, PutOptions, ScanOptions, ShardStats, Store, StoreStats, SyncMode} from '../api.js'
import type {StoreDescriptor} from './descriptor.js'
import type {WriterLock} from './lock.js'
import type {Shard, ShardContext, ViewAt} from './shard.js'
import {ScanLeases} from './scan-leases.js'
import {cleanDeadPins} from '../cut/pin-cleaner.js'
import {pinCut, readShardState, shardCut, type StoreCut} from '../cut/cut.js'
import {compactTargets, planBatch, toKey} from './write-input.js'
import {WalSyncer} from './sync-mode.js'
import {asyncIterator, toKeyValue} from './read-adapters.js'
import {scanShards} from './store-scan.js'
import {explainVersions, storeStats} from './explain.js'
import {backgroundWork, storeSettings} from './shard-context.js'
import {BackgroundWorker} from './background.js'
import {GenerationMoved} from './generation-follow.js'
import type {ShardSnapshot} from './shard-snapshot.js'
import {ShardSlots} from './shard-slots.js'

/** At close, a memtable whose WAL is at least this big is flushed, so the next open replays little. */
const CLOSE_FLUSH_BYTES = 1024 * 1024
/** Compactions one write call may run inline (bounded work on the write path). */
const STEPS_PER_WRITE = 1
/** Compactions close() may run to leave no compaction due (bounded work per command). */
const STEPS_AT_CLOSE = 16

/** The store behind the `Store` interface; made by `open` (open.ts). */
export class StoreImpl implements Store {
  readonly readOnly: boolean
  /** The shards, opened on first use; they follow a rebalance when read-only (shard-slots.ts). */
  private readonly slots: ShardSlots
  private readonly now: () => number
  private readonly walFlushBytes: number
  /** Snapshots held by open scans. */
  private readonly scans = new ScanLeases()
  private closed = false
  /** Set by the first failed write or sync: the store refuses further writes (fail-stop). */
  private fatal: unknown
  private readonly syncer: WalSyncer
  /** The background worker when flushes and compactions run there (OpenOptions.background). */
  private readonly worker: BackgroundWorker | undefined

  constructor(
    readonly dir: string,
    private readonly fs: FileSystem,
    desc: StoreDescriptor,
    options: OpenOptions,
    syncMode: SyncMode,
    private lock: WriterLock | undefined,
    /** A view at fixed states (a cut): shard i is read at viewAt[i], not at its CURRENT. */
    viewAt?: readonly ViewAt[],
    /** Read exactly `desc`'s generation, never following STORE to another (a rebalance proving what it built). */
    pinned = false,
  ) {
    this.readOnly = options.readOnly === true
    const settings = storeSettings(options)
    this.worker = backgroundWork(options, fs) ? new BackgroundWorker() : undefined
    const background = this.worker && {worker: this.worker, flushBytes: settings.walFlushBytes, fail: (err: unknown) => void this.fail(err)}
    this.slots = new ShardSlots(fs, dir, desc, this.readOnly, {...settings, ...(background ? {background} : {})}, viewAt, pinned)
    this.now = settings.now
    this.walFlushBytes = settings.walFlushBytes
    this.syncer = new WalSyncer(syncMode, {fail: (err) => this.fail(err), usable: () => !this.closed && this.fatal === undefined})
  }

  /** STORE's shard count, or the new generation's once a read-only store followed a rebalance. */
  get shardCount(): number {
    return this.slots.count
  }

  private get desc(): StoreDescriptor {
    return this.slots.desc
  }

  private check(write: boolean): void {
    if (this.closed) throw new StrataError(ErrorCode.CLOSED, 'store is closed')
    if (this.fatal !== undefined) {
      throw new StrataError(ErrorCode.CLOSED, `store stopped after an earlier failure: ${(this.fatal as Error).message}`, {cause: this.fatal})
    }
    if (write && this.readOnly) throw invalidArgument('store is open read-only')
  }

  private shardOfKey(key: Buffer) {
    const h = hashKey(key)
    return {h, index: shardOfHash(h, this.shardCount)}
  }

  getSync(k: Uint8Array | string): KeyValue | undefined {
    this.check(false)
    const key = toKey(k)
    // slots.following(() => getOnce), spelt out: the point-read path allocates no closure.
    try {
      return this.getOnce(key)
    } catch (err) {
      if (this.slots.follow()) return this.getOnce(key)
      throw err
    }
  }

  private getOnce(key: Buffer): KeyValue | undefined {
    const h = hashKey(key)
    const index = shardOfHash(h, this.shardCount)
    const e = this.slots.entry(index, key, h)
    return e !== undefined && isLive(e, this.now()) ? toKeyValue(e, index) : undefined
  }

  async get(k: Uint8Array | string): Promise<KeyValue | undefined> {
    return this.getSync(k)
  }

  put(key: Uint8Array | string, value: Uint8Array | string, options: PutOptions = {}): Promise<void> {
    return this.batch([{type: 'put', key, value, ...options}])
  }

  delete(key: Uint8Array | string): Promise<void> {
    return this.batch([{type: 'del', key}])
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    this.check(true)
    // Values given with a schema are validated (ajv, loaded only here) before anything is written.
    const stamped = Array.isArray(ops) && ops.some((op) => op?.type === 'put' && op.schema !== undefined)
    return this.batchStamped(ops, stamped ? await (await import('../schema/stamp.js')).schemaRefs(this.dir, this.fs, ops) : undefined)
  }

  /** @internal `batch`, op i stamped with refs.get(i) as given (src/schema's migration; no validation here). */
  async batchStamped(ops: readonly BatchOp[], refs?: ReadonlyMap<number, SchemaRef>): Promise<void> {
    this.check(true)
    // Validate everything before writing anything.
    const perShard = planBatch(ops, this.now(), this.shardCount, refs)
    if (perShard.size === 0) return
    try {
      for (const [index, writes] of perShard) {
        const s = this.slots.get(index)
        s.apply(writes)
        this.syncer.markDirty(s)
      }
    } catch (err) {
      throw this.fail(err)
    }
    this.syncer.countOps(ops.length)
    await this.syncer.afterWrite()
    try {
      for (const index of perShard.keys()) {
        const s = this.slots.opened(index)!
        // In the background a shard starts its due job and makes the write wait only at a stall bound; inline it does bounded work here.
        if (this.worker !== undefined) await s.room()
        else s.maintain(this.walFlushBytes, STEPS_PER_WRITE)
      }
    } catch (err) {
      throw this.fail(err)
    }
  }

  /**
   * @internal Shard `index`'s writer state for a rewrite of the whole shard
   * (src/migrate): its highest sequence number, the level its rewrite
   * belongs at, and its context (settings, block cache) for building tables.
   * Also on a read-only view, for a second thread of such a rewrite while
   * the writer holds the lock: nothing writes, so the view reads the same.
   */
  shardRewriteState(index: number): {lastSeq: number; level: number; ctx: ShardContext} {
    this.check(false)
    const s = this.slots.get(index)
    return {lastSeq: s.lastSeq, level: s.bottomLevel(), ctx: s.context}
  }

  /** @internal Replaces all of shard `index` with the tables at `paths` (Shard.replaceAll). */
  replaceShard(index: number, paths: readonly string[], lastSeq: number): void {
    this.check(true)
    try {
      this.slots.get(index).replaceAll(paths, lastSeq)
    } catch (err) {
      throw this.fail(err)
    }
  }

  /** Records a fatal write-path failure (fail-stop) and returns the error to throw. */
  private fail(err: unknown): unknown {
    if (err instanceof StrataError && err.code === ErrorCode.INVALID_ARGUMENT) return err
    this.fatal ??= err
    return err instanceof StrataError ? err : ioError('write', this.dir, err)
  }

  async flush(): Promise<void> {
    this.check(true)
    try {
      await this.slots.quiet(() => {
        for (let i = 0; i < this.shardCount; i++) {
          const s = this.slots.opened(i)
          if (s !== undefined) {
            s.sync()
            s.flush()
          }
        }
      })
      this.syncer.clear()
    } catch (err) {
      throw this.fail(err)
    }
  }

  async compact(options: CompactOptions = {}): Promise<CompactionReport> {
    const dryRun = options.dryRun === true
    this.check(!dryRun)
    const {targets, from, to} = compactTargets(options, this.shardCount)
    const shards: CompactionReport['shards'][number][] = []
    const run = (): void => {
      for (const [n, i] of targets.entries()) {
        try {
          const s = this.slots.get(i)
          if (!dryRun) s.sync()
          const r = s.compact(dryRun, from, to)
          shards.push({shard: i, ...r, dropped: Math.max(0, r.entriesIn - r.entriesOut)})
        } catch (err) {
          throw dryRun ? err : this.fail(err)
        }
        options.onProgress?.(n + 1, targets.length)
      }
    }
    // With background work, the jobs in flight finish first (a failed one fails this too), and none starts meanwhile.
    if (this.worker === undefined) run()
    else await this.slots.quiet(run)
    return {dryRun, shards}
  }

  scanSync(options: ScanOptions = {}): IterableIterator<KeyValue> {
    this.check(false)
    return scanShards(this.slots, this.scans, this.now, options)
  }

  /** @internal See `newestVersion` (open.ts). */
  newestVersion(key: Buffer): Entry | undefined {
    this.check(false)
    const {h, index} = this.shardOfKey(key)
    return this.slots.read(index, (s) => s.getEntry(key, h))
  }

  /** @internal See `shardVersions`. GenerationMoved if the store followed a rebalance to another generation. */
  shardVersions(index: number, from?: Buffer, to?: Buffer): Generator<Entry> {
    this.check(false)
    try {
      return this.slots.get(index).entries(from, to)
    } catch (err) {
      if (this.slots.follow()) throw new GenerationMoved(this.desc.shardGeneration)
      throw err
    }
  }

  /** @internal See `shardSnapshot`. GenerationMoved as shardVersions. */
  shardSnapshot(index: number): ShardSnapshot {
    this.check(false)
    try {
      return this.slots.get(index).snapshot()
    } catch (err) {
      if (this.slots.follow()) throw new GenerationMoved(this.desc.shardGeneration)
      throw err
    }
  }

  scan(options: ScanOptions = {}): AsyncIterableIterator<KeyValue> {
    return asyncIterator(() => this.scanSync(options))
  }

  explain(k: Uint8Array | string): KeyExplanation {
    this.check(false)
    const key = toKey(k)
    return this.slots.following(() => {
      const {h, index} = this.shardOfKey(key)
      return explainVersions(key, index, this.slots.read(index, (s) => s.versions(key, h)), this.now(), this.desc.shardGeneration)
    })
  }

  stats(): StoreStats {
    this.check(false)
    return this.slots.following(() => {
      const shards: ShardStats[] = []
      for (let i = 0; i < this.shardCount; i++) shards.push(this.slots.read(i, (s) => s.stats()))
      return storeStats(this.dir, this.desc, shards)
    })
  }

  /** @internal Flushes and compactions run by the shards this store opened, since they were opened. */
  activity(): {flushes: number; compactions: number} {
    return this.slots.activity()
  }

  cut(): StoreCut {
    this.check(false)
    if (this.lock === undefined) throw invalidArgument('a cut needs the writer lock: open the store as a writer, or take one with takeCut()')
    try {
      cleanDeadPins(this.fs, this.dir)
      // Opened shards know their state; the others are as the files say (this process holds the lock).
      const shards = this.slots.all().map((s, i) => shardCut(i, s !== undefined ? s.cutState() : readShardState(this.fs, this.dir, i, this.desc.shardGeneration)))
      return pinCut(this.fs, this.dir, this.desc, shards, this.now())
    } catch (err) {
      throw err instanceof StrataError ? err : ioError('cut', this.dir, err)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    // Open scans end here (their next step fails with CLOSED), so that the
    // tables they held are closed, and deleted if obsolete, under the lock.
    this.scans.releaseAll()
    this.syncer.stop()
    // A group commit in flight ends first: its writers learn its outcome, and no sync runs on a closed shard.
    await this.syncer.settled()
    let first: unknown
    // Background jobs in flight finish (installed, or failed: then the store has stopped) and none starts again.
    first = await this.slots.settleAll()
    // After a failed write (a full disk, say) the WALs still hold every write
    // applied before it, intact: they are synced too, so that what the caller
    // was told is applied is durable. A WAL whose own sync failed refuses to
    // sync again (wal/writer.ts), so close then fails instead.
    if (!this.readOnly) {
      try {
        for (const s of this.slots.all()) {
          if (s === undefined) continue
          s.sync()
          if (this.fatal !== undefined) continue
          // Flush a sizeable memtable (not a few small writes: that would leave a tiny
          // table per command), then the compactions that are due, in bounded work.
          s.maintain(Math.min(this.walFlushBytes, CLOSE_FLUSH_BYTES), STEPS_AT_CLOSE)
        }
      } catch (err) {
        first = err instanceof StrataError ? err : ioError('sync', this.dir, err)
      }
    }
    for (const s of this.slots.all()) {
      try {
        s?.close()
      } catch (err) {
        first ??= err
      }
    }
    await this.worker?.stop()
    if (this.lock) {
      await this.lock.release()
      this.lock = undefined
    }
    if (first !== undefined) throw first
  }
}
