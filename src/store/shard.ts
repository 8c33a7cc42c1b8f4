/**
 * One shard: an independent LSM tree with its own WAL, memtable, SSTables and
 * manifest, in DIR/shard-NNNN/.
 *
 * A shard is opened either as the writer (the store holds the LOCK) or as a
 * read-only view. A view is a consistent snapshot: the manifest CURRENT named,
 * the tables it lists (their descriptors opened, so later deletion does not
 * matter) and the WAL up to its last complete record. If a writer swaps files
 * while the view is being assembled, assembly starts over.
 */
import {ErrorCode, StrataError, ioError, isNotFound} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {isLive, type Entry} from '../record/format.js'
import type {KeyHash} from '../util/hash.js'
import {TableBuilder} from '../sstable/builder.js'
import {TableReader} from '../sstable/reader.js'
import type {BlockCompression} from '../sstable/format.js'
import {decodeWal, type WalContents} from '../wal/reader.js'
import {WalWriter} from '../wal/writer.js'
import type {Manifest, TableMeta} from '../manifest/format.js'
import {readCurrent, switchManifest} from '../manifest/current.js'
import {CURRENT_FILE, joinPath, manifestFileName, parseFileName, tableFileName, walFileName} from './files.js'
import {Memtable} from './memtable.js'
import {mergeNewest} from './merge.js'

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
}

/** A table and what the manifest says of it. */
interface LiveTable {
  readonly meta: TableMeta
  readonly reader: TableReader
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
  readonly inputTables: number
  readonly inputBytes: number
  readonly outputTables: number
  readonly outputBytes: number
  readonly entriesIn: number
  readonly entriesOut: number
}

const READ_RETRIES = 50
/** Per-entry bytes beyond key and value in a table (entry header, index, filter), for dry-run estimates. */
const ESTIMATED_ENTRY_OVERHEAD = 10

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

export class Shard {
  private manifest: Manifest
  private manifestNumber: number
  private tables: LiveTable[]
  private memtable: Memtable
  private wal: WalWriter | undefined
  private walBytes: number
  private nextFileNumber: number
  /** Highest sequence number assigned in this shard. */
  lastSeq: number
  /** The torn tail found when the WAL was read, if any. */
  readonly tornTail: WalContents['tornTail']

  private constructor(
    private readonly ctx: ShardContext,
    live: {manifest: Manifest; manifestNumber: number; tables: LiveTable[]; memtable: Memtable; wal: WalContents; walBytes: number},
    nextFileNumber: number,
  ) {
    this.manifest = live.manifest
    this.manifestNumber = live.manifestNumber
    this.tables = live.tables
    this.memtable = live.memtable
    this.walBytes = live.walBytes
    this.nextFileNumber = nextFileNumber
    this.tornTail = live.wal.tornTail
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

  /** Opens a read-only view; never modifies the directory. */
  static openView(ctx: ShardContext): Shard {
    for (let attempt = 0; ; attempt++) {
      try {
        const live = Shard.load(ctx)
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
      live = Shard.load(ctx)
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
      shard.wal = WalWriter.reopen(fs, joinPath(dir, walFileName(m.walNumber)), live.wal.validLength)
      return shard
    } catch (err) {
      for (const t of live.tables) t.reader.close()
      throw err instanceof StrataError ? err : ioError('open shard', dir, err)
    }
  }

  private static load(ctx: ShardContext) {
    const {fs, dir} = ctx
    const {manifest, manifestNumber} = readCurrent(fs, dir)
    if (manifest.shard !== ctx.index) {
      throw new StrataError(ErrorCode.CORRUPTION, `${dir}: manifest belongs to shard ${manifest.shard}`, {file: dir})
    }
    const tables: LiveTable[] = []
    try {
      for (const meta of manifest.tables) {
        const path = joinPath(dir, tableFileName(meta.fileNumber))
        const reader = TableReader.open(fs, path)
        tables.push({meta, reader})
        if (reader.fileSize !== meta.fileSize) {
          throw new StrataError(ErrorCode.CORRUPTION, `${path}: size ${reader.fileSize} differs from the manifest's ${meta.fileSize}`, {file: path, offset: 0})
        }
      }
      const walPath = joinPath(dir, walFileName(manifest.walNumber))
      const walBuf = fs.readFile(walPath)
      const wal = decodeWal(walBuf, walPath, manifest.lastSeq)
      const memtable = new Memtable()
      for (const b of wal.batches) for (const e of b.entries) memtable.add(e)
      return {manifest, manifestNumber, tables, memtable, wal, walBytes: wal.validLength}
    } catch (err) {
      for (const t of tables) t.reader.close()
      throw err
    }
  }

  get index(): number {
    return this.ctx.index
  }

  /** Newest version of `key` in this shard (tombstones included), or undefined. */
  getEntry(key: Buffer, h: KeyHash): Entry | undefined {
    const m = this.memtable.get(key)
    if (m !== undefined) return m
    for (const t of this.tables) {
      if (Buffer.compare(key, t.meta.smallestKey) < 0 || Buffer.compare(key, t.meta.largestKey) > 0) continue
      const e = t.reader.get(key, h)
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
      wal = decodeWal(fs.readFile(walPath), walPath, this.manifest.lastSeq)
    } catch (err) {
      // The WAL was flushed away since this view was opened: its versions are in the tables read below.
      if (!isNotFound(err)) throw err
    }
    for (const b of wal?.batches ?? []) {
      for (const e of b.entries) if (e.key.equals(key)) out.push({source: 'wal', file: walPath, offset: b.offset, entry: e})
    }
    out.reverse()
    for (const t of this.tables) {
      if (!t.reader.mayContain(h)) continue
      const e = t.reader.get(key, h)
      if (e === undefined) continue
      const block = t.reader.index.find((ix) => Buffer.compare(ix.lastKey, key) >= 0)
      out.push({source: 'sstable', file: t.reader.path, offset: block?.handle.offset ?? 0, level: t.meta.level, entry: e})
    }
    return out.sort((a, b) => b.entry.seq - a.entry.seq)
  }

  /** Newest version of every key in [from, to), tombstones included. */
  entries(from?: Buffer, to?: Buffer, reverse = false): Generator<Entry> {
    const sources: Iterable<Entry>[] = [this.memtable.entries(from, to, reverse)]
    for (const t of this.tables) {
      if (from !== undefined && Buffer.compare(t.meta.largestKey, from) < 0) continue
      if (to !== undefined && Buffer.compare(t.meta.smallestKey, to) >= 0) continue
      sources.push(t.reader.entries({from, to, reverse}))
    }
    return mergeNewest(sources, reverse)
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
      const e: Entry = w.expiresAt !== undefined ? {...w, seq: ++seq} : {kind: w.kind, key: w.key, value: w.value, seq: ++seq, ...(w.json ? {json: true} : {})}
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

  get walSize(): number {
    return this.walBytes
  }

  private requireWriter(): WalWriter {
    if (this.wal === undefined) throw new StrataError(ErrorCode.INVALID_ARGUMENT, 'store is open read-only')
    return this.wal
  }

  private allocate(): number {
    return this.nextFileNumber++
  }

  /** Builds a table from sorted entries; returns its meta, or undefined if there were none. */
  private buildTable(entries: Iterable<Entry>, level: number, createdBy: string): {meta: TableMeta; reader: TableReader} | undefined {
    const {fs, dir} = this.ctx
    const number = this.allocate()
    const path = joinPath(dir, tableFileName(number))
    const builder = new TableBuilder(fs, path, {
      compression: this.ctx.compression,
      blockSize: this.ctx.blockSize,
      shard: this.ctx.index,
      level,
      createdBy: `${this.ctx.createdBy} ${createdBy}`,
      now: this.ctx.now,
    })
    let any = false
    try {
      for (const e of entries) {
        builder.add(e)
        any = true
      }
      if (!any) {
        builder.abandon()
        return undefined
      }
    } catch (err) {
      builder.abandon()
      throw err
    }
    const {fileSize, properties: p} = builder.finish()
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
    return {meta, reader: TableReader.open(fs, path)}
  }

  /** Switches to a new manifest and deletes what the old one listed and the new does not. */
  private install(manifest: Manifest, tables: LiveTable[], oldWal: number): void {
    const {fs, dir} = this.ctx
    const number = this.allocate()
    const final: Manifest = {...manifest, nextFileNumber: this.nextFileNumber}
    switchManifest(fs, dir, final, number)
    const oldManifest = this.manifestNumber
    const dropped = this.tables.filter((t) => !tables.includes(t))
    this.manifest = final
    this.manifestNumber = number
    this.tables = tables
    for (const t of dropped) {
      t.reader.close()
      fs.unlink(joinPath(dir, tableFileName(t.meta.fileNumber)))
    }
    if (oldWal !== final.walNumber) fs.unlink(joinPath(dir, walFileName(oldWal)))
    fs.unlink(joinPath(dir, manifestFileName(oldManifest)))
  }

  /** Writes the memtable to a new level-0 table and starts a new WAL. No-op when empty. */
  flush(): void {
    const wal = this.requireWriter()
    if (this.memtable.size === 0) return
    const {fs, dir} = this.ctx
    wal.sync()
    const walNumber = this.allocate()
    const newWal = WalWriter.create(fs, joinPath(dir, walFileName(walNumber)), this.ctx.index)
    try {
      const built = this.buildTable(this.memtable.sorted(), 0, 'flush')!
      fs.syncDir(dir)
      const tables = [built, ...this.tables]
      this.install({...this.manifest, lastSeq: this.lastSeq, walNumber, tables: tables.map((t) => t.meta)}, tables, this.manifest.walNumber)
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
   * Merges every table (after flushing the memtable) into one, keeping only
   * the newest live version of each key: overwritten versions, tombstones and
   * expired records are dropped. Safe because the merge covers every table, so
   * no older version can survive below a dropped tombstone.
   */
  compact(dryRun: boolean): ShardCompaction {
    const now = this.ctx.now()
    if (dryRun) {
      // What compact would read: every table, plus the memtable it flushes first.
      const pending = this.memtable.size > 0
      let entriesOut = 0
      let outputBytes = 0
      for (const e of this.entries()) {
        if (!isLive(e, now)) continue
        entriesOut++
        outputBytes += e.key.length + e.value.length + ESTIMATED_ENTRY_OVERHEAD
      }
      return {
        inputTables: this.tables.length + (pending ? 1 : 0),
        inputBytes: this.tables.reduce((s, t) => s + t.meta.fileSize, 0) + (pending ? this.walBytes : 0),
        outputTables: entriesOut > 0 ? 1 : 0,
        outputBytes,
        entriesIn: this.tables.reduce((s, t) => s + t.meta.entries, 0) + this.memtable.size,
        entriesOut,
      }
    }
    this.flush()
    const inputs = this.tables
    const inputBytes = inputs.reduce((s, t) => s + t.meta.fileSize, 0)
    const entriesIn = inputs.reduce((s, t) => s + t.meta.entries, 0)
    if (inputs.length === 0 || (inputs.length === 1 && inputs[0].reader.properties.deletes === 0 && inputs[0].reader.properties.withExpiry === 0)) {
      return {inputTables: inputs.length, inputBytes, outputTables: inputs.length, outputBytes: inputBytes, entriesIn, entriesOut: entriesIn}
    }
    const live = (function* (src: Iterable<Entry>) {
      for (const e of src) if (isLive(e, now)) yield e
    })(this.entries())
    const built = this.buildTable(live, 1, 'compact')
    this.ctx.fs.syncDir(this.ctx.dir)
    const tables = built ? [built] : []
    this.install({...this.manifest, lastSeq: this.lastSeq, tables: tables.map((t) => t.meta)}, tables, this.manifest.walNumber)
    return {
      inputTables: inputs.length,
      inputBytes,
      outputTables: tables.length,
      outputBytes: built?.meta.fileSize ?? 0,
      entriesIn,
      entriesOut: built?.meta.entries ?? 0,
    }
  }

  /** Numbers for `stats`. */
  stats() {
    return {
      shard: this.ctx.index,
      tables: this.tables.length,
      tableBytes: this.tables.reduce((s, t) => s + t.meta.fileSize, 0),
      tableEntries: this.tables.reduce((s, t) => s + t.meta.entries, 0),
      tombstones: this.tables.reduce((s, t) => s + t.reader.properties.deletes, 0) + countTombstones(this.memtable),
      walBytes: this.walBytes,
      memtableEntries: this.memtable.size,
      memtableBytes: this.memtable.bytes,
      lastSeq: this.lastSeq,
    }
  }

  get tableCount(): number {
    return this.tables.length
  }

  close(): void {
    let first: unknown
    for (const t of this.tables) {
      try {
        t.reader.close()
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

function countTombstones(m: Memtable): number {
  let n = 0
  for (const e of m.entries()) if (e.kind === 2) n++
  return n
}

function wrapLoadError(ctx: ShardContext, err: unknown): StrataError {
  if (err instanceof StrataError) return err
  if (isNotFound(err)) {
    const path = (err as NodeJS.ErrnoException).path ?? ctx.dir
    return new StrataError(ErrorCode.CORRUPTION, `${path}: file listed by the shard's manifest is missing`, {file: path, offset: 0})
  }
  return ioError('open shard', ctx.dir, err)
}
