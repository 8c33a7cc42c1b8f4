/**
 * The shape of one shard's tables: level 0 holds flushed memtables, which may
 * overlap each other (newest first); every level L ≥ 1 is one sorted run of
 * non-overlapping tables (ordered by key).
 *
 * Invariant: for any key, newer versions live in lower levels. Flushes add to
 * level 0, or to a deeper level none of whose tables (nor any above it)
 * overlap the flushed keys; a compaction into level L+1 takes every
 * overlapping table of L+1 (and, from level 0, every level-0 table), so it
 * never puts older data above newer data.
 */
import {corruption} from '../errors.js'
import {compareKeys} from '../util/bytes.js'
import type {TableMeta} from '../manifest/format.js'
import type {TableReader} from '../sstable/reader.js'

/** Deepest level a table may have. */
export const MAX_LEVEL = 6

/** A live table and what the manifest says of it. */
export interface LiveTable {
  readonly meta: TableMeta
  readonly reader: TableReader
}

const cmp = compareKeys

/** True if [a.smallest, a.largest] intersects [lo, hi] (undefined bounds are open). */
export function overlaps(t: TableMeta, lo: Buffer | undefined, hi: Buffer | undefined): boolean {
  return (lo === undefined || cmp(t.largestKey, lo) >= 0) && (hi === undefined || cmp(t.smallestKey, hi) <= 0)
}

export class LevelSet {
  /** Level 0, newest first. */
  readonly l0: readonly LiveTable[]
  /** levels[L] for L ≥ 1, sorted by smallest key; levels[0] is unused (empty). */
  readonly levels: readonly (readonly LiveTable[])[]

  /**
   * Groups `tables` by level. CORRUPTION (naming `where`) if a level ≥ 1
   * overlaps itself or a level is out of range.
   */
  constructor(tables: readonly LiveTable[], where: string) {
    const l0: LiveTable[] = []
    const levels: LiveTable[][] = Array.from({length: MAX_LEVEL + 1}, () => [])
    for (const t of tables) {
      if (t.meta.level > MAX_LEVEL) throw corruption(where, 0, `table ${t.meta.fileNumber} has level ${t.meta.level} (max ${MAX_LEVEL})`)
      if (t.meta.level === 0) l0.push(t)
      else levels[t.meta.level].push(t)
    }
    l0.sort((a, b) => b.meta.maxSeq - a.meta.maxSeq)
    for (let L = 1; L <= MAX_LEVEL; L++) {
      const run = levels[L].sort((a, b) => cmp(a.meta.smallestKey, b.meta.smallestKey))
      for (let i = 1; i < run.length; i++) {
        if (cmp(run[i - 1].meta.largestKey, run[i].meta.smallestKey) >= 0) {
          throw corruption(where, 0, `level ${L} tables ${run[i - 1].meta.fileNumber} and ${run[i].meta.fileNumber} overlap`)
        }
      }
    }
    this.l0 = l0
    this.levels = levels
  }

  /** Every table, L0 newest first then each level in key order (the manifest's order). */
  all(): LiveTable[] {
    return [...this.l0, ...this.levels.flat()]
  }

  get count(): number {
    return this.l0.length + this.levels.reduce((s, l) => s + l.length, 0)
  }

  /** The deepest non-empty level (0 if only level 0 or nothing). */
  deepest(): number {
    for (let L = MAX_LEVEL; L >= 1; L--) if (this.levels[L].length > 0) return L
    return 0
  }

  bytes(level: number): number {
    const run = level === 0 ? this.l0 : this.levels[level]
    return run.reduce((s, t) => s + t.meta.fileSize, 0)
  }

  /** The table of level L ≥ 1 whose range holds `key`, if any. */
  find(level: number, key: Buffer): LiveTable | undefined {
    const run = this.levels[level]
    let lo = 0
    let hi = run.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cmp(run[mid].meta.largestKey, key) < 0) lo = mid + 1
      else hi = mid
    }
    const t = run[lo]
    return t !== undefined && cmp(t.meta.smallestKey, key) <= 0 ? t : undefined
  }

  /** Tables of `level` that intersect [lo, hi]. */
  overlapping(level: number, lo: Buffer | undefined, hi: Buffer | undefined): LiveTable[] {
    const run = level === 0 ? this.l0 : this.levels[level]
    return run.filter((t) => overlaps(t.meta, lo, hi))
  }

  /** True if some table below `level` may hold a version of `key`. */
  existsBelow(level: number, key: Buffer): boolean {
    for (let L = level + 1; L <= MAX_LEVEL; L++) if (this.find(L, key) !== undefined) return true
    return false
  }
}
