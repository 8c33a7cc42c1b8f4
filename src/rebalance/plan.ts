/**
 * The read pass of a shard-rebalance from N to M shards: every record of
 * every old shard is read once (so damage anywhere is found before anything
 * is written), routed over M shards (`shardOf`), and counted; the live
 * records whose shard changes are collected per target, and, when growing,
 * the keys that leave each kept shard, which it will shadow with
 * tombstones. The old generation's digest is summed on the way.
 *
 * Jump hash moves keys only into new shards when growing and only out of
 * removed shards when shrinking, so a record moves exactly when its target
 * differs from its source. Tombstones and records expired at `at` do not
 * move: they shadow nothing in the new shard, which starts empty of the key.
 *
 * The moved records are held in memory until their target is built, packed
 * (moved-run.ts): the cost is the moved data, |M−N|/max(N,M) of the store in
 * expectation.
 */
import {isLive, type Entry} from '../record/format.js'
import {hashKey, shardOfHash, type KeyHash} from '../util/hash.js'
import {RecordHasher} from '../digest/format.js'
import {Sum256} from '../digest/sum256.js'
import {PackedKeys, PackedRun, type Run} from './moved-run.js'
import type {TableReader} from '../sstable/reader.js'
import {readShardInPlace} from './raw-read.js'

/** Where the live records are and where they go: cell [s][t] counts those of old shard s whose shard over M is t. */
export interface Matrix {
  readonly keys: number[][]
  readonly bytes: number[][]
}

/** What the read pass found. */
export interface Plan {
  readonly from: number
  readonly to: number
  readonly keysTotal: number
  readonly bytesTotal: number
  readonly keysMoved: number
  readonly bytesMoved: number
  readonly matrix: Matrix
  /** The old generation's digest at `at` (64 hex digits) and its record count. */
  readonly digest: string
  readonly records: number
  /** Per target shard, per source shard: the records moving in, in key order (empty when not collected, or for a target another thread builds). */
  readonly movedIn: Run<Entry>[][]
  /** Per old shard kept when growing: the keys moving out, in key order, to shadow (empty when not collected, or for a target another thread builds). */
  readonly movedOut: Run<Buffer>[]
  /** Per old shard: the sum of the hashes of its live records that stay in it (their shard over M is theirs). */
  readonly staying: Sum256[]
  /** Per target shard: the sum of the hashes of the live records moving into it, from every source (what the proof counts for a target it compared record by record). */
  readonly movedSum: Sum256[]
  /** Per old shard: whether every live record in it belongs to it over N (`shardOf`), as a consistent store's do. */
  readonly routed: boolean[]
}

/**
 * One old shard as the read pass reads it: its newest records, or, when it
 * is all tables, the tables themselves (newest first: each level-0 table
 * alone, then each level ≥ 1 in key order), read in place (raw-read.ts).
 */
export interface ShardSource {
  entries(): Iterable<Entry>
  /** Undefined while the shard holds records outside its tables. */
  tables(): readonly (readonly TableReader[])[] | undefined
}

/** What the read pass found in one old shard `shard` (combined into a Plan by `combinePlan`). */
export interface ShardPlan {
  readonly shard: number
  /** Per target shard over M: the live records and their key + value bytes. */
  readonly keys: number[]
  readonly bytes: number[]
  /** Hash sums of all its live records, and of those that stay in it. */
  readonly sum: Sum256
  readonly staying: Sum256
  /** Per target shard over M: the sum of the hashes of the live records moving there (undefined where none do, as at the shard itself). */
  readonly movedSums: (Sum256 | undefined)[]
  readonly routed: boolean
  /** Per target shard over M: the live records moving there, in key order; undefined where none do or when not collected. */
  readonly moved: (PackedRun | undefined)[]
  /** When it is kept (shard < M) and records were collected: the keys of every record leaving it, in key order. */
  readonly leaving?: PackedKeys
}

/**
 * Reads every old shard once, in turn. `collect`: keep the moved records and
 * keys (a real run); a dry run only counts. `onShard` is told as each shard is done.
 */
export function readPlan(sources: readonly ShardSource[], to: number, at: number, collect: boolean, onShard?: (done: number) => void): Plan {
  const hasher = new RecordHasher()
  const shards = sources.map((source, s) => {
    const p = readSource(s, sources.length, source, to, at, collect, hasher)
    onShard?.(s + 1)
    return p
  })
  return combinePlan(sources.length, to, shards)
}

/** The read pass over old shard `s` of `from`, in place when it is all tables. */
export function readSource(s: number, from: number, source: ShardSource, to: number, at: number, collect: boolean, hasher: RecordHasher): ShardPlan {
  const tables = source.tables()
  return tables === undefined ? readShard(s, from, source.entries(), to, at, collect, hasher) : readShardInPlace(s, from, tables, to, at, collect, hasher)
}

/** The read pass over old shard `s` of `from`: see the file comment. */
export function readShard(s: number, from: number, entries: Iterable<Entry>, to: number, at: number, collect: boolean, hasher: RecordHasher): ShardPlan {
  const p = newShardPlan(s, to, collect)
  const {moved, leaving} = p
  let routed = true
  for (const e of entries) {
    if (!isLive(e, at)) continue
    // One key hash serves both routings (over M, and over N for the check below).
    const kh = hashKey(e.key)
    if (routed && shardOfHash(kh, from) !== s) routed = false
    const t = planRecord(p, kh, to, e.key.length + e.value.length, hasher.hash(e))
    if (t !== s && collect) {
      ;(moved[t] ??= PackedRun.empty()).push(e)
      leaving?.push(e.key)
    }
  }
  return finishPlan(p, routed)
}

/** An empty part of the plan for old shard `s` of a run to `to` shards; `collect`: whether it holds the moved records. */
export function newShardPlan(s: number, to: number, collect: boolean): ShardPlan {
  return {
    shard: s,
    keys: new Array<number>(to).fill(0),
    bytes: new Array<number>(to).fill(0),
    sum: new Sum256(),
    staying: new Sum256(),
    movedSums: new Array<Sum256 | undefined>(to).fill(undefined),
    routed: true,
    moved: new Array<PackedRun | undefined>(to).fill(undefined),
    // Growing, every record that moves leaves a kept shard (and shrinking, none leaves one).
    leaving: collect && s < to ? PackedKeys.empty() : undefined,
  }
}

/**
 * Counts one live record of `bytes` (key and value) whose key hashes to `kh`
 * in part `p`, and adds its hash to the staying sum or to its target's moved
 * sum (each hash once; the shard's sum is the parts' sum, taken by
 * finishPlan). Returns the target shard among `to`.
 */
export function planRecord(p: ShardPlan, kh: KeyHash, to: number, bytes: number, hash: string): number {
  const t = shardOfHash(kh, to)
  p.keys[t]++
  p.bytes[t] += bytes
  if (t === p.shard) p.staying.addLatin1(hash)
  else (p.movedSums[t] ??= new Sum256()).addLatin1(hash)
  return t
}

/** `p` once every record is in: its sum taken from its parts, and whether every record was routed to this shard. */
export function finishPlan(p: ShardPlan, routed: boolean): ShardPlan {
  p.sum.addSum(p.staying)
  for (const m of p.movedSums) if (m !== undefined) p.sum.addSum(m)
  return {...p, routed}
}

/**
 * The plan from every old shard's part, in shard order. `holds(t)`: whether
 * this thread builds target `t` (default: every target); `movedIn` and
 * `movedOut` are filled for the held targets only, and a part's `moved` need
 * hold only the records for them.
 */
export function combinePlan(from: number, to: number, shards: readonly ShardPlan[], holds: (t: number) => boolean = () => true): Plan {
  const movedIn: Run<Entry>[][] = Array.from({length: to}, () => Array.from({length: from}, () => []))
  const movedOut: Run<Buffer>[] = Array.from({length: from}, () => [])
  const sum = new Sum256()
  const movedSum = Array.from({length: to}, () => new Sum256())
  let keysTotal = 0
  let bytesTotal = 0
  let keysMoved = 0
  let bytesMoved = 0
  for (const p of shards) {
    const s = p.shard
    for (let t = 0; t < to; t++) {
      keysTotal += p.keys[t]
      bytesTotal += p.bytes[t]
      if (t === s) continue
      keysMoved += p.keys[t]
      bytesMoved += p.bytes[t]
    }
    sum.addSum(p.sum)
    p.movedSums.forEach((m, t) => m !== undefined && movedSum[t].addSum(m))
    p.moved.forEach((run, t) => {
      if (run !== undefined && holds(t)) movedIn[t][s] = run
    })
    // A kept shard of a growing store shadows each key leaving it.
    if (p.leaving !== undefined && holds(s)) movedOut[s] = p.leaving
  }
  const matrix: Matrix = {keys: shards.map((p) => p.keys), bytes: shards.map((p) => p.bytes)}
  const staying = shards.map((p) => p.staying)
  const routed = shards.map((p) => p.routed)
  return {from, to, keysTotal, bytesTotal, keysMoved, bytesMoved, matrix, digest: sum.hex(), records: keysTotal, movedIn, movedOut, staying, movedSum, routed}
}

/** The fraction of keys jump hash moves in expectation from `from` to `to` shards: |to − from| / max(from, to). */
export function expectedFraction(from: number, to: number): number {
  return Math.abs(to - from) / Math.max(from, to)
}
