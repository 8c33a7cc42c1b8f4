/**
 * The read pass over an old shard that is all tables (its memtable empty:
 * a real run flushes it first), reading the tables in place
 * (store/in-place-merge.ts): a live record is hashed, routed and, if it
 * moves, packed from its bytes, without being decoded into objects (plan.ts
 * says what the pass computes; `readShard` there is the same pass over
 * decoded entries, for a shard that is not all tables).
 */
import {hashKey, shardOfHash} from '../util/hash.js'
import type {RecordHasher} from '../digest/format.js'
import type {TableReader} from '../sstable/reader.js'
import {forEachNewest, TableChainCursor} from '../store/in-place-merge.js'
import {finishPlan, newShardPlan, planRecord, type ShardPlan} from './plan.js'
import {PackedRun} from './moved-run.js'

/**
 * The read pass of plan.ts over old shard `s` of `from`, whose records are
 * exactly the tables in `chains` (newest first: each level-0 table alone,
 * then each level ≥ 1 in key order).
 */
export function readShardInPlace(s: number, from: number, chains: readonly (readonly TableReader[])[], to: number, at: number, collect: boolean, hasher: RecordHasher): ShardPlan {
  const p = newShardPlan(s, to, collect)
  const {moved, leaving} = p
  let routed = true
  forEachNewest(
    chains.map((c) => new TableChainCursor(c)),
    (r) => {
      if (!r.isLive(at)) return
      const b = r.bytes
      const key = b.subarray(r.keyStart, r.keyEnd)
      const kh = hashKey(key)
      if (routed && shardOfHash(kh, from) !== s) routed = false
      const t = planRecord(p, kh, to, r.keyEnd - r.keyStart + r.valueEnd - r.valueStart, hasher.hashInPlace(r))
      if (t !== s && collect) {
        ;(moved[t] ??= PackedRun.empty()).pushEncoded(b, r.pos, r.end)
        leaving?.push(key)
      }
    },
  )
  return finishPlan(p, routed)
}
