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
import type {ShardPlan} from './plan.js'
import {PackedKeys, PackedRun} from './moved-run.js'
import {Sum256} from '../digest/sum256.js'

/**
 * The read pass of plan.ts over old shard `s` of `from`, whose records are
 * exactly the tables in `chains` (newest first: each level-0 table alone,
 * then each level ≥ 1 in key order).
 */
export function readShardInPlace(s: number, from: number, chains: readonly (readonly TableReader[])[], to: number, at: number, collect: boolean, hasher: RecordHasher): ShardPlan {
  const movedSums = new Array<Sum256 | undefined>(to).fill(undefined)
  const moved = new Array<PackedRun | undefined>(to).fill(undefined)
  const leaving = collect && s < to ? PackedKeys.empty() : undefined
  const p: ShardPlan = {shard: s, keys: new Array<number>(to).fill(0), bytes: new Array<number>(to).fill(0), sum: new Sum256(), staying: new Sum256(), movedSums, routed: true, moved, leaving}
  let routed = true
  forEachNewest(
    chains.map((c) => new TableChainCursor(c)),
    (r) => {
      if (!r.isLive(at)) return
      const b = r.bytes
      const key = b.subarray(r.keyStart, r.keyEnd)
      const kh = hashKey(key)
      const t = shardOfHash(kh, to)
      p.keys[t]++
      p.bytes[t] += r.keyEnd - r.keyStart + r.valueEnd - r.valueStart
      const hash = hasher.hashInPlace(r)
      if (routed && shardOfHash(kh, from) !== s) routed = false
      if (t === s) p.staying.addLatin1(hash)
      else {
        ;(movedSums[t] ??= new Sum256()).addLatin1(hash)
        if (collect) {
          ;(moved[t] ??= PackedRun.empty()).pushEncoded(b, r.pos, r.end)
          leaving?.push(key)
        }
      }
    },
  )
  p.sum.addSum(p.staying)
  for (const m of movedSums) if (m !== undefined) p.sum.addSum(m)
  return {...p, routed}
}
