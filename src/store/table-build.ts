/**
 * Building a shard's tables: sorted entries, or a flush's run of encoded
 * records, written into new SSTables at one level, cut at the policy's
 * target size.
 */
import {Kind, type Entry} from '../record/format.js'
import {TableBuilder} from '../sstable/builder.js'
import {TableReader} from '../sstable/reader.js'
import type {TableMeta} from '../manifest/format.js'
import {joinPath, tableFileName} from '../layout/names.js'
import type {LiveTable} from './levels.js'
import type {ShardContext} from './shard-types.js'
import type {Run} from './sorted-run.js'
import {forEachNewest, type InPlaceCursor} from './in-place-merge.js'

/**
 * Writes sorted entries into new tables at `level`, cutting a table once it
 * reaches the policy's target size (level 0: never cut). Each table is
 * synced; the caller syncs the directory before a manifest names them.
 * File numbers come from `allocate`.
 */
export function buildTables(ctx: ShardContext, allocate: () => number, entries: Iterable<Entry>, level: number, createdBy: string): LiveTable[] {
  const out = new Outputs(ctx, allocate, level, createdBy)
  try {
    for (const e of entries) out.next().add(e)
    return out.finish()
  } catch (err) {
    out.abandon()
    throw err
  }
}

/**
 * buildTables for a run in key order (sortRun): each record's bytes go into
 * its table as they are, with no Entry made for it (TableBuilder.addEncoded).
 */
export function buildRunTables(ctx: ShardContext, allocate: () => number, run: Run, level: number, createdBy: string): LiveTable[] {
  const out = new Outputs(ctx, allocate, level, createdBy)
  const {bytes, starts} = run
  try {
    for (let i = 0; i < starts.length; i++) out.next().addEncoded(bytes, starts[i])
    return out.finish()
  } catch (err) {
    out.abandon()
    throw err
  }
}

/**
 * A compaction's tables: the newest version of each key of `sources` (read
 * in place, in-place-merge.ts), each record's bytes copied as they lie. A
 * live record is kept. A tombstone or a record expired at `now` is kept (an
 * expired value as a tombstone) only where `below(key)` says a table below
 * the output level may hold an older version it must still hide; otherwise
 * it is dropped. Without `below`, nothing lies below: only live records stay.
 */
export function buildMergedTables(ctx: ShardContext, allocate: () => number, sources: readonly InPlaceCursor[], now: number, below: ((key: Buffer) => boolean) | undefined, level: number, createdBy: string): LiveTable[] {
  const out = new Outputs(ctx, allocate, level, createdBy)
  try {
    forEachNewest(sources, (r) => {
      if (r.isLive(now)) {
        out.next().addEncoded(r.bytes, r.pos)
        return
      }
      if (below === undefined) return
      const key = r.bytes.subarray(r.keyStart, r.keyEnd)
      if (!below(key)) return
      if (r.kind === Kind.DELETE) out.next().addEncoded(r.bytes, r.pos)
      else out.next().add({kind: Kind.DELETE, key, seq: r.seq, value: NO_VALUE})
    })
    return out.finish()
  } catch (err) {
    out.abandon()
    throw err
  }
}

const NO_VALUE = Buffer.alloc(0)

/** The tables one build writes: the builder of the current one, and those finished. */
class Outputs {
  private readonly out: LiveTable[] = []
  private readonly target: number
  private builder: TableBuilder | undefined
  private path = ''
  private number = 0

  constructor(
    private readonly ctx: ShardContext,
    private readonly allocate: () => number,
    private readonly level: number,
    private readonly createdBy: string,
  ) {
    this.target = level === 0 ? Infinity : ctx.policy.targetFileBytes
  }

  /** The builder the next entry goes to: the current table's, or a new table's once it reached the target size. */
  next(): TableBuilder {
    const b = this.builder
    if (b !== undefined && b.estimatedSize() < this.target) return b
    if (b !== undefined) this.finishTable()
    const {ctx} = this
    this.number = this.allocate()
    this.path = joinPath(ctx.dir, tableFileName(this.number))
    return (this.builder = new TableBuilder(ctx.fs, this.path, {
      compression: ctx.compression,
      blockSize: ctx.blockSize,
      shard: ctx.index,
      level: this.level,
      createdBy: `${ctx.createdBy} ${this.createdBy}`,
      now: ctx.now,
    }))
  }

  /** Finishes the last table; the tables written, each synced. */
  finish(): LiveTable[] {
    if (this.builder !== undefined) this.finishTable()
    return this.out
  }

  /** Deletes every table this build wrote or began. */
  abandon(): void {
    this.builder?.abandon()
    this.builder = undefined
    for (const t of this.out) {
      t.reader.close()
      this.ctx.fs.unlink(t.reader.path)
    }
  }

  private finishTable(): void {
    const {fileSize, properties: p} = this.builder!.finish()
    this.builder = undefined
    const meta: TableMeta = {
      fileNumber: this.number,
      fileSize,
      level: this.level,
      entries: p.entries,
      minSeq: p.minSeq,
      maxSeq: p.maxSeq,
      smallestKey: Buffer.from(p.smallestKey),
      largestKey: Buffer.from(p.largestKey),
    }
    const {fs, files, cache} = this.ctx
    this.out.push({meta, reader: TableReader.open({fs, ...(files ? {files} : {})}, this.path, cache)})
  }
}
