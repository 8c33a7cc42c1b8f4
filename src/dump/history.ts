/**
 * `dump --records` of a store or shard directory: every stored version of
 * every key, tombstones and expired versions included, in bytewise key order
 * and, within a key, oldest first (ascending sequence number).
 *
 * That order is what makes the listing loadable: `put --batch` applies lines
 * in order, so replaying each key's versions from oldest to newest leaves
 * every key as its newest version left it - a put (with its expiry and JSON
 * mark), a delete line for a tombstone, and an expired put, which put --batch
 * applies as a delete. Loaded into an empty store, the result is exactly the
 * live data (what --latest lists). Files' own order would not do: a shard's
 * WAL holds its newest versions, and a table lists a key's versions newest
 * first.
 *
 * Memory: the same merge as --latest (latest.ts); besides that, only one
 * key's versions are held at a time, to be reversed.
 */
import {mergeSorted} from '../store/merge.js'
import {shardVersions, type LatestOptions} from './latest.js'
import type {DumpRecord} from './records.js'
import type {ShardSnapshot} from './source.js'

const byKey = (a: DumpRecord, b: DumpRecord): number => Buffer.compare(a.key, b.key)

/** One shard's versions in key order, each key's oldest first. */
function* oldestFirst(snap: ShardSnapshot, options: Omit<LatestOptions, 'now'>): Generator<DumpRecord> {
  let run: DumpRecord[] = []
  for (const r of shardVersions(snap, options)) {
    if (run.length > 0 && !run[0].key.equals(r.key)) {
      yield* run.reverse()
      run = []
    }
    run.push(r)
  }
  yield* run.reverse()
}

/** Every version of every key across `shards` (which hold disjoint keys), in key order, each key's oldest first. */
export function* historyRecords(shards: Iterable<ShardSnapshot>, options: Omit<LatestOptions, 'now'>): Generator<DumpRecord> {
  yield* mergeSorted([...shards].map((s) => oldestFirst(s, options)), byKey)
}
