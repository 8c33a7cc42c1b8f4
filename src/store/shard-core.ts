/**
 * A shard's live state and the changes that replace its files: the manifest
 * switch that installs new tables and a new WAL and deletes what the old
 * manifest listed (install), and the flush of the memtable into tables.
 * Shard (shard.ts) adds opening, reads, writes and compaction on top.
 */
import {ErrorCode, StrataError, ioError} from '../errors.js'
import type {ShardStats} from '../api.js'
import type {WalContents} from '../wal/reader.js'
import {WalWriter} from '../wal/writer.js'
import type {Manifest} from '../manifest/format.js'
import {switchManifest} from '../manifest/current.js'
import {joinPath, manifestFileName, tableFileName, walFileName} from '../layout/names.js'
import {Memtable} from './memtable.js'
import {runEntry, sortRun} from './sorted-run.js'
import {LevelSet, type LiveTable} from './levels.js'
import {flushLevel} from './compaction.js'
import type {ShardContext} from './shard-types.js'
import {shardStats} from './shard-read.js'
import {buildRunTables} from './table-build.js'
import {TableReader} from '../sstable/reader.js'
import {linkOrCopy} from '../cut/file-copy.js'

export abstract class ShardCore {
  protected manifest: Manifest
  protected manifestNumber: number
  protected levels: LevelSet
  /** Per level, the last key compacted out of it (round robin). */
  protected readonly cursors = new Map<number, Buffer>()
  protected memtable: Memtable
  /** A memtable being flushed in the background (shard-background.ts): read after `memtable`, before the tables. */
  protected imm: Memtable | undefined
  protected wal: WalWriter | undefined
  protected walBytes: number
  protected nextFileNumber: number
  /** Flushes and compactions this shard ran since it was opened (for a server's metrics). */
  readonly activity = {flushes: 0, compactions: 0}
  /** Highest sequence number assigned in this shard. */
  lastSeq: number
  /** The torn tail found when the WAL was read, if any. */
  readonly tornTail: WalContents['tornTail']
  /** A view at a fixed state reads the WAL up to here only (ViewAt). */
  protected readonly walLimit: number | undefined

  protected constructor(
    protected readonly ctx: ShardContext,
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

  protected requireWriter(): WalWriter {
    if (this.wal === undefined) throw new StrataError(ErrorCode.INVALID_ARGUMENT, 'store is open read-only')
    return this.wal
  }

  protected allocate(): number {
    return this.nextFileNumber++
  }

  /**
   * Switches to a manifest listing `tables` and `walNumber`, then deletes what
   * the old one listed and the new does not. `lastSeq` is the highest
   * sequence number the tables cover: every record of the live WAL is above it.
   */
  protected install(tables: LiveTable[], walNumber: number, lastSeq: number): void {
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
      // Sorted as the background worker sorts a flush: radix passes, no string per key.
      const run = sortRun(this.memtable.unsortedRun())
      const level = flushLevel(this.levels, this.ctx.policy, runEntry(run, 0).key, runEntry(run, run.starts.length - 1).key)
      const built = buildRunTables(this.ctx, () => this.allocate(), run, level, 'flush')
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
    this.activity.flushes++
  }

  /**
   * Replaces everything the shard holds with the tables at `paths`, built
   * elsewhere and synced: one sorted run at one level of at least 1, their
   * sequence numbers above every one in the shard, `lastSeq` the highest.
   * Each gets a file number here and a hard link (or synced copy) in the
   * shard folder; then one manifest switch, the commit point, names exactly
   * them and a new empty WAL, and deletes every table and the WAL it
   * replaces. A crash before the switch leaves the links unreferenced: the
   * next writer's open removes them.
   * REQUIRES: the writer lock is held, and the tables hold every live record
   * of the shard (its memtable's included): nothing else survives.
   */
  replaceAll(paths: readonly string[], lastSeq: number): void {
    const wal = this.requireWriter()
    const {fs, dir} = this.ctx
    const tables: LiveTable[] = []
    let newWal: WalWriter | undefined
    try {
      for (const from of paths) {
        const fileNumber = this.allocate()
        const path = joinPath(dir, tableFileName(fileNumber))
        linkOrCopy(fs, from, path)
        const reader = TableReader.open({fs, ...(this.ctx.files ? {files: this.ctx.files} : {})}, path, this.ctx.cache)
        const p = reader.properties
        tables.push({
          meta: {fileNumber, fileSize: reader.fileSize, level: p.level, entries: p.entries, minSeq: p.minSeq, maxSeq: p.maxSeq, smallestKey: Buffer.from(p.smallestKey), largestKey: Buffer.from(p.largestKey)},
          reader,
        })
      }
      const walNumber = this.allocate()
      newWal = WalWriter.create(fs, joinPath(dir, walFileName(walNumber)), this.ctx.index, this.ctx.files)
      fs.syncDir(dir)
      this.install(tables, walNumber, Math.max(lastSeq, this.lastSeq))
    } catch (err) {
      for (const t of tables) t.reader.close()
      newWal?.close()
      throw err
    }
    wal.close()
    this.wal = newWal
    this.walBytes = newWal.size()
    this.memtable = new Memtable()
    this.lastSeq = Math.max(lastSeq, this.lastSeq)
  }

  /** The shard's settings and shared resources. */
  get context(): ShardContext {
    return this.ctx
  }

  /** The deepest level holding tables, at least 1: where a rewrite of the whole shard belongs. */
  bottomLevel(): number {
    return Math.max(1, this.levels.deepest())
  }

  /** What a cut records of this shard now: its manifest, WAL length and last sequence number. */
  cutState(): {manifestNumber: number; manifest: Manifest; walLength: number; lastSeq: number} {
    return {manifestNumber: this.manifestNumber, manifest: this.manifest, walLength: this.walBytes, lastSeq: this.lastSeq}
  }

  /** Numbers for `stats`. */
  stats(): ShardStats {
    return shardStats(this.ctx, this.levels, this.imm === undefined ? [this.memtable] : [this.memtable, this.imm], this.walBytes, this.lastSeq)
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
