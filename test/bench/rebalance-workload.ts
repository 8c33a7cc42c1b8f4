/**
 * strata only: `shard-rebalance` from 8 to 12 shards of an N-key store (the
 * benchmark's keys and values, loaded untimed into 8 shards and flushed),
 * timed through the library call (flush, read, copy, digest proof, switch,
 * cleanup). Reports moved keys per second, to set against `put --batch`'s
 * keys per second, and bytes written per moved byte. Checked: the reported
 * digests are equal, every key counted, and a sample of values read back.
 */
import {createStore, open, rebalance} from '../../src/index.js'
import {Rng, keyOf, valueMatches, valueOf} from './data.js'
import {BenchCheckError, Checker, perSec, type WorkloadResult, type WorkloadSpec} from './spec.js'

export const REBALANCE_FROM = 8
export const REBALANCE_TO = 12

export async function rebalanceWorkload(spec: WorkloadSpec): Promise<WorkloadResult> {
  if (spec.engine !== 'strata') throw new Error(`${spec.engine} has no shard-rebalance`)
  await createStore(spec.dir, {shards: REBALANCE_FROM, ...(spec.strata.compression === undefined ? {} : {compression: spec.strata.compression})})
  const s = await open(spec.dir, {sync: 'none'})
  for (let b = 0; b < spec.keys; b += 1000) {
    const end = Math.min(spec.keys, b + 1000)
    await s.batch(Array.from({length: end - b}, (_, k) => ({type: 'put' as const, key: keyOf(b + k), value: valueOf(b + k, 0, spec.valueBytes)})))
  }
  await s.flush()
  await s.close()
  const t0 = performance.now()
  const r = await rebalance(spec.dir, {shards: REBALANCE_TO})
  const ms = performance.now() - t0
  if (r.action !== 'rebalanced' || r.digestBefore !== r.digestAfter) throw new BenchCheckError(`rebalance ended ${r.action} with digests ${r.digestBefore} / ${r.digestAfter}`)
  if (r.keysTotal !== spec.keys) throw new BenchCheckError(`rebalance counted ${r.keysTotal} keys, expected ${spec.keys}`)
  const check = new Checker()
  const store = await open(spec.dir, {readOnly: true})
  const rng = new Rng(spec.seed)
  for (let j = 0; j < 2000; j++) {
    const i = rng.below(spec.keys)
    if (!valueMatches(i, store.getSync(keyOf(i))?.value, spec.valueBytes, 0)) check.fail(`key ${i}: wrong value after the rebalance`)
  }
  await store.close()
  check.done()
  return {
    metrics: {rebalance: perSec(r.keysMoved, ms), rebalance_bytes: r.bytesWritten / r.bytesMoved},
    extra: {ms, keysMoved: r.keysMoved, bytesMoved: r.bytesMoved, bytesWritten: r.bytesWritten, fraction: r.fraction, tablesLinked: r.tablesLinked},
  }
}
