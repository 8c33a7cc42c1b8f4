/**
 * The store: a STORE descriptor plus N independent shards. Routes each key to
 * its shard (jump consistent hash), applies the sync mode, triggers flushes
 * and compactions, and merges shards for scans.
 */
import {ErrorCode, StrataError, invalidArgument, ioError, isNotFound} from '../errors.js'
import {descriptorLimit, nodeFileSystem} from '../vfs/node-fs.js'
import {DEFAULT_MAX_OPEN_FILES, MIN_MAX_OPEN_FILES, OpenFiles} from '../vfs/open-files.js'
import type {FileSystem} from '../vfs/fs.js'
import {Kind, isLive, type Entry} from '../record/format.js'
import {logicalValue} from '../record/value.js'
import {expiresAtProblem, expiryAfter, keyLengthProblem, valueLengthProblem} from '../record/limits.js'
import {maxEncodedEntryLength} from '../record/codec.js'
import {isWellFormed} from '../util/text.js'
import {MAX_WAL_RECORD_BYTES} from '../wal/format.js'
import {hashKey, jumpHash, HashId} from '../util/hash.js'
import {BlockCompression} from '../sstable/format.js'
import type {
  BatchOp,
  CompactOptions,
  CompactionReport,
  ExplainedVersion,
  KeyExplanation,
  CreateOptions,
  KeyValue,
  OpenOptions,
  PutOptions,
  ScanOptions,
  ShardStats,
  Store,
  StoreStats,
  SyncMode,
} from '../api.js'
import {readDescriptor, type StoreDescriptor} from './descriptor.js'
import {joinPath, shardDirName} from './files.js'
import {acquireWriterLock, type WriterLock} from './lock.js'
import {Shard, type ShardContext, type ShardWrite, type ViewAt} from './shard.js'
import {DEFAULT_POLICY, type CompactionPolicy} from './compaction.js'
import {BlockCache} from '../sstable/block-cache.js'
import {mergeNewest} from './merge.js'
import {rangeProblem} from './key-range.js'
import {ScanLeases} from './scan-leases.js'
import {VERSION} from '../version.js'
import {cleanDeadPins} from '../cut/pin-cleaner.js'
import {pinCut, readShardState, shardCut, type StoreCut} from '../cut/cut.js'

const DEFAULT_WAL_FLUSH_BYTES = 4 * 1024 * 1024
const DEFAULT_CACHE_BYTES = 8 * 1024 * 1024
/** At close, a memtable whose WAL is at least this big is flushed, so the next open replays little. */
const CLOSE_FLUSH_BYTES = 1024 * 1024
/** Compactions one write call may run inline (bounded work on the write path). */
const STEPS_PER_WRITE = 1
/** Compactions close() may run to leave no compaction due (bounded work per command). */
const STEPS_AT_CLOSE = 16

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
function toKey(k: Uint8Array | string): Buffer {
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

/** Fresh views a read-only read tries when tables vanish under it (a writer in another process compacting). */
const VIEW_RETRIES = 5

/** An async scan lets other callbacks run once every this many entries. */
const SCAN_YIELD_EVERY = 1024

/**
 * Steps a synchronous iterator behind the async iterator protocol: one
 * settled promise per item, without an async generator's queueing, and a
 * turn of the event loop every SCAN_YIELD_EVERY items so that a long scan
 * does not starve timers and I/O. The iterator is made on the first next(),
 * so bad options reject that call, as they would in an async generator.
 */
function asyncIterator<T>(make: () => Iterator<T>): AsyncIterableIterator<T> {
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

function toKeyValue(e: Entry, shard: number): KeyValue {
  const kv: {-readonly [K in keyof KeyValue]: KeyValue[K]} = {key: e.key, value: logicalValue(e), seq: e.seq, shard, json: e.json === true}
  if (e.expiresAt !== undefined) kv.expiresAt = e.expiresAt
  return kv
}

/** The context of shard `index` of the store in `dir`. */
export function shardContext(fs: FileSystem, dir: string, index: number, desc: StoreDescriptor, now: () => number, policy: CompactionPolicy, cache?: BlockCache, files?: OpenFiles): ShardContext {
  return {
    fs,
    dir: joinPath(dir, shardDirName(index)),
    index,
    compression: desc.compression,
    blockSize: desc.blockSize,
    createdBy: `strata ${VERSION}`,
    now,
    policy,
    ...(cache ? {cache} : {}),
    ...(files ? {files} : {}),
  }
}

function checkSyncMode(mode: SyncMode): void {
  if (mode === 'always' || mode === 'batch' || mode === 'none') return
  if (typeof mode === 'object' && mode !== null) {
    const n = 'everyOps' in mode ? mode.everyOps : 'everyMs' in mode ? mode.everyMs : NaN
    if (Number.isInteger(n) && n > 0) return
  }
  throw invalidArgument(`unknown sync mode ${JSON.stringify(mode)}`)
}

/** Opens the store in `dir`. */
export async function open(dir: string, options: OpenOptions = {}): Promise<Store> {
  const fs = options.fs ?? nodeFileSystem
  const desc = readDescriptor(fs, dir)
  const sync = options.sync ?? 'always'
  checkSyncMode(sync)
  let lock: WriterLock | undefined
  if (!options.readOnly) lock = await acquireWriterLock(fs, dir, options.lockTimeoutMs ?? 0)
  try {
    // A writer builds on STORE, which an init whose last directory sync failed may
    // have left visible but not durable: make it durable before acknowledging anything.
    if (lock !== undefined) fs.syncDir(dir)
    // Pins of cuts whose holder was killed: this writer is the next to hold the lock.
    if (lock !== undefined) cleanDeadPins(fs, dir)
    return new StoreImpl(dir, fs, desc, options, sync, lock)
  } catch (err) {
    // Never keep the lock of a store this call does not return.
    await lock?.release()
    throw err instanceof StrataError ? err : ioError('sync', dir, err)
  }
}

/**
 * @internal A read-only store over the shard folders below `dir` (a cut's pin
 * folder) with descriptor `desc`, each shard i read at `at[i]`, not at its
 * CURRENT. For src/cut/cut-view.ts.
 */
export function openViewAt(dir: string, desc: StoreDescriptor, at: readonly ViewAt[], options: OpenOptions = {}): Store {
  return new StoreImpl(dir, options.fs ?? nodeFileSystem, desc, {...options, readOnly: true}, 'always', undefined, at)
}

/**
 * @internal The newest version of every key of shard `index` in [from, to),
 * tombstones and expired versions included, in key order: the per-shard
 * stream a scan merges, for library features that work shard by shard (the
 * digest). REQUIRES: `store` was returned by `open`, 0 <= index < shardCount.
 */
export function shardVersions(store: Store, index: number, from?: Buffer, to?: Buffer): Generator<Entry> {
  if (!(store instanceof StoreImpl)) throw invalidArgument('not a store returned by open()')
  return store.shardVersions(index, from, to)
}

class StoreImpl implements Store {
  readonly shardCount: number
  readonly readOnly: boolean
  private readonly shards: (Shard | undefined)[]
  private readonly now: () => number
  private readonly walFlushBytes: number
  private readonly policy: CompactionPolicy
  private readonly cache: BlockCache
  /** Budget of open descriptors shared by the store's tables and WALs. */
  private readonly files: OpenFiles
  /** Snapshots held by open scans. */
  private readonly scans = new ScanLeases()
  private closed = false
  /** Set by the first failed write or sync: the store refuses further writes (fail-stop). */
  private fatal: unknown
  private readonly dirty = new Set<Shard>()
  private pendingSync: Promise<void> | undefined
  private opsSinceSync = 0
  private syncTimer: NodeJS.Timeout | undefined

  constructor(
    readonly dir: string,
    private readonly fs: FileSystem,
    private readonly desc: StoreDescriptor,
    options: OpenOptions,
    private readonly syncMode: SyncMode,
    private lock: WriterLock | undefined,
    private readonly viewAt?: readonly ViewAt[],
  ) {
    this.shardCount = desc.shardCount
    this.readOnly = options.readOnly === true
    this.shards = new Array(desc.shardCount).fill(undefined)
    this.now = options.now ?? Date.now
    this.walFlushBytes = options.walFlushBytes ?? DEFAULT_WAL_FLUSH_BYTES
    const trigger = options.compactionTrigger ?? DEFAULT_POLICY.l0Trigger
    if (!Number.isInteger(trigger) || trigger < 1) throw invalidArgument(`compactionTrigger must be a positive integer, got ${trigger}`)
    this.policy = {...DEFAULT_POLICY, l0Trigger: trigger, ...(options.levelBaseBytes !== undefined ? {baseLevelBytes: options.levelBaseBytes, targetFileBytes: Math.max(64 * 1024, Math.floor(options.levelBaseBytes / 4))} : {})}
    const cacheBytes = options.cacheSizeBytes ?? DEFAULT_CACHE_BYTES
    if (!Number.isSafeInteger(cacheBytes) || cacheBytes < 0) throw invalidArgument(`cacheSizeBytes must be a non-negative integer, got ${cacheBytes}`)
    this.cache = new BlockCache(cacheBytes)
    const maxOpenFiles = options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES
    if (!Number.isSafeInteger(maxOpenFiles) || maxOpenFiles < MIN_MAX_OPEN_FILES) {
      throw invalidArgument(`maxOpenFiles must be an integer of at least ${MIN_MAX_OPEN_FILES}, got ${maxOpenFiles}`)
    }
    this.files = new OpenFiles(maxOpenFiles, descriptorLimit())
  }

  private check(write: boolean): void {
    if (this.closed) throw new StrataError(ErrorCode.CLOSED, 'store is closed')
    if (this.fatal !== undefined) {
      throw new StrataError(ErrorCode.CLOSED, `store stopped after an earlier failure: ${(this.fatal as Error).message}`, {cause: this.fatal})
    }
    if (write && this.readOnly) throw invalidArgument('store is open read-only')
  }

  /** The shard object, opened on first use (a `get` touches one shard only). */
  private shard(i: number): Shard {
    let s = this.shards[i]
    if (s === undefined) {
      const ctx = shardContext(this.fs, this.dir, i, this.desc, this.now, this.policy, this.cache, this.files)
      s = this.readOnly ? Shard.openView(ctx, this.viewAt?.[i]) : Shard.openWriter(ctx)
      this.shards[i] = s
    }
    return s
  }

  private shardOfKey(key: Buffer) {
    const h = hashKey(key)
    return {h, index: this.shardCount === 1 ? 0 : jumpHash(h, this.shardCount)}
  }

  /**
   * `read(shard i)`, after `read` failed with `err`. A read-only view whose
   * table vanished (another process's compaction deleted it after the view
   * parked its descriptor) is read again from a fresh view, a few times;
   * any other error is thrown.
   */
  private reread<T>(i: number, err: unknown, read: (s: Shard) => T): T {
    for (let attempt = 0; ; attempt++) {
      if (!this.readOnly || !isNotFound(err) || attempt >= VIEW_RETRIES) throw err
      const stale = this.shards[i]
      this.shards[i] = undefined
      try {
        stale?.close()
      } catch {
        // A view holds read descriptors only.
      }
      try {
        return read(this.shard(i))
      } catch (e) {
        err = e
      }
    }
  }

  /** `read(shard i)`, read again from a fresh view if a read-only view's table vanished (see reread). */
  private readShard<T>(i: number, read: (s: Shard) => T): T {
    try {
      return read(this.shard(i))
    } catch (err) {
      return this.reread(i, err, read)
    }
  }

  getSync(k: Uint8Array | string): KeyValue | undefined {
    this.check(false)
    const key = toKey(k)
    const {h, index} = this.shardOfKey(key)
    let e: Entry | undefined
    try {
      e = this.shard(index).getEntry(key, h)
    } catch (err) {
      e = this.reread(index, err, (s) => s.getEntry(key, h))
    }
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
    if (!Array.isArray(ops)) throw invalidArgument('batch takes an array of operations')
    // Validate everything before writing anything.
    const now = this.now()
    const perShard = new Map<number, ShardWrite[]>()
    const shardBytes = new Map<number, number>()
    for (const op of ops) {
      if (op === null || typeof op !== 'object') throw invalidArgument('a batch operation must be an object like {type: "put", key, value}')
      const key = toKey(op.key)
      let w: ShardWrite
      if (op.type === 'put') {
        const expiresAt = expiryOf(op, now)
        const put: {-readonly [K in keyof ShardWrite]: ShardWrite[K]} = {kind: Kind.PUT, key, value: toValue(op.value)}
        if (expiresAt !== undefined) put.expiresAt = expiresAt
        if (op.json !== undefined && typeof op.json !== 'boolean') throw invalidArgument(`json must be true or false, got ${typeof op.json}`)
        if (op.json) put.json = true
        w = put
      } else if (op.type === 'del') {
        w = {kind: Kind.DELETE, key, value: NO_VALUE}
      } else {
        throw invalidArgument(`unknown batch operation type ${JSON.stringify((op as {type: unknown}).type)}`)
      }
      const index = this.shardCount === 1 ? 0 : jumpHash(hashKey(key), this.shardCount)
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
    if (perShard.size === 0) return
    try {
      for (const [index, writes] of perShard) {
        const s = this.shard(index)
        s.apply(writes)
        this.dirty.add(s)
      }
    } catch (err) {
      throw this.fail(err)
    }
    this.opsSinceSync += ops.length
    await this.syncForMode()
    try {
      for (const index of perShard.keys()) this.maintain(this.shards[index]!)
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

  private syncDirty(): void {
    for (const s of this.dirty) s.sync()
    this.dirty.clear()
    this.opsSinceSync = 0
  }

  private async syncForMode(): Promise<void> {
    const mode = this.syncMode
    try {
      if (mode === 'always') {
        this.syncDirty()
        // Return to the event loop: a loop of awaited writes must not starve
        // the process's other I/O (its stdout, a server's sockets).
        await new Promise<void>((resolve) => setImmediate(resolve))
      } else if (mode === 'batch') {
        this.pendingSync ??= new Promise<void>((resolve, reject) => {
          setImmediate(() => {
            this.pendingSync = undefined
            try {
              this.syncDirty()
              resolve()
            } catch (err) {
              reject(this.fail(err))
            }
          })
        })
        await this.pendingSync
      } else if (typeof mode === 'object' && 'everyOps' in mode) {
        if (this.opsSinceSync >= mode.everyOps) this.syncDirty()
      } else if (typeof mode === 'object' && 'everyMs' in mode) {
        this.syncTimer ??= setTimeout(() => {
          this.syncTimer = undefined
          try {
            if (!this.closed && this.fatal === undefined) this.syncDirty()
          } catch (err) {
            this.fail(err)
          }
        }, mode.everyMs).unref()
      }
    } catch (err) {
      throw this.fail(err)
    }
  }

  /** Flushes a shard whose WAL is over budget and runs a compaction if one is due (bounded). */
  private maintain(s: Shard): void {
    s.maintain(this.walFlushBytes, STEPS_PER_WRITE)
  }

  async flush(): Promise<void> {
    this.check(true)
    try {
      for (let i = 0; i < this.shardCount; i++) {
        const s = this.shards[i]
        if (s !== undefined) {
          s.sync()
          s.flush()
        }
      }
      this.dirty.clear()
    } catch (err) {
      throw this.fail(err)
    }
  }

  async compact(options: CompactOptions = {}): Promise<CompactionReport> {
    const dryRun = options.dryRun === true
    this.check(!dryRun)
    let targets = [...Array(this.shardCount).keys()]
    if (options.shard !== undefined) {
      if (!Number.isInteger(options.shard) || options.shard < 0 || options.shard >= this.shardCount) {
        throw invalidArgument(`shard ${options.shard} does not exist (the store has shards 0 to ${this.shardCount - 1})`)
      }
      targets = [options.shard]
    }
    const from = options.from === undefined ? undefined : toBytes(options.from, 'from')
    const to = options.to === undefined ? undefined : toBytes(options.to, 'to')
    const emptyRange = rangeProblem(from, to)
    if (emptyRange !== undefined) throw invalidArgument(emptyRange)
    const shards: CompactionReport['shards'][number][] = []
    for (const [n, i] of targets.entries()) {
      try {
        const s = this.shard(i)
        if (!dryRun) s.sync()
        const r = s.compact(dryRun, from, to)
        shards.push({shard: i, ...r, dropped: Math.max(0, r.entriesIn - r.entriesOut)})
      } catch (err) {
        throw dryRun ? err : this.fail(err)
      }
      options.onProgress?.(n + 1, targets.length)
    }
    return {dryRun, shards}
  }

  scanSync(options: ScanOptions = {}): IterableIterator<KeyValue> {
    this.check(false)
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
    const reverse = options.reverse === true
    const self = this
    // The scan reads one snapshot per shard, taken at its first step and held
    // until it ends (see ScanLeases for when an unfinished one is released).
    let lease: ReturnType<ScanLeases['lease']> | undefined
    const scan = (function* () {
      try {
        if (from !== undefined && to !== undefined && Buffer.compare(from, to) >= 0) return
        if (limit === 0) return
        if (lease!.released) throw new StrataError(ErrorCode.CLOSED, 'store is closed')
        const now = self.now()
        const sources = []
        for (let i = 0; i < self.shardCount; i++) sources.push(lease!.hold(self.readShard(i, (s) => s.snapshot())).entries(from, to, reverse))
        let n = 0
        const out = {source: 0}
        const merged = mergeNewest(sources, reverse, out)
        for (;;) {
          // close() released the snapshots: their tables may be closed.
          if (lease!.released) throw new StrataError(ErrorCode.CLOSED, 'store is closed while a scan was open')
          const r = merged.next()
          if (r.done) return
          if (!isLive(r.value, now)) continue
          yield toKeyValue(r.value, out.source)
          if (limit !== undefined && ++n >= limit) return
        }
      } finally {
        lease!.release()
      }
    })()
    lease = this.scans.lease(scan)
    return scan
  }

  /** @internal See `shardVersions`. */
  shardVersions(index: number, from?: Buffer, to?: Buffer): Generator<Entry> {
    this.check(false)
    return this.shard(index).entries(from, to)
  }

  scan(options: ScanOptions = {}): AsyncIterableIterator<KeyValue> {
    return asyncIterator(() => this.scanSync(options))
  }

  explain(k: Uint8Array | string): KeyExplanation {
    this.check(false)
    const key = toKey(k)
    const {h, index} = this.shardOfKey(key)
    const now = this.now()
    const versions: ExplainedVersion[] = this.readShard(index, (s) => s.versions(key, h)).map((v, i) => {
      const e = v.entry
      const status = i > 0 ? 'shadowed' : e.kind === Kind.DELETE ? 'deleted' : isLive(e, now) ? 'wins' : 'expired'
      return {
        source: v.source,
        file: v.file,
        offset: v.offset,
        ...(v.level !== undefined ? {level: v.level} : {}),
        seq: e.seq,
        kind: e.kind === Kind.DELETE ? 'delete' : 'put',
        ...(e.expiresAt !== undefined ? {expiresAt: e.expiresAt} : {}),
        valueBytes: e.value.length,
        ...(e.kind === Kind.PUT ? {value: logicalValue(e)} : {}),
        status,
      }
    })
    const first = versions[0]?.status
    const state = first === undefined ? 'missing' : first === 'wins' ? 'live' : first === 'deleted' ? 'deleted' : 'expired'
    const hash = hashKey(key)
    return {key, shard: index, hash: hash.hi.toString(16).padStart(8, '0') + hash.lo.toString(16).padStart(8, '0'), state, versions}
  }

  stats(): StoreStats {
    this.check(false)
    const shards: ShardStats[] = []
    for (let i = 0; i < this.shardCount; i++) shards.push(this.readShard(i, (s) => s.stats()))
    const sum = (f: (s: (typeof shards)[number]) => number) => shards.reduce((a, s) => a + f(s), 0)
    return {
      dir: this.dir,
      formatVersion: this.desc.formatVersion,
      shardCount: this.shardCount,
      hash: this.desc.hashId === HashId.FNV1A64_JUMP ? 'fnv1a64-jump' : `unknown(${this.desc.hashId})`,
      compression: this.desc.compression === BlockCompression.ZLIB ? 'zlib' : 'none',
      shards,
      totals: {
        tables: sum((s) => s.tables),
        tableBytes: sum((s) => s.tableBytes),
        tableEntries: sum((s) => s.tableEntries),
        tombstones: sum((s) => s.tombstones),
        walBytes: sum((s) => s.walBytes),
        memtableEntries: sum((s) => s.memtableEntries),
        memtableBytes: sum((s) => s.memtableBytes),
      },
    }
  }

  cut(): StoreCut {
    this.check(false)
    if (this.lock === undefined) throw invalidArgument('a cut needs the writer lock: open the store as a writer, or take one with takeCut()')
    try {
      cleanDeadPins(this.fs, this.dir)
      // Opened shards know their state; the others are as the files say (this process holds the lock).
      const shards = this.shards.map((s, i) => shardCut(i, s !== undefined ? s.cutState() : readShardState(this.fs, this.dir, i)))
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
    if (this.syncTimer) clearTimeout(this.syncTimer)
    let first: unknown
    // After a failed write (a full disk, say) the WALs still hold every write
    // applied before it, intact: they are synced too, so that what the caller
    // was told is applied is durable. A WAL whose own sync failed refuses to
    // sync again (wal/writer.ts), so close then fails instead.
    if (!this.readOnly) {
      try {
        for (const s of this.shards) {
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
    for (const s of this.shards) {
      try {
        s?.close()
      } catch (err) {
        first ??= err
      }
    }
    if (this.lock) {
      await this.lock.release()
      this.lock = undefined
    }
    if (first !== undefined) throw first
  }
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
