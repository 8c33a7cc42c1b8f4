/**
 * The store's scan: one ordered stream of live records merged from every
 * shard (each shard's keys are disjoint, so the merge only orders them).
 * It reads one snapshot per shard, taken at its first step and held until it
 * ends; ScanLeases says when an unfinished one is released (the store's
 * close), after which its next step fails with CLOSED rather than reading
 * tables that may be closed.
 */
import {ErrorCode, StrataError} from '../errors.js'
import {isLive} from '../record/format.js'
import type {KeyValue, ScanOptions} from '../api.js'
import {mergeNewest} from './merge.js'
import {liveOnly, scanBounds, toKeyValue} from './read-adapters.js'
import type {ScanLeases} from './scan-leases.js'
import type {ShardSlots} from './shard-slots.js'

/** Scans the store's shards as `options` say; `clock`, read at the first step, decides which records have expired. */
export function scanShards(slots: ShardSlots, scans: ScanLeases, clock: () => number, options: ScanOptions): IterableIterator<KeyValue> {
  const {from, to, limit, reverse} = scanBounds(options)
  let lease: ReturnType<ScanLeases['lease']> | undefined
  const scan = (function* () {
    try {
      if (from !== undefined && to !== undefined && Buffer.compare(from, to) >= 0) return
      if (limit === 0) return
      if (lease!.released) throw new StrataError(ErrorCode.CLOSED, 'store is closed')
      const now = clock()
      const sources = slots.following(() => slots.snapshots()).map((s) => liveOnly(lease!.hold(s).entries(from, to, reverse), now))
      let n = 0
      const out = {source: 0}
      const merged = mergeNewest(sources, reverse, out)
      for (;;) {
        // close() released the snapshots: their tables may be closed.
        if (lease!.released) throw new StrataError(ErrorCode.CLOSED, 'store is closed while a scan was open')
        const r = merged.next()
        if (r.done) return
        if (!isLive(r.value, now)) continue
        yield toKeyValue(r.value, out.source)
        if (limit !== undefined && ++n >= limit) return
      }
    } finally {
      lease!.release()
    }
  })()
  lease = scans.lease(scan)
  return scan
}
