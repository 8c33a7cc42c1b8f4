/**
 * What `explain` and `stats` report: a key's stored versions judged
 * (which one wins and why), and the store's per-shard numbers summed.
 */
import {Kind, isLive} from '../record/format.js'
import {logicalValue} from '../record/value.js'
import {hashKey, HashId} from '../util/hash.js'
import {COMPRESSION_NAMES} from '../sstable/format.js'
import type {ExplainedVersion, KeyExplanation, ShardStats, StoreStats} from '../api.js'
import type {StoreDescriptor} from './descriptor.js'
import type {KeyVersion} from './shard-types.js'

/** The explanation of `key` in shard `index` from its stored versions (newest first), judged at `now`. */
export function explainVersions(key: Buffer, index: number, stored: readonly KeyVersion[], now: number, generation = 0): KeyExplanation {
  const versions: ExplainedVersion[] = stored.map((v, i) => {
    const e = v.entry
    const status = i > 0 ? 'shadowed' : e.kind === Kind.DELETE ? 'deleted' : isLive(e, now) ? 'wins' : 'expired'
    return {
      source: v.source,
      file: v.file,
      offset: v.offset,
      ...(v.level !== undefined ? {level: v.level} : {}),
      seq: e.seq,
      kind: e.kind === Kind.DELETE ? 'delete' : 'put',
      ...(e.expiresAt !== undefined ? {expiresAt: e.expiresAt} : {}),
      valueBytes: e.value.length,
      ...(e.kind === Kind.PUT ? {value: logicalValue(e)} : {}),
      ...(e.schema !== undefined ? {schema: e.schema} : {}),
      status,
    }
  })
  const first = versions[0]?.status
  const state = first === undefined ? 'missing' : first === 'wins' ? 'live' : first === 'deleted' ? 'deleted' : 'expired'
  const hash = hashKey(key)
  return {key, shard: index, generation, hash: hash.hi.toString(16).padStart(8, '0') + hash.lo.toString(16).padStart(8, '0'), state, versions}
}

/** The store's stats from its descriptor and each shard's numbers. */
export function storeStats(dir: string, desc: StoreDescriptor, shards: ShardStats[]): StoreStats {
  const sum = (f: (s: (typeof shards)[number]) => number) => shards.reduce((a, s) => a + f(s), 0)
  return {
    dir,
    formatVersion: desc.formatVersion,
    shardCount: desc.shardCount,
    hash: desc.hashId === HashId.FNV1A64_JUMP ? 'fnv1a64-jump' : `unknown(${desc.hashId})`,
    compression: COMPRESSION_NAMES[desc.compression],
    shards,
    totals: {
      tables: sum((s) => s.tables),
      tableBytes: sum((s) => s.tableBytes),
      tableEntries: sum((s) => s.tableEntries),
      tombstones: sum((s) => s.tombstones),
      walBytes: sum((s) => s.walBytes),
      memtableEntries: sum((s) => s.memtableEntries),
      memtableBytes: sum((s) => s.memtableBytes),
    },
  }
}
