/**
 * The workloads, each run by worker.ts in a fresh process for one engine.
 * Every workload checks what it read against the generator (data.ts) and
 * throws a BenchCheckError on the first wrong value, missing key or wrong
 * count; checking is part of the timed loop only where it cannot be deferred
 * cheaply, and then it costs every engine the same.
 */
import {Pool, Rng, ScrambledZipfian, keyOf, keyText, permutation, valueMatches, valueOf} from './data.js'
import {engineFor, type PutOp} from './engines.js'
import {RegionProfiler} from './profiler.js'
import {cliGet, cliPutBatch} from './cli-workloads.js'
import {rebalanceWorkload} from './rebalance-workload.js'
import {replicateWorkload} from './replicate-workload.js'
import {schemaWorkload} from './schema-workloads.js'
import {digestStore} from '../../src/index.js'
import {BenchCheckError, Checker, perSec, type WorkloadResult, type WorkloadSpec} from './spec.js'

const now = (): number => performance.now()

/** Runs one workload. */
export async function runWorkload(spec: WorkloadSpec): Promise<WorkloadResult> {
  switch (spec.workload) {
    case 'load':
      return load(spec)
    case 'read_sync':
      return reads(spec, true)
    case 'read_async':
      return reads(spec, false)
    case 'scan':
      return scan(spec, false)
    case 'scan_sync':
      return scan(spec, true)
    case 'digest':
      return digest(spec)
    case 'reopen_get':
      return reopenGet(spec)
    case 'memory':
      return memory(spec)
    case 'ycsb_a':
      return ycsb(spec, 0.5)
    case 'ycsb_c':
      return ycsb(spec, 0)
    case 'durable_put':
      return durablePut(spec)
    case 'cli_get':
      return cliGet(spec)
    case 'cli_put_batch':
      return cliPutBatch(spec)
    case 'rebalance':
      return rebalanceWorkload(spec)
    case 'schema':
      return schemaWorkload(spec)
    case 'serve':
      return (await import('./serve-workload.js')).serveWorkload(spec)
    case 'replicate':
      return replicateWorkload(spec)
  }
}

async function load(spec: WorkloadSpec): Promise<WorkloadResult> {
  const engine = engineFor(spec.engine, spec.strata)
  const pool = new Pool(spec.keys, spec.valueBytes)
  const order = permutation(spec.keys, spec.seed)
  await engine.create(spec.dir)
  await engine.open(spec.dir)
  const prof = new RegionProfiler(spec.profile)
  await prof.start()
  const t0 = now()
  for (let b = 0; b < spec.keys; b += 1000) {
    const end = Math.min(spec.keys, b + 1000)
    const ops: PutOp[] = []
    for (let j = b; j < end; j++) {
      const i = order[j]
      ops.push({type: 'put', key: pool.key(i), value: pool.value(i)})
    }
    await engine.batch(ops)
  }
  const t1 = now()
  await engine.close()
  const t2 = now()
  await prof.stop()
  return {
    metrics: {load: perSec(spec.keys, t1 - t0), load_close: perSec(spec.keys, t2 - t0)},
    extra: {loadMs: t1 - t0, closeMs: t2 - t1},
  }
}

async function reads(spec: WorkloadSpec, sync: boolean): Promise<WorkloadResult> {
  const engine = engineFor(spec.engine, spec.strata)
  if (sync && !engine.hasGetSync) throw new Error(`${spec.engine} has no synchronous get`)
  const pool = new Pool(spec.keys, spec.valueBytes)
  const rng = new Rng(spec.seed)
  const check = new Checker()
  await engine.open(spec.dir)
  const prof = new RegionProfiler(spec.profile)
  await prof.start()
  const t0 = now()
  for (let j = 0; j < spec.ops; j++) {
    const i = rng.below(spec.keys)
    const v = sync ? engine.getSync(pool.key(i)) : await engine.get(pool.key(i))
    if (!pool.isValue(i, v, spec.maxEpoch)) check.fail(`key ${i}: ${v === undefined ? 'missing' : 'wrong value'}`)
  }
  const ms = now() - t0
  await prof.stop()
  await engine.close()
  check.done()
  return {metrics: {[sync ? 'read_sync' : 'read_async']: perSec(spec.ops, ms)}, extra: {reads: spec.ops, ms}}
}

async function scan(spec: WorkloadSpec, sync: boolean): Promise<WorkloadResult> {
  const engine = engineFor(spec.engine, spec.strata)
  const pool = new Pool(spec.keys, spec.valueBytes)
  const check = new Checker()
  let c = 0
  const visit = (k: Uint8Array, v: Uint8Array): void => {
    if (c >= spec.keys) check.fail(`entry ${c}: more entries than keys`)
    else if (!pool.isKey(c, k)) check.fail(`entry ${c}: key ${Buffer.from(k).toString('latin1')} where ${keyText(c)} was expected`)
    else if (!pool.isValue(c, v, spec.maxEpoch)) check.fail(`entry ${c}: wrong value`)
    c++
  }
  await engine.open(spec.dir)
  const prof = new RegionProfiler(spec.profile)
  await prof.start()
  const t0 = now()
  const count = sync ? engine.scanSync(visit) : await engine.scan(visit)
  const ms = now() - t0
  await prof.stop()
  await engine.close()
  if (count !== spec.keys || c !== spec.keys) check.fail(`scan returned ${count} entries, expected exactly ${spec.keys}`)
  check.done()
  return {metrics: {[sync ? 'scan_sync' : 'scan']: perSec(count, ms)}, extra: {entries: count, ms}}
}

/** strata only: the store digest of every key, timed with its open; the record count is checked. */
async function digest(spec: WorkloadSpec): Promise<WorkloadResult> {
  if (spec.engine !== 'strata') throw new Error(`${spec.engine} has no digest`)
  const prof = new RegionProfiler(spec.profile)
  await prof.start()
  const t0 = now()
  const d = await digestStore(spec.dir)
  const ms = now() - t0
  await prof.stop()
  if (d.records !== spec.keys) throw new BenchCheckError(`digest hashed ${d.records} records, expected exactly ${spec.keys}`)
  return {metrics: {digest: perSec(d.records, ms)}, extra: {records: d.records, digest: d.digest, ms}}
}

async function reopenGet(spec: WorkloadSpec): Promise<WorkloadResult> {
  const engine = engineFor(spec.engine, spec.strata)
  const i = new Rng(spec.seed).below(spec.keys)
  const key = keyOf(i)
  const prof = new RegionProfiler(spec.profile)
  await prof.start()
  const t0 = now()
  await engine.open(spec.dir)
  const tOpen = now()
  const v = await engine.get(key)
  const t1 = now()
  await prof.stop()
  await engine.close()
  if (!valueMatches(i, v, spec.valueBytes, spec.maxEpoch)) throw new BenchCheckError(`key ${i}: ${v === undefined ? 'missing' : 'wrong value'}`)
  return {metrics: {reopen_get: t1 - t0}, extra: {openMs: tOpen - t0, getMs: t1 - tOpen}}
}

async function memory(spec: WorkloadSpec): Promise<WorkloadResult> {
  // No Pool here: holding every value would be the biggest thing in the process.
  const engine = engineFor(spec.engine, spec.strata)
  const rng = new Rng(spec.seed ^ 0x5bd1e995)
  const check = new Checker()
  const before = process.resourceUsage().maxRSS
  const prof = new RegionProfiler(spec.profile)
  await prof.start()
  await engine.open(spec.dir)
  for (let j = 0; j < 10_000; j++) {
    const i = rng.below(spec.keys)
    const v = await engine.get(keyOf(i))
    if (!valueMatches(i, v, spec.valueBytes, spec.maxEpoch)) check.fail(`key ${i}: ${v === undefined ? 'missing' : 'wrong value'}`)
  }
  const maxRss = process.resourceUsage().maxRSS
  const mem = process.memoryUsage()
  await prof.stop()
  await engine.close()
  check.done()
  return {
    metrics: {memory: maxRss / 1024},
    extra: {maxRssBeforeOpenMB: before / 1024, rssMB: mem.rss / 2 ** 20, heapUsedMB: mem.heapUsed / 2 ** 20, externalMB: mem.external / 2 ** 20},
  }
}

async function ycsb(spec: WorkloadSpec, updateShare: number): Promise<WorkloadResult> {
  const engine = engineFor(spec.engine, spec.strata)
  const pool = new Pool(spec.keys, spec.valueBytes)
  const zipf = new ScrambledZipfian(spec.keys, spec.seed)
  const check = new Checker()
  const updated = new Set<number>()
  let reads = 0
  await engine.open(spec.dir)
  const prof = new RegionProfiler(spec.profile)
  await prof.start()
  const t0 = now()
  for (let j = 0; j < spec.ops; j++) {
    const i = zipf.next()
    if (updateShare > 0 && zipf.coin() < updateShare) {
      await engine.put(pool.key(i), valueOf(i, spec.epoch, spec.valueBytes))
      updated.add(i)
    } else {
      reads++
      const v = await engine.get(pool.key(i))
      const ok = updated.has(i) ? pool.isValue(i, v, spec.maxEpoch, spec.epoch) : pool.isValue(i, v, spec.maxEpoch)
      if (!ok) check.fail(`key ${i}: ${v === undefined ? 'missing' : 'wrong value'}`)
    }
  }
  const ms = now() - t0
  await prof.stop()
  await engine.close()
  check.done()
  return {metrics: {[updateShare > 0 ? 'ycsb_a' : 'ycsb_c']: perSec(spec.ops, ms)}, extra: {ops: spec.ops, reads, updates: spec.ops - reads, distinctUpdated: updated.size, ms}}
}

async function durablePut(spec: WorkloadSpec): Promise<WorkloadResult> {
  const engine = engineFor(spec.engine, spec.strata)
  await engine.create(spec.dir)
  await engine.open(spec.dir, {durable: true})
  let n = 0
  const prof = new RegionProfiler(spec.profile)
  await prof.start()
  const t0 = now()
  let t = t0
  while (t - t0 < spec.durationMs) {
    await engine.put(keyOf(n), valueOf(n, 0, spec.valueBytes))
    n++
    t = now()
  }
  await prof.stop()
  await engine.close()
  await engine.open(spec.dir)
  const check = new Checker()
  for (let i = 0; i < n; i++) {
    if (!valueMatches(i, await engine.get(keyOf(i)), spec.valueBytes, 0)) check.fail(`key ${i} not read back after reopen`)
  }
  await engine.close()
  check.done()
  return {metrics: {durable_put: perSec(n, t - t0)}, extra: {puts: n, ms: t - t0}}
}
