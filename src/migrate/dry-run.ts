/**
 * The dry run of a migration: reads the store (no lock, nothing written)
 * and reports per shard and stored version how many records would change,
 * a few before/after samples, and every record that would fail to convert.
 */
import type {Store} from '../api.js'
import {logicalValue} from '../record/value.js'
import {digestStore} from '../digest/digest-store.js'
import type {Converter, KeySelection} from './select.js'
import {selectedRecords} from './select.js'
import type {MigrateFailure, MigrateOptions, MigrateReport, MigrateSample, MigrateShardCounts} from './report.js'

/** Samples a dry run shows. */
const SAMPLES = 3

/** The dry run's report. REQUIRES: `store` is open read-only. */
export async function dryRun(store: Store, converter: Converter, keys: KeySelection, options: MigrateOptions, now: number): Promise<MigrateReport> {
  const failures: MigrateFailure[] = []
  const samples: MigrateSample[] = []
  const shards: MigrateShardCounts[] = []
  let examined = 0
  let migrated = 0
  for (let i = 0; i < store.shardCount; i++) {
    const versions = new Map<number, {version: number; records: number; wouldChange: number; failed: number}>()
    for (const e of selectedRecords(store, i, keys, now)) {
      if (!converter.covers(e, keys)) continue
      examined++
      const version = e.schema!.version
      let v = versions.get(version)
      if (v === undefined) versions.set(version, (v = {version, records: 0, wouldChange: 0, failed: 0}))
      v.records++
      const j = converter.judge(e)
      if (j.kind === 'fail') {
        v.failed++
        failures.push({key: e.key, version, reason: j.reason})
      } else if (j.kind === 'convert') {
        v.wouldChange++
        migrated++
        if (samples.length < SAMPLES) samples.push({key: e.key, version, before: JSON.parse(logicalValue(e).toString('utf8')), after: JSON.parse(j.value.toString('utf8'))})
      }
    }
    shards.push({shard: i, versions: [...versions.values()].sort((a, b) => a.version - b.version)})
    options.onProgress?.({shard: i, shardCount: store.shardCount, examined, migrated})
  }
  const before = await digestStore(store, {at: now, view: (e) => converter.upgraded(e, keys)})
  return {
    schema: converter.target.name, toVersion: converter.target.version, dryRun: true, resumed: false, aborted: false,
    examined, migrated, failed: failures.length, failures, shards, samples,
    digestBefore: before.digest, digestAfter: null, belowVersion: migrated + failures.length, invalid: 0, verified: null,
  }
}
