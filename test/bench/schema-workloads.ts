/**
 * The value-schema workload (strata only), on a fresh store of N JSON
 * records of about 100 B stamped with version 1 of a four-version schema
 * (v2 retypes a field, v3 adds one with a default, v4 removes one):
 *
 * - get_sync_stamped: getSync of random keys, records as stored;
 * - get_sync_upgraded: the same keys, each read through the lazy upgrade to
 *   v4 (SchemaView.upgrade): the ratio to the row above is the upgrade's cost;
 * - migrate_schema: migrateSchema to v4 over the whole store (its digests,
 *   chunks and proof included), records per second.
 * Every upgraded value is checked; the migration must report verified.
 */
import {SchemaView, createStore, migrateSchema, open, registerSchema, type Store} from '../../src/index.js'
import {Rng} from './data.js'
import {RegionProfiler} from './profiler.js'
import {BenchCheckError, Checker, perSec, type WorkloadResult, type WorkloadSpec} from './spec.js'

const VERSIONS = [
  {version: 1, schema: {type: 'object', properties: {name: {type: 'string'}, age: {type: 'string'}, nickname: {type: 'string'}, note: {type: 'string'}}, required: ['name', 'age']}},
  {version: 2, compatibility: 'NONE', schema: {type: 'object', properties: {name: {type: 'string'}, age: {type: 'integer'}}, required: ['name', 'age']}, changes: [{op: 'retype', field: 'age', to: 'integer'}]},
  {version: 3, compatibility: 'BACKWARD', schema: {type: 'object', required: ['name', 'age', 'city']}, changes: [{op: 'add', field: 'city', default: 'unknown'}]},
  {version: 4, schema: {type: 'object', required: ['name', 'age', 'city']}, changes: [{op: 'remove', field: 'nickname'}]},
]

const keyOf = (i: number): string => `user:${String(i).padStart(12, '0')}`
/** About 100 B of JSON. */
const valueOf = (i: number): string => JSON.stringify({name: `name-${i}`, age: String(i % 97), nickname: `nick-${i % 1000}`, note: 'x'.repeat(30 + (i % 7))})

/** Runs the workload; see the file comment. */
export async function schemaWorkload(spec: WorkloadSpec): Promise<WorkloadResult> {
  await createStore(spec.dir, {})
  for (const v of VERSIONS) await registerSchema(spec.dir, 'user', v)
  let s: Store = await open(spec.dir, {sync: 'none'})
  for (let b = 0; b < spec.keys; b += 1000) {
    const ops = []
    for (let i = b; i < Math.min(spec.keys, b + 1000); i++) ops.push({type: 'put' as const, key: keyOf(i), value: valueOf(i), schema: 'user@1'})
    await s.batch(ops)
  }
  await s.close()

  s = await open(spec.dir, {readOnly: true})
  const view = new SchemaView(spec.dir)
  const rng = new Rng(spec.seed)
  const keys = Array.from({length: spec.ops}, () => keyOf(rng.below(spec.keys)))
  const check = new Checker()
  // Both loops read the same keys; each runs twice, alternating, and its faster run counts
  // (the first pass also warms the block cache and the registry).
  let plainMs = Infinity
  let upgradedMs = Infinity
  let last
  for (let round = 0; round < 2; round++) {
    let t0 = performance.now()
    for (const k of keys) if (s.getSync(k) === undefined) check.fail(k)
    plainMs = Math.min(plainMs, performance.now() - t0)
    t0 = performance.now()
    for (const k of keys) {
      const kv = s.getSync(k)
      if (kv === undefined) check.fail(k)
      else last = view.upgrade(kv)
    }
    upgradedMs = Math.min(upgradedMs, performance.now() - t0)
  }
  await s.close()
  check.done()
  if (last?.schema?.version !== 4) throw new BenchCheckError(`an upgraded record is at version ${last?.schema?.version}, not 4`)

  // Only the migration is profiled: it is the one region of this workload whose cost is in question.
  const prof = new RegionProfiler(spec.profile)
  await prof.start()
  const t0 = performance.now()
  const report = await migrateSchema(spec.dir, {schema: 'user', toVersion: 4})
  const migrateMs = performance.now() - t0
  await prof.stop()
  if (report.verified !== true || report.migrated !== spec.keys) throw new BenchCheckError(`migration: verified ${report.verified}, ${report.migrated} of ${spec.keys} migrated`)
  return {
    metrics: {get_sync_stamped: perSec(spec.ops, plainMs), get_sync_upgraded: perSec(spec.ops, upgradedMs), migrate_schema: perSec(spec.keys, migrateMs)},
    extra: {plainMs, upgradedMs, migrateMs, upgradeCostRatio: upgradedMs / plainMs},
  }
}
