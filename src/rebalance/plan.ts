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
 * The moved records are held in memory until their target is built: the
 * cost is the moved data, |M−N|/max(N,M) of the store in expectation.
 */
import {isLive, Kind, type Entry} from '../record/format.js'
import {hashKey, shardOfHash} from '../util/hash.js'
import {RecordHasher} from '../digest/format.js'
import {Sum256} from '../digest/sum256.js'

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
  readonly movedIn: Entry[][][]
  /** Per old shard kept when growing: the keys moving out, in key order, to shadow (empty when not collected, or for a target another thread builds). */
  readonly movedOut: Buffer[][]
  /** Per old shard: the sum of the hashes of its live records that stay in it (their shard over M is theirs). */
  readonly staying: Sum256[]
  /** Per target shard: the sum of the hashes of the live records moving into it, from every source (what the proof counts for a target it compared record by record). */
  readonly movedSum: Sum256[]
  /** Per old shard: whether every live record in it belongs to it over N (`shardOf`), as a consistent store's do. */
  readonly routed: boolean[]
}

/** A source of the read pass: the newest version of every key of one old shard, in key order. */
export type ShardEntries = () => Iterable<Entry>

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
  /** The live records whose shard changes, in key order (owning their bytes), and each one's target; empty when not collected. */
  readonly moved: Entry[]
  readonly movedTo: number[]
}

/**
 * Reads every old shard once, in turn. `collect`: keep the moved records and
 * keys (a real run); a dry run only counts. `onShard` is told as each shard is done.
 */
export function readPlan(sources: readonly ShardEntries[], to: number, at: number, collect: boolean, onShard?: (done: number) => void): Plan {
  const hasher = new RecordHasher()
  const shards = sources.map((entries, s) => {
    const p = readShard(s, sources.length, entries(), to, at, collect, hasher)
    onShard?.(s + 1)
    return p
  })
  return combinePlan(sources.length, to, shards)
}

/** The read pass over old shard `s` of `from`: see the file comment. */
export function readShard(s: number, from: number, entries: Iterable<Entry>, to: number, at: number, collect: boolean, hasher: RecordHasher): ShardPlan {
  const movedSums = new Array<Sum256 | undefined>(to).fill(undefined)
  const p: ShardPlan = {shard: s, keys: new Array<number>(to).fill(0), bytes: new Array<number>(to).fill(0), sum: new Sum256(), staying: new Sum256(), movedSums, routed: true, moved: [], movedTo: []}
  let routed = true
  for (const e of entries) {
    if (!isLive(e, at)) continue
    // One key hash serves both routings (over M, and over N for the check below).
    const kh = hashKey(e.key)
    const t = shardOfHash(kh, to)
    p.keys[t]++
    p.bytes[t] += e.key.length + e.value.length
    const h = hasher.hash(e)
    p.sum.addLatin1(h)
    if (routed && shardOfHash(kh, from) !== s) routed = false
    if (t === s) p.staying.addLatin1(h)
    else (movedSums[t] ??= new Sum256()).addLatin1(h)
    if (t !== s && collect) {
      p.moved.push(e.kind === Kind.PUT ? copyEntry(e) : e)
      p.movedTo.push(t)
    }
  }
  return {...p, routed}
}

/**
 * The plan from every old shard's part, in shard order. `holds(t)`: whether
 * this thread builds target `t` (default: every target); `movedIn` and
 * `movedOut` are filled for the held targets only, and a part's `moved` need
 * hold only the records for them.
 */
export function combinePlan(from: number, to: number, shards: readonly ShardPlan[], holds: (t: number) => boolean = () => true): Plan {
  const movedIn: Entry[][][] = Array.from({length: to}, () => Array.from({length: from}, () => []))
  const movedOut: Buffer[][] = Array.from({length: from}, () => [])
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
    // A kept shard of a growing store shadows each key leaving it; the tombstone's key shares the record's copy.
    const shadows = s < to && holds(s)
    for (let i = 0; i < p.moved.length; i++) {
      if (holds(p.movedTo[i])) movedIn[p.movedTo[i]][s].push(p.moved[i])
      if (shadows) movedOut[s].push(p.moved[i].key)
    }
  }
  const matrix: Matrix = {keys: shards.map((p) => p.keys), bytes: shards.map((p) => p.bytes)}
  const staying = shards.map((p) => p.staying)
  const routed = shards.map((p) => p.routed)
  return {from, to, keysTotal, bytesTotal, keysMoved, bytesMoved, matrix, digest: sum.hex(), records: keysTotal, movedIn, movedOut, staying, movedSum, routed}
}

/** A copy of `e` that owns its bytes (a table's entries may be views into a cached block). */
function copyEntry(e: Entry): Entry {
  return {...e, key: Buffer.from(e.key), value: Buffer.from(e.value)}
}

/** The fraction of keys jump hash moves in expectation from `from` to `to` shards: |to − from| / max(from, to). */
export function expectedFraction(from: number, to: number): number {
  return Math.abs(to - from) / Math.max(from, to)
}
