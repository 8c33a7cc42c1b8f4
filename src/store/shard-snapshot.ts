/**
 * One shard as of one instant: the memtable as it was (a view that keeps the
 * versions later writes replace) and the tables of the live set, each
 * referenced. Flushes and compactions that run while a snapshot is open
 * build new tables and drop old ones from the live set, but a dropped table
 * stays open, and its file on disk, until the last snapshot holding it is
 * released (see TableReader.ref). Scans read from snapshots; the same
 * references can hold the files of a longer-lived cut of the store.
 */
import type {Entry} from '../record/format.js'
import type {LevelSet, LiveTable} from './levels.js'
import type {Memtable, MemtableView} from './memtable.js'
import {mergeNewest} from './merge.js'
import {EntryCursor, TableChainCursor, type InPlaceCursor} from './in-place-merge.js'

export class ShardSnapshot {
  private released = false

  private constructor(
    private readonly memtable: MemtableView,
    private readonly levels: LevelSet,
    /** The memtable being flushed, if any: older than `memtable`, newer than every table. */
    private readonly imm: MemtableView | undefined,
  ) {}

  /**
   * References every table of `levels` and views `memtable` as of `seq` (the
   * shard's last sequence number). REQUIRES: `levels` is the shard's live
   * set and `memtable` its memtable (and `imm` the one being flushed), taken together.
   */
  static take(memtable: Memtable, seq: number, levels: LevelSet, imm?: Memtable): ShardSnapshot {
    const held: LiveTable[] = []
    try {
      for (const t of levels.all()) {
        t.reader.ref()
        held.push(t)
      }
    } catch (err) {
      for (const t of held) t.reader.unref()
      throw err
    }
    return new ShardSnapshot(memtable.view(seq), levels, imm?.view(seq))
  }

  /** Newest version (as of the snapshot) of every key in [from, to), tombstones included. */
  entries(from?: Buffer, to?: Buffer, reverse = false): Generator<Entry> {
    const sources: Iterable<Entry>[] = [this.memtable.entries(from, to, reverse)]
    if (this.imm !== undefined) sources.push(this.imm.entries(from, to, reverse))
    const inRange = (t: LiveTable): boolean =>
      (from === undefined || Buffer.compare(t.meta.largestKey, from) >= 0) && (to === undefined || Buffer.compare(t.meta.smallestKey, to) < 0)
    for (const t of this.levels.l0) if (inRange(t)) sources.push(t.reader.entries({from, to, reverse}))
    for (let L = 1; L < this.levels.levels.length; L++) {
      // A level is one sorted run: its tables chained in order form one source.
      const run = this.levels.levels[L].filter(inRange)
      if (run.length === 0) continue
      const ordered = reverse ? run.slice().reverse() : run
      sources.push((function* () {
        for (const t of ordered) yield* t.reader.entries({from, to, reverse})
      })())
    }
    return mergeNewest(sources, reverse)
  }

  /**
   * The whole shard as the sources of an in-place merge (forEachNewest):
   * the memtable's entries (and those of the memtable being flushed), each
   * level-0 table alone, then each level >= 1 as one run in key order.
   */
  cursors(): InPlaceCursor[] {
    const sources: InPlaceCursor[] = [new EntryCursor(this.memtable.entries(), 'memtable')]
    if (this.imm !== undefined) sources.push(new EntryCursor(this.imm.entries(), 'memtable'))
    for (const t of this.levels.l0) sources.push(new TableChainCursor([t.reader]))
    for (let L = 1; L < this.levels.levels.length; L++) {
      if (this.levels.levels[L].length > 0) sources.push(new TableChainCursor(this.levels.levels[L].map((t) => t.reader)))
    }
    return sources
  }

  /** True once released: reading on is a bug of the caller. */
  get isReleased(): boolean {
    return this.released
  }

  /**
   * Drops the references. A table a compaction dropped meanwhile is closed and
   * its file deleted here if this was its last reference; a deletion that
   * fails leaves a file no manifest names, which the next writer to open the
   * shard removes. Idempotent.
   */
  release(): void {
    if (this.released) return
    this.released = true
    for (const t of this.levels.all()) {
      try {
        t.reader.unref()
      } catch {
        // See above: the file is removed at the next writer open.
      }
    }
    this.memtable.release()
    this.imm?.release()
  }
}
