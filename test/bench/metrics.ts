/**
 * What the benchmark reports: one entry per metric, with its unit, which
 * direction is better, which engines it runs on and the target.
 * Ratios are always strata ÷ peer, so for "higher" metrics > 1 means strata
 * is faster, and for "lower" metrics (ms, MB) < 1 means strata is faster/smaller.
 */
import type {EngineName} from './engines.js'

/** A workload run in one child process; it produces one or more metrics. */
export const WORKLOADS = [
  'load', 'read_sync', 'read_async', 'scan', 'scan_sync', 'digest', 'reopen_get', 'memory', 'ycsb_c', 'ycsb_a', 'durable_put',
  'cli_get', 'cli_put_batch', 'rebalance', 'schema', 'serve', 'replicate',
] as const
export type WorkloadName = (typeof WORKLOADS)[number]

/** How a metric is judged. */
export type Target =
  | {readonly kind: 'ratio'; readonly peer: EngineName; readonly min?: number; readonly max?: number}
  | {readonly kind: 'absolute'; readonly min?: number; readonly max?: number}
  /** strata's value divided by another strata metric's value (cli_get ÷ node -e 0, digest ÷ scan_sync). */
  | {readonly kind: 'relative'; readonly to: string; readonly min?: number; readonly max?: number}

export interface MetricDef {
  readonly id: string
  readonly workload: WorkloadName
  readonly label: string
  readonly unit: string
  readonly better: 'higher' | 'lower'
  readonly engines: readonly EngineName[]
  /** For strata-only metrics: the peer metric the ratio is taken against. */
  readonly compareTo?: string
  readonly target?: Target
  /** One line on what exactly is measured (printed under the table, stored in JSON). */
  readonly note: string
}

const ALL: readonly EngineName[] = ['strata', 'leveldb', 'rocksdb', 'lmdb']
const STRATA: readonly EngineName[] = ['strata']
/** Engines with a synchronous point read (RocksDB's binding has none). */
const SYNC: readonly EngineName[] = ['strata', 'leveldb', 'lmdb']

export const METRICS: readonly MetricDef[] = [
  {id: 'load', workload: 'load', label: 'bulk load', unit: 'keys/s', better: 'higher', engines: ALL,
    target: {kind: 'ratio', peer: 'leveldb', min: 1.2}, note: 'N keys (16 B, 100 B random values) in random order, batches of 1,000 (lmdb: one batch() transaction each), unsynced (lmdb: committed, flushed later by its default overlappingSync); timed to the last batch resolving'},
  {id: 'load_close', workload: 'load', label: 'bulk load incl. close', unit: 'keys/s', better: 'higher', engines: ALL,
    target: {kind: 'ratio', peer: 'leveldb', min: 1}, note: 'the same load, timed through close() (flush, sync, pending compaction; lmdb: its last flush)'},
  {id: 'read_sync', workload: 'read_sync', label: 'random reads, sync API', unit: 'keys/s', better: 'higher', engines: SYNC,
    target: {kind: 'ratio', peer: 'leveldb', min: 1.5}, note: 'strata getSync vs classic-level getSync and lmdb getBinary, uniform random existing keys, same key sequence; RocksDB has no sync get'},
  {id: 'read_async', workload: 'read_async', label: 'random reads, async API', unit: 'keys/s', better: 'higher', engines: ALL,
    target: {kind: 'ratio', peer: 'leveldb', min: 1}, note: 'await get() one at a time (lmdb: await getAsync()), same key sequence as read_sync'},
  {id: 'scan', workload: 'scan', label: 'full ordered scan', unit: 'keys/s', better: 'higher', engines: ALL,
    target: {kind: 'ratio', peer: 'leveldb', min: 1}, note: 'strata for-await scan(), classic-level iterator nextv(1000), rocksdb iterator next(), lmdb getRange() (synchronous); exact count and order checked'},
  {id: 'scan_sync', workload: 'scan_sync', label: 'full ordered scan, strata scanSync', unit: 'keys/s', better: 'higher', engines: STRATA,
    compareTo: 'scan', note: 'strata scanSync(); the ratios compare it with the peers\' (async) iterators from the scan row'},
  {id: 'digest', workload: 'digest', label: 'digest, strata digestStore', unit: 'keys/s', better: 'higher', engines: STRATA,
    target: {kind: 'relative', to: 'scan_sync', min: 0.5}, note: 'digestStore() of the N-key store (open included), records counted; the target is against scanSync'},
  {id: 'durable_put', workload: 'durable_put', label: 'durable single puts', unit: 'puts/s', better: 'higher', engines: ALL,
    target: {kind: 'ratio', peer: 'leveldb', min: 1}, note: 'one awaited put at a time into a fresh store, strata sync \'always\' vs {sync: true} and lmdb overlappingSync: false (a put resolves once flushed), for a fixed time'},
  {id: 'reopen_get', workload: 'reopen_get', label: 'reopen + first get', unit: 'ms', better: 'lower', engines: ALL,
    target: {kind: 'ratio', peer: 'leveldb', max: 0.8}, note: 'fresh process, engine module already loaded: open() of the N-key store and one get, until the value is back'},
  {id: 'ycsb_a', workload: 'ycsb_a', label: 'YCSB A (50% read / 50% update)', unit: 'ops/s', better: 'higher', engines: ALL,
    note: 'scrambled zipfian (θ=0.99) keys, async get and unsynced put, one at a time (lmdb: getAsync, put resolving at commit)'},
  {id: 'ycsb_c', workload: 'ycsb_c', label: 'YCSB C (100% read)', unit: 'ops/s', better: 'higher', engines: ALL,
    note: 'scrambled zipfian (θ=0.99) keys, async get one at a time'},
  {id: 'memory', workload: 'memory', label: 'peak RSS: open + 10k random gets', unit: 'MB', better: 'lower', engines: ALL,
    target: {kind: 'absolute', max: 100}, note: 'process.resourceUsage().maxRSS of a fresh process (includes Node itself, ≈45 MB)'},
  {id: 'node_start', workload: 'cli_get', label: 'node -e 0', unit: 'ms', better: 'lower', engines: STRATA,
    note: 'wall time of spawning `node -e 0`, interleaved with the cli_get samples'},
  {id: 'cli_get', workload: 'cli_get', label: 'CLI: strata get, fresh process', unit: 'ms', better: 'lower', engines: STRATA,
    target: {kind: 'relative', to: 'node_start', max: 1.6}, note: '`node bin/run.js get --dir D KEY --value-encoding hex` on the N-key store, output checked'},
  {id: 'cli_put_batch', workload: 'cli_put_batch', label: 'CLI: strata put --batch NDJSON', unit: 'keys/s', better: 'higher', engines: STRATA,
    target: {kind: 'absolute', min: 250_000}, note: 'N NDJSON lines (base64 values) into a new store, process spawn to exit; then every key counted and 2,000 checked'},
  {id: 'cli_put_batch_rss', workload: 'cli_put_batch', label: 'CLI: strata put --batch, peak RSS', unit: 'MB', better: 'lower', engines: STRATA,
    target: {kind: 'absolute', max: 300}, note: 'process.resourceUsage().maxRSS of that put --batch process as it exits (its parser thread included)'},
  {id: 'rebalance', workload: 'rebalance', label: 'shard-rebalance 8→12, moved keys', unit: 'keys/s', better: 'higher', engines: STRATA,
    target: {kind: 'relative', to: 'cli_put_batch', min: 0.5}, note: 'rebalance() of an N-key 8-shard store to 12 shards (flush, read, copy, digest proof, switch, cleanup); keys moved per second; the target is against put --batch'},
  {id: 'rebalance_bytes', workload: 'rebalance', label: 'shard-rebalance 8→12, bytes written ÷ moved', unit: 'x', better: 'lower', engines: STRATA,
    target: {kind: 'absolute', max: 1.5}, note: 'bytes of the files the rebalance created over the key + value bytes of the records it moved'},
  {id: 'replicate_first', workload: 'replicate', label: 'replicate to a directory, first run ÷ cp -r', unit: 'x', better: 'lower', engines: STRATA,
    target: {kind: 'absolute', max: 2}, note: 'replicate() of the N-key store to a new directory replica (every object read, hashed, written and synced, and every record hashed for the cut digest, on a worker meanwhile and on both threads after), over `cp -r` of the same store in the same run'},
  {id: 'restore_full', workload: 'replicate', label: 'restore from a directory (verify full) ÷ cp -r', unit: 'x', better: 'lower', engines: STRATA,
    target: {kind: 'absolute', max: 2}, note: 'restore() of that replica (SHA-256 of every object, files synced, digest compared), over the same `cp -r`'},
  {id: 'durable_copy', workload: 'replicate', label: 'cp -r, then every file and folder fsynced, ÷ cp -r', unit: 'x', better: 'lower', engines: STRATA,
    note: 'the least a copy that survives a power loss costs on this disk, for reading the two rows above: replicate and restore sync every file they write, `cp -r` syncs nothing'},
  {id: 'restore_quick', workload: 'replicate', label: 'restore from a directory (verify quick) ÷ cp -r', unit: 'x', better: 'lower', engines: STRATA,
    note: 'restore() with verify quick (SHA-256 and size of every object, files synced, no digest), over the same `cp -r`'},
  {id: 'replicate_incremental', workload: 'replicate', label: 'replicate after 1,000 puts, bytes shipped', unit: 'MB', better: 'lower', engines: STRATA,
    target: {kind: 'absolute', max: 1}, note: 'a second replicate() after 1,000 random overwrites into the N-key store'},
  {id: 'replicate_lag', workload: 'replicate', label: 'replicate --follow 1s behind a 2,000 puts/s writer, max lag', unit: 's', better: 'lower', engines: STRATA,
    target: {kind: 'absolute', max: 2}, note: 'the writer holds the store open and replicates it (Store.cut) every second for 6 s into the replica the rows above seeded; lag = when a cut landed minus when the previous cut was taken'},
  {id: 'get_sync_stamped', workload: 'schema', label: 'getSync of schema-stamped JSON records, as stored', unit: 'keys/s', better: 'higher', engines: STRATA,
    note: 'random keys of a fresh store of N ~100 B JSON records stamped with version 1 of a 4-version schema'},
  {id: 'get_sync_upgraded', workload: 'schema', label: 'getSync + lazy upgrade v1 to v4', unit: 'keys/s', better: 'higher', engines: STRATA,
    target: {kind: 'relative', to: 'get_sync_stamped', min: 1 / 1.15}, note: 'the same keys, each read through SchemaView.upgrade (retype, add, remove); target: at most 15% slower than the row above'},
  {id: 'migrate_schema', workload: 'schema', label: 'migrate-schema, ~100 B JSON records', unit: 'records/s', better: 'higher', engines: STRATA,
    target: {kind: 'absolute', min: 100_000}, note: 'migrateSchema of all N records from v1 to v4: one pass that converts, validates, builds the new tables of each shard under the lock and sums the digest of the upgraded view, the switch of each shard to its new tables, then the proof that reads the store again'},
  {id: 'serve_put', workload: 'serve', label: 'HTTP: durable PUT /kv, strata serve --sync batch', unit: 'puts/s', better: 'higher', engines: STRATA,
    target: {kind: 'absolute', min: 20_000}, note: 'autocannon, 64 connections on loopback, 100 B values to new keys; each answered once fdatasync\'ed (group commit)'},
  {id: 'serve_get', workload: 'serve', label: 'HTTP: GET /kv, strata serve', unit: 'gets/s', better: 'higher', engines: STRATA,
    target: {kind: 'absolute', min: 40_000}, note: 'autocannon, 64 connections on loopback, uniform random existing keys of the N-key store; statuses checked, a sample of values read back'},
  {id: 'serve_lib_get', workload: 'serve', label: 'HTTP row\'s baseline: library await get()', unit: 'gets/s', better: 'higher', engines: STRATA,
    note: 'the same store read one await get() at a time in the process that then drives the server, just before it'},
  {id: 'serve_get_ratio', workload: 'serve', label: 'HTTP GET ÷ library await get()', unit: 'x', better: 'higher', engines: STRATA,
    note: 'serve_get over serve_lib_get of the same run'},
  {id: 'serve_http_ceiling', workload: 'serve', label: 'HTTP rows\' ceiling: the same GETs on a no-op node:http server', unit: 'req/s', better: 'higher', engines: STRATA,
    note: 'the GET load of serve_get against a server answering 200 with 100 B and doing nothing else: what this machine, Node\'s HTTP stack and the load generator allow at all'},
]

/** Metrics of a workload. */
export function metricsOf(workload: WorkloadName): MetricDef[] {
  return METRICS.filter((m) => m.workload === workload)
}
