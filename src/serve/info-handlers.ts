/**
 * The store's state: GET /stats (the engine's StoreStats, as
 * `strata stats --format json`, plus the server's role), GET /digest (as
 * `strata digest --format json`; ?at=MS judges expiry at that instant),
 * GET /healthz ({"status": "ok", "role"}) and GET /metrics (metrics.ts).
 * A replica adds `replica` (ReplicaStatus) to /stats, reports "degraded"
 * and the error in /healthz while its source fails, and replica gauges.
 */
import {digestStore} from '../digest/index.js'
import type {Store, StoreStats} from '../api.js'
import {sendJson, type RequestContext} from './context.js'
import type {Metrics, StoreSample} from './metrics.js'
import type {ReplicaStatus} from './replica-handle.js'

/** GET /stats. */
export async function getStats(ctx: RequestContext): Promise<void> {
  ctx.query.only([])
  const replica = ctx.handle.status?.()
  sendJson(ctx.res, 200, {...ctx.store.stats(), role: ctx.handle.role, ...(replica === undefined ? {} : {replica})})
}

/** GET /digest. */
export async function getDigest(ctx: RequestContext): Promise<void> {
  const at = ctx.query.only(['at']).integer('at', 0)
  const d = await digestStore(ctx.store, at === undefined ? {} : {at})
  sendJson(ctx.res, 200, {digest: d.digest, records: d.records, at: d.at, version: d.version, shardCount: d.shardCount, shards: [...d.shards]})
}

/** GET /healthz. */
export async function getHealth(ctx: RequestContext): Promise<void> {
  ctx.query.only([])
  const replica = ctx.handle.status?.()
  // A replica whose source fails still serves its last cut: degraded, not down (200).
  sendJson(ctx.res, 200, {status: replica?.status ?? 'ok', role: ctx.handle.role, ...(replica === undefined ? {} : {error: replica.error})})
}

/** GET /metrics, rendering `metrics` and the store's gauges. */
export function metricsHandler(metrics: Metrics) {
  return async (ctx: RequestContext): Promise<void> => {
    ctx.query.only([])
    const replica = ctx.handle.status?.()
    const samples = [...activity(ctx.store), ...storeGauges(ctx.store.stats()), ...(replica === undefined ? [] : replicaGauges(replica))]
    const body = Buffer.from(metrics.render(samples), 'utf8')
    ctx.res.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': String(body.length)})
    ctx.res.end(body)
  }
}

function replicaGauges(r: ReplicaStatus): StoreSample[] {
  return [
    {name: 'strata_replica_lag_seconds', help: 'Age of the cut served: now minus the time the primary took it.', value: r.lagMs / 1000},
    {name: 'strata_replica_cut', help: 'Number of the cut served.', value: Number(r.cut)},
    {name: 'strata_replica_degraded', help: '1 while the last check of the source failed (the last good cut is served), else 0.', value: r.status === 'degraded' ? 1 : 0},
  ]
}

/** The engine's flush and compaction counts (an internal method of the store `open` makes). */
function activity(store: Store): StoreSample[] {
  const counts = (store as Store & {activity?: () => {flushes: number; compactions: number}}).activity?.()
  if (counts === undefined) return []
  return [
    {name: 'strata_store_flushes_total', help: 'Memtables flushed to SSTables since the store was opened.', value: counts.flushes, type: 'counter'},
    {name: 'strata_store_compactions_total', help: 'Compactions run since the store was opened.', value: counts.compactions, type: 'counter'},
  ]
}

function storeGauges(st: StoreStats): StoreSample[] {
  const t = st.totals
  const lastSeq = st.shards.reduce((sum, s) => sum + s.lastSeq, 0)
  return [
    {name: 'strata_store_shards', help: 'Shards of the store.', value: st.shardCount},
    {name: 'strata_store_tables', help: 'Live SSTables; each flush adds one, compactions merge them.', value: t.tables},
    {name: 'strata_store_table_bytes', help: 'Bytes in live SSTables.', value: t.tableBytes},
    {name: 'strata_store_wal_bytes', help: 'Bytes in the WALs not yet flushed.', value: t.walBytes},
    {name: 'strata_store_memtable_entries', help: 'Entries in the memtables.', value: t.memtableEntries},
    {name: 'strata_store_memtable_bytes', help: 'Bytes in the memtables.', value: t.memtableBytes},
    {name: 'strata_store_last_seq_sum', help: 'Sum of the shards\' last sequence numbers: grows by one per write.', value: lastSeq},
  ]
}
