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
 *
 * Beside it: shard-core.ts (the live state, the manifest switch that
 * installs new files and deletes old ones, flush), shard-open.ts (creation,
 * loading, recovery), shard-read.ts (reads and stats), table-build.ts
 * (writing tables), shard-estimate.ts (a compaction's dry run). This class
 * adds opening, reads, writes and compaction.
 */
import {StrataError, ioError} from '../errors.js'
import type {Entry} from '../record/format.js'
import type {KeyHash} from '../util/hash.js'
import {WalWriter} from '../wal/writer.js'
import type {TableReader} from '../sstable/reader.js'
import {joinPath, walFileName} from '../layout/names.js'
import {Memtable} from './memtable.js'
import {buildMergedTables} from './table-build.js'
import {EntryCursor, TableChainCursor} from './in-place-merge.js'
import {ShardSnapshot} from './shard-snapshot.js'
import {pickCompaction, rangeCompaction, type CompactionPlan} from './compaction.js'
import {NO_COMPACTION, type KeyVersion, type ShardCompaction, type ShardContext, type ShardWrite, type ViewAt} from './shard-types.js'
import {createShard, loadShard, loadView, removeUnreferenced, wrapLoadError} from './shard-open.js'
import {findEntry, keyVersions} from './shard-read.js'
import {estimateCompaction} from './shard-estimate.js'
import {ShardBackground} from './shard-background.js'

export type {ShardContext, ShardWrite, KeyVersion, ShardCompaction, ViewAt} from './shard-types.js'

export class Shard extends ShardBackground {
  /** Creates the files of an empty shard: WAL 1, MANIFEST-000002, CURRENT. */
  static create(ctx: ShardContext): void {
    createShard(ctx)
  }

  /** Opens a read-only view; never modifies the directory. */
  /** Opens a read-only view, of the files now or at state `at`; never modifies the directory. */
  static openView(ctx: ShardContext, at?: ViewAt): Shard {
    const live = loadView(ctx, at)
    return new Shard(ctx, live, live.manifest.nextFileNumber)
  }

  /**
   * Opens the shard as its writer: removes files no manifest references
   * (left by a crash), cuts a torn WAL tail, and prepares to append.
   * REQUIRES: the store's writer lock is held.
   */
  static openWriter(ctx: ShardContext): Shard {
    let live
    try {
      live = loadShard(ctx, false)
    } catch (err) {
      throw wrapLoadError(ctx, err)
    }
    const {fs, dir} = ctx
    const m = live.manifest
    try {
      const next = removeUnreferenced(ctx, live)
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

  /** Newest version of `key` in this shard (tombstones included), or undefined. */
  getEntry(key: Buffer, h: KeyHash): Entry | undefined {
    if (this.imm !== undefined) {
      const m = this.memtable.get(key) ?? this.imm.get(key)
      if (m !== undefined) return m
    }
    return findEntry(this.memtable, this.levels, key, h)
  }

  /**
   * Every stored version of `key` in this shard, newest first: each WAL
   * record that wrote it, then each table holding it. Reads the WAL again.
   */
  versions(key: Buffer, h: KeyHash): KeyVersion[] {
    return keyVersions(this.ctx, this.manifest, this.levels, key, h, this.walLimit)
  }

  /**
   * The shard as it is now, for a scan: holds its tables and memtable until
   * released (see ShardSnapshot).
   */
  snapshot(): ShardSnapshot {
    return ShardSnapshot.take(this.memtable, this.lastSeq, this.levels, this.imm)
  }

  /**
   * The shard's tables as the sources of a merge, newest first: each level-0
   * table alone, then each level ≥ 1 as one run in key order; undefined while
   * a memtable holds records (then every record is not in them). For a
   * reader that holds the shard still (a rebalance's read pass).
   */
  tableChains(): TableReader[][] | undefined {
    if (this.memtable.size > 0 || this.imm !== undefined) return undefined
    const chains = this.levels.l0.map((t) => [t.reader])
    for (let L = 1; L < this.levels.levels.length; L++) if (this.levels.levels[L].length > 0) chains.push(this.levels.levels[L].map((t) => t.reader))
    return chains
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
      if (w.schema !== undefined) e.schema = w.schema
      entries.push(e)
    }
    const starts: number[] = []
    const encoded = wal.appendBatch(entries, starts)
    this.lastSeq = seq
    this.memtable.addEncoded(entries, encoded, starts)
    this.walBytes = wal.size()
  }

  sync(): void {
    this.requireWriter().sync()
  }

  /** `sync()` off the event loop: settles once the WAL bytes appended before the call are durable. */
  syncAsync(): Promise<void> {
    return this.requireWriter().syncAsync()
  }

  /**
   * Runs `plan`: merges its inputs, keeping the newest version of each key.
   * A tombstone or expired record with no table below the output level that
   * could hold an older version is dropped; otherwise it is kept (an expired
   * value as a tombstone) so that it still hides what lies below.
   */
  private run(plan: CompactionPlan): Omit<ShardCompaction, 'memtableEntries'> {
    const {fs, dir} = this.ctx
    const out = plan.outputLevel
    const levels = this.levels
    const sources = plan.inputs.map((t) => new TableChainCursor([t.reader]))
    const built = buildMergedTables(this.ctx, () => this.allocate(), sources, this.ctx.now(), (key) => levels.existsBelow(out, key), out, plan.reason === 'manual compaction' ? 'compact' : 'auto-compact')
    fs.syncDir(dir)
    this.install([...this.levels.all().filter((t) => !plan.inputs.includes(t)), ...built], this.manifest.walNumber, this.manifest.lastSeq)
    this.activity.compactions++
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
    const pending = this.memtable.size
    if (inputs.length === 0 && pending === 0) return NO_COMPACTION
    const now = this.ctx.now()
    wal.sync()
    // Every table and the memtable are inputs and the output is the deepest level:
    // no older version of any key remains anywhere, so only live records are kept.
    const sources = [new EntryCursor(this.memtable.entries(), 'memtable'), ...inputs.map((t) => new TableChainCursor([t.reader]))]
    const built = buildMergedTables(this.ctx, () => this.allocate(), sources, now, undefined, Math.max(1, this.levels.deepest()), 'compact')
    let newWal: WalWriter | undefined
    try {
      let walNumber = this.manifest.walNumber
      let lastSeq = this.manifest.lastSeq
      if (pending > 0) {
        walNumber = this.allocate()
        lastSeq = this.lastSeq
        newWal = WalWriter.create(fs, joinPath(dir, walFileName(walNumber)), this.ctx.index)
      }
      fs.syncDir(dir)
      this.install(built, walNumber, lastSeq)
      this.activity.compactions++
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
      memtableEntries: pending,
      outputTables: built.length,
      outputBytes: built.reduce((s, t) => s + t.meta.fileSize, 0),
      entriesIn: inputs.reduce((s, t) => s + t.meta.entries, 0) + pending,
      entriesOut: built.reduce((s, t) => s + t.meta.entries, 0),
    }
  }

  /** What `compact` would do, without writing (shard-estimate.ts). */
  private estimateCompaction(range?: {from?: Buffer; to?: Buffer}): ShardCompaction {
    return estimateCompaction({ctx: this.ctx, levels: this.levels, memtable: this.memtable, lastSeq: this.lastSeq, entries: (from) => this.entries(from)}, range)
  }


}
