/**
 * What compacting a shard would do, without writing: the dry run of
 * `compact`.
 */
import {isLive, type Entry} from '../record/format.js'
import {compareKeys} from '../util/bytes.js'
import type {TableReader} from '../sstable/reader.js'
import type {TableMeta} from '../manifest/format.js'
import type {Memtable} from './memtable.js'
import {LevelSet, type LiveTable} from './levels.js'
import {flushLevel, rangeCompaction} from './compaction.js'
import {estimateOutputBytes, estimateOutputTables} from './compaction-estimate.js'
import {NO_COMPACTION, type ShardCompaction, type ShardContext} from './shard-types.js'

/** What the estimate reads of a shard. */
export interface ShardState {
  readonly ctx: ShardContext
  readonly levels: LevelSet
  readonly memtable: Memtable
  readonly lastSeq: number
  /** Newest version of every key from `from` on, tombstones included. */
  entries(from?: Buffer): Iterable<Entry>
}

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

/**
 * What `compact` would do, without writing: the same inputs, the exact
 * number of entries kept (counted by the same merge), and the output size
 * estimated from the input tables' properties (compaction-estimate.ts). A
 * range's inputs are those after the flush the real run starts with, so
 * the memtable counts as the table it would be flushed into, whose size
 * (part of inputBytes) is then an estimate too.
 */
export function estimateCompaction(shard: ShardState, range?: {from?: Buffer; to?: Buffer}): ShardCompaction {
  const {ctx, levels, memtable} = shard
  const now = ctx.now()
  const pending = memtable.size
  let inputs: readonly LiveTable[]
  let span: {lo?: Buffer; hi?: Buffer} = {}
  let flushed = 0
  if (range === undefined) {
    inputs = levels.all()
  } else {
    const plan = rangeCompaction(afterFlush(shard), range.from, range.to)
    const real = plan?.inputs.filter((t) => t.meta.fileNumber !== PENDING_FLUSH) ?? []
    flushed = plan !== undefined && plan.inputs.length > real.length ? 1 : 0
    inputs = real
    if (plan !== undefined) span = spanOf(plan.inputs)
  }
  if (range !== undefined && inputs.length === 0 && flushed === 0) return {...NO_COMPACTION, memtableEntries: pending}
  let entriesOut = 0
  let rawBytes = 0
  for (const e of shard.entries(span.lo)) {
    if (span.hi !== undefined && compareKeys(e.key, span.hi) > 0) break
    if (!isLive(e, now)) continue
    entriesOut++
    rawBytes += e.key.length + e.value.length
  }
  const estimate = estimateOutputBytes(inputs, {entries: entriesOut, rawBytes})
  // The table the flush would write is not there to measure: its size is estimated like the output's.
  const flushBytes = flushed === 0 ? 0 : estimateOutputBytes(inputs, memtableContents(memtable)).bytes
  return {
    inputTables: inputs.length + flushed,
    inputBytes: inputs.reduce((s, t) => s + t.meta.fileSize, 0) + flushBytes,
    memtableEntries: pending,
    outputTables: estimateOutputTables(estimate.bytes, entriesOut, ctx.policy.targetFileBytes),
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
function afterFlush(shard: ShardState): LevelSet {
  const {ctx, levels, memtable} = shard
  if (memtable.size === 0) return levels
  const {smallest: lo, largest: hi} = memtable.keyRange()
  const level = flushLevel(levels, ctx.policy, lo, hi)
  const meta: TableMeta = {fileNumber: PENDING_FLUSH, fileSize: 0, level, entries: memtable.size, minSeq: 0, maxSeq: shard.lastSeq, smallestKey: lo, largestKey: hi}
  return new LevelSet([{meta, reader: undefined as unknown as TableReader}, ...levels.all()], ctx.dir)
}

/** Entries of the memtable and their key and value bytes. */
function memtableContents(m: Memtable): {entries: number; rawBytes: number} {
  let rawBytes = 0
  for (const e of m.entries()) rawBytes += e.key.length + e.value.length
  return {entries: m.size, rawBytes}
}
