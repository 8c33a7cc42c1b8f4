/**
 * One shard: an independent LSM tree with its own WAL, memtable, SSTables and
 * manifest, in DIR/shard-NNNN/.
 *
 * A shard is opened either as the writer (the store holds the LOCK) or as a
 * read-only view. A view is a consistent snapshot: the manifest CURRENT named,
 * the tables it lists (each checked to exist with the manifest's size; their
 * descriptors opened as far as the store's descriptor budget allows, so that
 * a writer's later deletion does not matter) and the WAL up to its last
 * complete record, read whole and closed. If a writer swaps files while the
 * view is being assembled, assembly starts over.
 *
 * Tables are reference counted (TableReader.ref): the live set holds one
 * reference to each, and every scan snapshot (`snapshot`) one more. A table
 * a flush or compaction drops is deleted when its last reference goes, so a
 * scan keeps reading the tables it started with.
 */
import {ErrorCode, StrataError, ioError, isNotFound} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {isLive, Kind, type Entry} from '../record/format.js'
import type {KeyHash} from '../util/hash.js'
import {compareKeys} from '../util/bytes.js'
import {TableBuilder} from '../sstable/builder.js'
import {TableReader} from '../sstable/reader.js'
import type {BlockCompression} from '../sstable/format.js'
import type {BlockCache} from '../sstable/block-cache.js'
import type {ShardStats} from '../api.js'
import {decodeWal, readWalPrefix, type WalContents} from '../wal/reader.js'
import {WalWriter} from '../wal/writer.js'
import type {Manifest, TableMeta} from '../manifest/format.js'
import {readCurrent, switchManifest} from '../manifest/current.js'
import {CURRENT_FILE, joinPath, manifestFileName, parseFileName, tableFileName, walFileName} from './files.js'
import {Memtable} from './memtable.js'
import {mergeNewest} from './merge.js'
import {ShardSnapshot} from './shard-snapshot.js'
import type {OpenFiles} from '../vfs/open-files.js'
import {LevelSet, type LiveTable} from './levels.js'
import {flushLevel, pickCompaction, rangeCompaction, type CompactionPlan, type CompactionPolicy} from './compaction.js'
import {estimateOutputBytes, estimateOutputTables, type EstimateBasis} from './compaction-estimate.js'

/** What a shard needs from its store. */
export interface ShardContext {
  readonly fs: FileSystem
  /** The shard's directory. */
  readonly dir: string
  readonly index: number
  readonly compression: BlockCompression
  readonly blockSize: number
  readonly createdBy: string
  readonly now: () => number
  /** Decoded data blocks shared by the store's tables. */
  readonly cache?: BlockCache
  /** The store's budget of open descriptors (tables and WALs). */
  readonly files?: OpenFiles
  readonly policy: CompactionPolicy
}

/** One user-level write, before it gets a sequence number. */
export interface ShardWrite {
  readonly kind: Entry['kind']
  readonly key: Buffer
  readonly value: Buffer
  readonly expiresAt?: number
  readonly json?: boolean
}

/** One stored version of a key, and where it lives. */
export interface KeyVersion {
  /** 'wal' (replayed into the memtable) or 'sstable'. */
  readonly source: 'wal' | 'sstable'
  readonly file: string
  /** WAL: offset of the record holding it; SSTable: offset of its data block. */
  readonly offset: number
  /** SSTable level; undefined for the WAL. */
  readonly level?: number
  readonly entry: Entry
}

/** What compacting one shard did or would do. */
export interface ShardCompaction {
  /** Tables read (a range's dry run counts the memtable as the table it would be flushed into). */
  readonly inputTables: number
  readonly inputBytes: number
  /** Entries of the memtable merged in (a range compaction flushes them first). */
  readonly memtableEntries: number
  readonly outputTables: number
  /** With a dry run, an estimate. */
  readonly outputBytes: number
  /** With a dry run, what the estimate stands on (compaction-estimate.ts). */
  readonly outputBytesBasis?: EstimateBasis
  /** Entries read, the memtable's included. */
  readonly entriesIn: number
  readonly entriesOut: number
}

const NO_COMPACTION: ShardCompaction = {inputTables: 0, inputBytes: 0, memtableEntries: 0, outputTables: 0, outputBytes: 0, entriesIn: 0, entriesOut: 0}

/** File number of the stand-in for the memtable when a dry run plans as if flushed (never a real file: numbers start at 1). */
const PENDING_FLUSH = 0

/** [smallest, largest] key of `tables`. */
function spanOf(tables: readonly LiveTable[]): {lo: Buffer; hi: Buffer} {
  let lo = tables[0].meta.smallestKey
  let hi = tables[0].meta.largestKey
  for (const t of tables) {
    if (compareKeys(t.meta.smallestKey, lo) < 0) lo = t.meta.smallestKey
    if (compareKeys(t.meta.largestKey, hi) > 0) hi = t.meta.largestKey
  }
  return {lo, hi}
}

const READ_RETRIES = 50

/**
 * A fixed state to open a view at instead of CURRENT and the whole WAL: a
 * cut's manifest and WAL length (src/cut/cut-view.ts). The WAL may have grown
 * past `walLength` since (a pin is a second name for the writer's file).
 */
export interface ViewAt {
  readonly manifestNumber: number
  readonly manifest: Manifest
  readonly walLength: number
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

export class Shard {
  private manifest: Manifest
  private manifestNumber: number
  private levels: LevelSet
  /** Per level, the last key compacted out of it (round robin). */
  private readonly cursors = new Map<number, Buffer>()
  private memtable: Memtable
  private wal: WalWriter | undefined
  private walBytes: number
  private nextFileNumber: number
  /** Highest sequence number assigned in this shard. */
  lastSeq: number
  /** The torn tail found when the WAL was read, if any. */
  readonly tornTail: WalContents['tornTail']
  /** A view at a fixed state reads the WAL up to here only (ViewAt). */
  private readonly walLimit: number | undefined

  private constructor(
    private readonly ctx: ShardContext,
    live: {manifest: Manifest; manifestNumber: number; tables: LiveTable[]; memtable: Memtable; wal: WalContents; walBytes: number; walLimit?: number},
    nextFileNumber: number,
  ) {
    this.manifest = live.manifest
    this.manifestNumber = live.manifestNumber
    this.levels = new LevelSet(live.tables, joinPath(ctx.dir, manifestFileName(live.manifestNumber)))
    this.memtable = live.memtable
    this.walBytes = live.walBytes
    this.nextFileNumber = nextFileNumber
    this.tornTail = live.wal.tornTail
    this.walLimit = live.walLimit
    const walLast = live.wal.batches.length > 0 ? live.wal.batches.at(-1)!.entries.at(-1)!.seq : 0
    this.lastSeq = Math.max(live.manifest.lastSeq, walLast)
  }

  /** Creates the files of an empty shard: WAL 1, MANIFEST-000002, CURRENT. */
  static create(ctx: ShardContext): void {
    const {fs, dir} = ctx
    fs.mkdir(dir)
    const wal = WalWriter.create(fs, joinPath(dir, walFileName(1)), ctx.index)
    wal.close()
    fs.syncDir(dir)
    switchManifest(fs, dir, {shard: ctx.index, nextFileNumber: 3, lastSeq: 0, walNumber: 1, tables: []}, 2)
  }

  /** Opens a read-only view, of the files now or at state `at`; never modifies the directory. */
  static openView(ctx: ShardContext, at?: ViewAt): Shard {
    for (let attempt = 0; ; attempt++) {
      try {
        const live = Shard.load(ctx, true, at)
        return new Shard(ctx, live, live.manifest.nextFileNumber)
      } catch (err) {
        if (!isNotFound(err) || attempt >= READ_RETRIES) throw wrapLoadError(ctx, err)
        sleepSync(Math.min(2 + attempt, 20))
      }
    }
  }

  /**
   * Opens the shard as its writer: removes files no manifest references
   * (left by a crash), cuts a torn WAL tail, and prepares to append.
   * REQUIRES: the store's writer lock is held.
   */
  static openWriter(ctx: ShardContext): Shard {
    let live
    try {
      live = Shard.load(ctx, false)
    } catch (err) {
      throw wrapLoadError(ctx, err)
    }
    const {fs, dir} = ctx
    const m = live.manifest
    const keep = new Set<string>([manifestFileName(live.manifestNumber), walFileName(m.walNumber)])
    for (const t of m.tables) keep.add(tableFileName(t.fileNumber))
    let next = m.nextFileNumber
    try {
      for (const name of fs.readdir(dir)) {
        const parsed = parseFileName(name)
        if (parsed) next = Math.max(next, parsed.number + 1)
        if ((parsed && !keep.has(name)) || name === `${CURRENT_FILE}.tmp`) fs.unlink(joinPath(dir, name))
      }
      const shard = new Shard(ctx, live, next)
      shard.wal = WalWriter.reopen(fs, joinPath(dir, walFileName(m.walNumber)), live.wal.validLength, ctx.files)
      // A writer that failed (fail-stop) may have left state that is visible
      // but not durable: WAL bytes whose sync failed, or a CURRENT rename whose
      // directory sync failed. Make everything this writer builds on durable
      // before it acknowledges anything on top of it.
      shard.wal.sync()
      fs.syncDir(dir)
      return shard
    } catch (err) {
      for (const t of live.tables) t.reader.close()
      throw err instanceof StrataError ? err : ioError('open shard', dir, err)
    }
  }

  /**
   * Reads CURRENT, its manifest and the WAL, and checks that every table the
   * manifest names exists with its size. `hold`: open the tables' descriptors
   * now (a read-only view, which cannot stop another process's compaction
   * from deleting them); a writer opens each on first read.
   */
  private static load(ctx: ShardContext, hold: boolean, at?: ViewAt) {
    const {fs, dir} = ctx
    const {manifest, manifestNumber} = at ?? readCurrent(fs, dir)
    if (manifest.shard !== ctx.index) {
      throw new StrataError(ErrorCode.CORRUPTION, `${dir}: manifest belongs to shard ${manifest.shard}`, {file: dir})
    }
    const tables: LiveTable[] = []
    try {
      for (const meta of manifest.tables) {
        const path = joinPath(dir, tableFileName(meta.fileNumber))
        const source = {fs, ...(ctx.files ? {files: ctx.files} : {})}
        let reader: TableReader
        try {
          reader = hold ? TableReader.openLazily(source, path, ctx.cache) : TableReader.deferred(source, path, fs.fileSize(path), ctx.cache)
        } catch (err) {
          throw isNotFound(err) ? missingTable(path, err) : err instanceof StrataError ? err : ioError('stat', path, err)
        }
        tables.push({meta, reader})
        if (reader.fileSize !== meta.fileSize) {
          throw new StrataError(ErrorCode.CORRUPTION, `${path}: size ${reader.fileSize} differs from the manifest's ${meta.fileSize}`, {file: path, offset: 0})
        }
      }
      const walPath = joinPath(dir, walFileName(manifest.walNumber))
      const wal = decodeWal(readWalPrefix(fs, walPath, at?.walLength), walPath, manifest.lastSeq)
      const memtable = new Memtable()
      for (const b of wal.batches) for (const e of b.entries) memtable.add(e)
      return {manifest, manifestNumber, tables, memtable, wal, walBytes: wal.validLength, ...(at ? {walLimit: at.walLength} : {})}
    } catch (err) {
      for (const t of tables) t.reader.close()
      throw err
    }
  }

  /** Newest version of `key` in this shard (tombstones included), or undefined. */
  getEntry(key: Buffer, h: KeyHash): Entry | undefined {
    const m = this.memtable.get(key)
    if (m !== undefined) return m
    // Newest first: level 0 (newest table first), then one table per level.
    for (const t of this.levels.l0) {
      if (compareKeys(key, t.meta.smallestKey) < 0 || compareKeys(key, t.meta.largestKey) > 0) continue
      const e = t.reader.get(key, h)
      if (e !== undefined) return e
    }
    for (let L = 1; L < this.levels.levels.length; L++) {
      if (this.levels.levels[L].length === 0) continue
      const e = this.levels.find(L, key)?.reader.get(key, h)
      if (e !== undefined) return e
    }
    return undefined
  }

  /**
   * Every stored version of `key` in this shard, newest first: each WAL
   * record that wrote it, then each table holding it. Reads the WAL again.
   */
  versions(key: Buffer, h: KeyHash): KeyVersion[] {
    const {fs, dir} = this.ctx
    const out: KeyVersion[] = []
    const walPath = joinPath(dir, walFileName(this.manifest.walNumber))
    let wal: WalContents | undefined
    try {
      wal = decodeWal(readWalPrefix(fs, walPath, this.walLimit), walPath, this.manifest.lastSeq)
    } catch (err) {
      // The WAL was flushed away since this view was opened: its versions are in the tables read below.
      if (!isNotFound(err)) throw err
    }
    for (const b of wal?.batches ?? []) {
      for (const e of b.entries) if (e.key.equals(key)) out.push({source: 'wal', file: walPath, offset: b.offset, entry: e})
    }
    out.reverse()
    for (const t of this.levels.all()) {
      if (!t.reader.mayContain(h)) continue
      const e = t.reader.get(key, h)
      if (e === undefined) continue
      const block = t.reader.blocks.search(key)
      const offset = block < t.reader.blocks.length ? t.reader.blocks.blockOffset(block) : 0
      out.push({source: 'sstable', file: t.reader.path, offset, level: t.meta.level, entry: e})
    }
    return out.sort((a, b) => b.entry.seq - a.entry.seq)
  }

  /**
   * The shard as it is now, for a scan: holds its tables and memtable until
   * released (see ShardSnapshot).
   */
  snapshot(): ShardSnapshot {
    return ShardSnapshot.take(this.memtable, this.lastSeq, this.levels)
  }

  /** Newest version of every key in [from, to), tombstones included, read from a snapshot released at the end. */
  *entries(from?: Buffer, to?: Buffer, reverse = false): Generator<Entry> {
    const snap = this.snapshot()
    try {
      yield* snap.entries(from, to, reverse)
    } finally {
      snap.release()
    }
  }

  /**
   * Appends `writes` as one atomic WAL record and applies them to the memtable.
   * The record is not durable until `sync()`.
   */
  apply(writes: readonly ShardWrite[]): void {
    const wal = this.requireWriter()
    const entries: Entry[] = []
    let seq = this.lastSeq
    for (const w of writes) {
      const e: {-readonly [K in keyof Entry]: Entry[K]} = {kind: w.kind, key: w.key, value: w.value, seq: ++seq}
      if (w.expiresAt !== undefined) e.expiresAt = w.expiresAt
      if (w.json) e.json = true
      entries.push(e)
    }
    wal.appendBatch(entries)
    this.lastSeq = seq
    for (const e of entries) this.memtable.add(e)
    this.walBytes = wal.size()
  }

  sync(): void {
    this.requireWriter().sync()
  }

  private requireWriter(): WalWriter {
    if (this.wal === undefined) throw new StrataError(ErrorCode.INVALID_ARGUMENT, 'store is open read-only')
    return this.wal
  }

  private allocate(): number {
    return this.nextFileNumber++
  }

  /**
   * Writes sorted entries into new tables at `level`, cutting a table once it
   * reaches the policy's target size (level 0: never cut). Each table is
   * synced; the caller syncs the directory before a manifest names them.
   */
  private buildTables(entries: Iterable<Entry>, level: number, createdBy: string): LiveTable[] {
    const {fs, dir} = this.ctx
    const out: LiveTable[] = []
    const target = level === 0 ? Infinity : this.ctx.policy.targetFileBytes
    let builder: TableBuilder | undefined
    let path = ''
    let number = 0
    const finish = (): void => {
      const {fileSize, properties: p} = builder!.finish()
      builder = undefined
      const meta: TableMeta = {
        fileNumber: number,
        fileSize,
        level,
        entries: p.entries,
        minSeq: p.minSeq,
        maxSeq: p.maxSeq,
        smallestKey: Buffer.from(p.smallestKey),
        largestKey: Buffer.from(p.largestKey),
      }
      out.push({meta, reader: TableReader.open({fs, ...(this.ctx.files ? {files: this.ctx.files} : {})}, path, this.ctx.cache)})
    }
    try {
      for (const e of entries) {
        if (builder === undefined) {
          number = this.allocate()
          path = joinPath(dir, tableFileName(number))
          builder = new TableBuilder(fs, path, {
            compression: this.ctx.compression,
            blockSize: this.ctx.blockSize,
            shard: this.ctx.index,
            level,
            createdBy: `${this.ctx.createdBy} ${createdBy}`,
            now: this.ctx.now,
          })
        }
        builder.add(e)
        if (builder.estimatedSize() >= target) finish()
      }
      if (builder !== undefined) finish()
    } catch (err) {
      builder?.abandon()
      for (const t of out) {
        t.reader.close()
        fs.unlink(t.reader.path)
      }
      throw err
    }
    return out
  }

  /**
   * Switches to a manifest listing `tables` and `walNumber`, then deletes what
   * the old one listed and the new does not. `lastSeq` is the highest
   * sequence number the tables cover: every record of the live WAL is above it.
   */
  private install(tables: LiveTable[], walNumber: number, lastSeq: number): void {
    const {fs, dir} = this.ctx
    const number = this.allocate()
    const next = new LevelSet(tables, joinPath(dir, manifestFileName(number)))
    const manifest: Manifest = {
      ...this.manifest,
      lastSeq,
      walNumber,
      nextFileNumber: this.nextFileNumber,
      tables: next.all().map((t) => t.meta),
    }
    switchManifest(fs, dir, manifest, number)
    const oldManifest = this.manifestNumber
    const oldWal = this.manifest.walNumber
    const dropped = this.levels.all().filter((t) => !tables.includes(t))
    this.manifest = manifest
    this.manifestNumber = number
    this.levels = next
    // A dropped table that a scan still reads is deleted when the scan lets go of it.
    for (const t of dropped) t.reader.retire(() => fs.unlink(joinPath(dir, tableFileName(t.meta.fileNumber))))
    if (oldWal !== walNumber) fs.unlink(joinPath(dir, walFileName(oldWal)))
    fs.unlink(joinPath(dir, manifestFileName(oldManifest)))
  }

  /**
   * Writes the memtable to new tables and starts a new WAL. No-op when empty.
   * The tables go to level 0, or deeper when their keys overlap nothing
   * there (see `flushLevel`).
   */
  flush(): void {
    const wal = this.requireWriter()
    if (this.memtable.size === 0) return
    const {fs, dir} = this.ctx
    wal.sync()
    const walNumber = this.allocate()
    const newWal = WalWriter.create(fs, joinPath(dir, walFileName(walNumber)), this.ctx.index, this.ctx.files)
    try {
      const sorted = this.memtable.sorted()
      const level = flushLevel(this.levels, this.ctx.policy, sorted[0].key, sorted[sorted.length - 1].key)
      const built = this.buildTables(sorted, level, 'flush')
      fs.syncDir(dir)
      this.install([...built, ...this.levels.all()], walNumber, this.lastSeq)
    } catch (err) {
      newWal.close()
      throw err
    }
    wal.close()
    this.wal = newWal
    this.walBytes = newWal.size()
    this.memtable = new Memtable()
  }

  /**
   * Runs `plan`: merges its inputs, keeping the newest version of each key.
   * A tombstone or expired record with no table below the output level that
   * could hold an older version is dropped; otherwise it is kept (an expired
   * value as a tombstone) so that it still hides what lies below.
   */
  private run(plan: CompactionPlan): Omit<ShardCompaction, 'memtableEntries'> {
    const {fs, dir} = this.ctx
    const now = this.ctx.now()
    const levels = this.levels
    const out = plan.outputLevel
    const merged = mergeNewest(plan.inputs.map((t) => t.reader.entries()))
    const kept = (function* (): Generator<Entry> {
      for (const e of merged) {
        if (isLive(e, now)) {
          yield e
        } else if (levels.existsBelow(out, e.key)) {
          yield e.kind === Kind.DELETE ? e : {kind: Kind.DELETE, key: e.key, seq: e.seq, value: EMPTY}
        }
      }
    })()
    const built = this.buildTables(kept, out, plan.reason === 'manual compaction' ? 'compact' : 'auto-compact')
    fs.syncDir(dir)
    this.install([...this.levels.all().filter((t) => !plan.inputs.includes(t)), ...built], this.manifest.walNumber, this.manifest.lastSeq)
    return {
      inputTables: plan.inputs.length,
      inputBytes: plan.inputs.reduce((s, t) => s + t.meta.fileSize, 0),
      outputTables: built.length,
      outputBytes: built.reduce((s, t) => s + t.meta.fileSize, 0),
      entriesIn: plan.inputs.reduce((s, t) => s + t.meta.entries, 0),
      entriesOut: built.reduce((s, t) => s + t.meta.entries, 0),
    }
  }

  /**
   * Does the flush and compactions that are due, at most `maxSteps`
   * compactions (bounded work per call). Returns the number of compactions run.
   */
  maintain(flushBytes: number, maxSteps: number): number {
    if (this.walBytes >= flushBytes) this.flush()
    let steps = 0
    while (steps < maxSteps) {
      const plan = pickCompaction(this.levels, this.ctx.policy, this.cursors)
      if (plan === undefined) break
      this.run(plan)
      steps++
    }
    return steps
  }

  /**
   * Compacts the keys in [from, to) (everything when both are undefined) into
   * the deepest level, dropping every overwritten version, tombstone and
   * expired record in that range. Every input table is read whole, so every
   * block of it is checked: damage fails the compaction with CORRUPTION.
   * With `dryRun`, reports what it would do and writes nothing.
   *
   * A full compaction merges the memtable and every table in one pass and
   * switches to the outputs and a new WAL in one manifest switch, so damage
   * leaves the directory as it was. A range compaction flushes the memtable
   * first (its keys may lie anywhere), then rewrites the tables holding keys
   * in the range, widened to whole tables.
   */
  compact(dryRun: boolean, from?: Buffer, to?: Buffer): ShardCompaction {
    const full = from === undefined && to === undefined
    if (dryRun) return this.estimateCompaction(full ? undefined : {from, to})
    if (full) return this.compactAll()
    const pending = this.memtable.size
    this.flush()
    const plan = rangeCompaction(this.levels, from, to)
    if (plan === undefined) return {...NO_COMPACTION, memtableEntries: pending}
    return {...this.run(plan), memtableEntries: pending}
  }

  /** A full compaction; see `compact`. */
  private compactAll(): ShardCompaction {
    const wal = this.requireWriter()
    const {fs, dir} = this.ctx
    const inputs = this.levels.all()
    const memtable = this.memtable.sorted()
    if (inputs.length === 0 && memtable.length === 0) return NO_COMPACTION
    const now = this.ctx.now()
    wal.sync()
    // Every table and the memtable are inputs and the output is the deepest level:
    // no older version of any key remains anywhere, so only live records are kept.
    const merged = mergeNewest([memtable, ...inputs.map((t) => t.reader.entries())])
    const kept = (function* (): Generator<Entry> {
      for (const e of merged) if (isLive(e, now)) yield e
    })()
    const built = this.buildTables(kept, Math.max(1, this.levels.deepest()), 'compact')
    let newWal: WalWriter | undefined
    try {
      let walNumber = this.manifest.walNumber
      let lastSeq = this.manifest.lastSeq
      if (memtable.length > 0) {
        walNumber = this.allocate()
        lastSeq = this.lastSeq
        newWal = WalWriter.create(fs, joinPath(dir, walFileName(walNumber)), this.ctx.index)
      }
      fs.syncDir(dir)
      this.install(built, walNumber, lastSeq)
    } catch (err) {
      newWal?.close()
      throw err
    }
    if (newWal !== undefined) {
      wal.close()
      this.wal = newWal
      this.walBytes = newWal.size()
      this.memtable = new Memtable()
    }
    return {
      inputTables: inputs.length,
      inputBytes: inputs.reduce((s, t) => s + t.meta.fileSize, 0),
      memtableEntries: memtable.length,
      outputTables: built.length,
      outputBytes: built.reduce((s, t) => s + t.meta.fileSize, 0),
      entriesIn: inputs.reduce((s, t) => s + t.meta.entries, 0) + memtable.length,
      entriesOut: built.reduce((s, t) => s + t.meta.entries, 0),
    }
  }

  /**
   * What `compact` would do, without writing: the same inputs, the exact
   * number of entries kept (counted by the same merge), and the output size
   * estimated from the input tables' properties (compaction-estimate.ts). A
   * range's inputs are those after the flush the real run starts with, so
   * the memtable counts as the table it would be flushed into, whose size
   * (part of inputBytes) is then an estimate too.
   */
  private estimateCompaction(range?: {from?: Buffer; to?: Buffer}): ShardCompaction {
    const now = this.ctx.now()
    const pending = this.memtable.size
    let inputs: readonly LiveTable[]
    let span: {lo?: Buffer; hi?: Buffer} = {}
    let flushed = 0
    if (range === undefined) {
      inputs = this.levels.all()
    } else {
      const plan = rangeCompaction(this.afterFlush(), range.from, range.to)
      const real = plan?.inputs.filter((t) => t.meta.fileNumber !== PENDING_FLUSH) ?? []
      flushed = plan !== undefined && plan.inputs.length > real.length ? 1 : 0
      inputs = real
      if (plan !== undefined) span = spanOf(plan.inputs)
    }
    if (range !== undefined && inputs.length === 0 && flushed === 0) return {...NO_COMPACTION, memtableEntries: pending}
    let entriesOut = 0
    let rawBytes = 0
    for (const e of this.entries(span.lo)) {
      if (span.hi !== undefined && compareKeys(e.key, span.hi) > 0) break
      if (!isLive(e, now)) continue
      entriesOut++
      rawBytes += e.key.length + e.value.length
    }
    const estimate = estimateOutputBytes(inputs, {entries: entriesOut, rawBytes})
    // The table the flush would write is not there to measure: its size is estimated like the output's.
    const flushBytes = flushed === 0 ? 0 : estimateOutputBytes(inputs, memtableContents(this.memtable)).bytes
    return {
      inputTables: inputs.length + flushed,
      inputBytes: inputs.reduce((s, t) => s + t.meta.fileSize, 0) + flushBytes,
      memtableEntries: pending,
      outputTables: estimateOutputTables(estimate.bytes, entriesOut, this.ctx.policy.targetFileBytes),
      outputBytes: estimate.bytes,
      outputBytesBasis: estimate.basis,
      entriesIn: inputs.reduce((s, t) => s + t.meta.entries, 0) + pending,
      entriesOut,
    }
  }

  /**
   * The level set as `flush` would leave it, the memtable standing as a
   * table numbered PENDING_FLUSH (its reader is never used: only the level
   * shape is, to plan a range compaction).
   */
  private afterFlush(): LevelSet {
    if (this.memtable.size === 0) return this.levels
    const sorted = this.memtable.sorted()
    const lo = sorted[0].key
    const hi = sorted[sorted.length - 1].key
    const level = flushLevel(this.levels, this.ctx.policy, lo, hi)
    const meta: TableMeta = {fileNumber: PENDING_FLUSH, fileSize: 0, level, entries: sorted.length, minSeq: 0, maxSeq: this.lastSeq, smallestKey: lo, largestKey: hi}
    return new LevelSet([{meta, reader: undefined as unknown as TableReader}, ...this.levels.all()], this.ctx.dir)
  }

  /** What a cut records of this shard now: its manifest, WAL length and last sequence number. */
  cutState(): {manifestNumber: number; manifest: Manifest; walLength: number; lastSeq: number} {
    return {manifestNumber: this.manifestNumber, manifest: this.manifest, walLength: this.walBytes, lastSeq: this.lastSeq}
  }

  /** Numbers for `stats`. */
  stats(): ShardStats {
    const all = this.levels.all()
    const levels = []
    if (this.levels.l0.length > 0) levels.push({level: 0, tables: this.levels.l0.length, bytes: this.levels.bytes(0)})
    for (let L = 1; L < this.levels.levels.length; L++) {
      if (this.levels.levels[L].length > 0) levels.push({level: L, tables: this.levels.levels[L].length, bytes: this.levels.bytes(L)})
    }
    return {
      shard: this.ctx.index,
      tables: all.length,
      tableBytes: all.reduce((s, t) => s + t.meta.fileSize, 0),
      tableEntries: all.reduce((s, t) => s + t.meta.entries, 0),
      tombstones: all.reduce((s, t) => s + t.reader.properties.deletes, 0) + countTombstones(this.memtable),
      walBytes: this.walBytes,
      memtableEntries: this.memtable.size,
      memtableBytes: this.memtable.bytes,
      lastSeq: this.lastSeq,
      levels,
    }
  }

  /** Drops the live set's references (a table an open snapshot holds stays open until it is released) and closes the WAL. */
  close(): void {
    let first: unknown
    for (const t of this.levels.all()) {
      try {
        t.reader.unref()
      } catch (err) {
        first ??= err
      }
    }
    if (this.wal) {
      try {
        this.wal.close()
      } catch (err) {
        first ??= err
      }
      this.wal = undefined
    }
    if (first !== undefined) throw ioError('close shard', this.ctx.dir, first)
  }
}

const EMPTY = Buffer.alloc(0)

/** Entries of the memtable and their key and value bytes. */
function memtableContents(m: Memtable): {entries: number; rawBytes: number} {
  let rawBytes = 0
  for (const e of m.entries()) rawBytes += e.key.length + e.value.length
  return {entries: m.size, rawBytes}
}

function countTombstones(m: Memtable): number {
  let n = 0
  for (const e of m.entries()) if (e.kind === Kind.DELETE) n++
  return n
}

/** A table its manifest names is missing: CORRUPTION, keeping the ENOENT as cause so that a view's assembly retries (see isNotFound). */
function missingTable(path: string, cause: unknown): StrataError {
  return new StrataError(ErrorCode.CORRUPTION, `${path}: table file named by the manifest is missing`, {file: path, offset: 0, cause})
}

/**
 * The error for a shard that could not be loaded. A file the shard's CURRENT
 * or manifest names that is missing (after the view's retries) is damage,
 * CORRUPTION, like one of the wrong size: checked before keeping a
 * StrataError as it is, because opening a table wraps its ENOENT as IO.
 */
function wrapLoadError(ctx: ShardContext, err: unknown): StrataError {
  if (isNotFound(err)) {
    const cause = err instanceof StrataError ? err.cause : err
    const path = (cause as NodeJS.ErrnoException).path ?? (err instanceof StrataError ? err.file : undefined) ?? ctx.dir
    const why = path.endsWith(CURRENT_FILE) ? 'every shard directory has one' : 'yet named by the shard\'s CURRENT or manifest'
    return new StrataError(ErrorCode.CORRUPTION, `${path}: missing, ${why}`, {file: path, offset: 0})
  }
  if (err instanceof StrataError) return err
  return ioError('open shard', ctx.dir, err)
}
