/**
 * Leveled compaction: which tables to merge next, and into which level.
 *
 * Policy (per shard): a flush goes to level 0 unless its keys overlap nothing
 * in levels 0..2 (see `flushLevel`). Level 0 is compacted, all of it, into level 1 once it
 * holds `l0Trigger` tables. Level L ≥ 1 may hold baseLevelBytes ×
 * levelMultiplier^(L-1) bytes; past that, one of its tables (round robin by
 * key) is merged with the tables of level L+1 it overlaps. Outputs are cut
 * into tables of about targetFileBytes. The choice is argued in
 * formats/README.md.
 */
import {LevelSet, MAX_LEVEL, overlaps, type LiveTable} from './levels.js'

/** Tunables of the compaction policy. */
export interface CompactionPolicy {
  /** Level-0 table count that triggers an L0 → L1 compaction. */
  readonly l0Trigger: number
  /** Size budget of level 1. */
  readonly baseLevelBytes: number
  /** Each level below may hold this many times the one above. */
  readonly levelMultiplier: number
  /** Output tables are cut once they reach about this size. */
  readonly targetFileBytes: number
}

export const DEFAULT_POLICY: CompactionPolicy = {
  l0Trigger: 4,
  baseLevelBytes: 16 * 1024 * 1024,
  levelMultiplier: 10,
  targetFileBytes: 4 * 1024 * 1024,
}

/** One compaction: merge `inputs` into new tables at `outputLevel`. */
export interface CompactionPlan {
  readonly inputs: readonly LiveTable[]
  readonly outputLevel: number
  readonly reason: string
}

export function levelBudget(policy: CompactionPolicy, level: number): number {
  return policy.baseLevelBytes * policy.levelMultiplier ** (level - 1)
}

function span(tables: readonly LiveTable[]): [Buffer, Buffer] {
  let lo = tables[0].meta.smallestKey
  let hi = tables[0].meta.largestKey
  for (const t of tables) {
    if (Buffer.compare(t.meta.smallestKey, lo) < 0) lo = t.meta.smallestKey
    if (Buffer.compare(t.meta.largestKey, hi) > 0) hi = t.meta.largestKey
  }
  return [lo, hi]
}

/** Deepest level a flush may write to (LevelDB's kMaxMemCompactLevel). */
export const MAX_FLUSH_LEVEL = 2

/**
 * The level a flushed memtable holding keys [lo, hi] goes to. Level 0, unless
 * the shard already has tables and no table of levels 0..L overlaps [lo, hi]:
 * then level L (at most MAX_FLUSH_LEVEL), stopping early where the level
 * below L holds more than 10 target files' bytes in that range (a later
 * compaction out of L would have to rewrite them all). A shard's first flush
 * stays in level 0 so that a small store keeps the shape level 0 above the
 * level 1 its first compaction writes, instead of starting two levels deep.
 *
 * Safe because nothing at or above L holds any of these keys: their older
 * versions, if any, sit below L, so newer versions stay in lower levels, and
 * L stays one sorted run. A load in key order (keys that only grow) then
 * lands straight in level 1 or 2 and is never rewritten by an L0 → L1
 * compaction; overlapping writes still go to level 0. Not deeper than
 * MAX_FLUSH_LEVEL, so keys overwritten again and again are not pushed to the
 * bottom, where their dead versions would take space the longest.
 */
export function flushLevel(set: LevelSet, policy: CompactionPolicy, lo: Buffer, hi: Buffer): number {
  if (set.count === 0 || set.overlapping(0, lo, hi).length > 0) return 0
  let level = 0
  while (level < MAX_FLUSH_LEVEL) {
    if (set.overlapping(level + 1, lo, hi).length > 0) break
    if (level + 2 <= MAX_LEVEL) {
      const below = set.overlapping(level + 2, lo, hi).reduce((s, t) => s + t.meta.fileSize, 0)
      if (below > 10 * policy.targetFileBytes) break
    }
    level++
  }
  return level
}

/**
 * The compaction that is due, if any. `cursors` remembers, per level, the
 * last key compacted from it, so successive picks walk the key space.
 */
export function pickCompaction(set: LevelSet, policy: CompactionPolicy, cursors: Map<number, Buffer>): CompactionPlan | undefined {
  if (set.l0.length >= policy.l0Trigger) {
    const [lo, hi] = span(set.l0)
    return {inputs: [...set.l0, ...set.overlapping(1, lo, hi)], outputLevel: 1, reason: `level 0 holds ${set.l0.length} tables`}
  }
  for (let L = 1; L < MAX_LEVEL; L++) {
    const bytes = set.bytes(L)
    if (bytes <= levelBudget(policy, L)) continue
    const run = set.levels[L]
    const cursor = cursors.get(L)
    const t = (cursor && run.find((x) => Buffer.compare(x.meta.smallestKey, cursor) > 0)) || run[0]
    cursors.set(L, t.meta.largestKey)
    return {
      inputs: [t, ...set.overlapping(L + 1, t.meta.smallestKey, t.meta.largestKey)],
      outputLevel: L + 1,
      reason: `level ${L} holds ${bytes} bytes, over its ${levelBudget(policy, L)}`,
    }
  }
  return undefined
}

/**
 * A manual compaction of the keys in [from, to) (all keys when both are
 * undefined): every table that intersects the range, widened until no table
 * outside the inputs overlaps their span, merged into the deepest level. No
 * older version can then exist below the output, so every dead record goes.
 * Undefined when nothing intersects the range.
 */
export function rangeCompaction(set: LevelSet, from?: Buffer, to?: Buffer): CompactionPlan | undefined {
  const all = set.all()
  let inputs = all.filter((t) => overlaps(t.meta, from, to) && (to === undefined || Buffer.compare(t.meta.smallestKey, to) < 0))
  if (inputs.length === 0) return undefined
  for (;;) {
    const [lo, hi] = span(inputs)
    const wider = all.filter((t) => overlaps(t.meta, lo, hi))
    if (wider.length === inputs.length) break
    inputs = wider
  }
  return {inputs, outputLevel: Math.max(1, set.deepest()), reason: 'manual compaction'}
}
