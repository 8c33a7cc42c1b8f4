/**
 * migrate-schema through the CLI: the `user` fixture rewritten to version 4
 * with its proof, a second run that rewrites nothing, the dry run's report,
 * a record that cannot convert under --on-error stop and skip, and the
 * journal's --abort and its refusal of a different run.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {migrateSchema, open} from '../../src/index.js'
import {StoreImpl} from '../../src/store/store.js'
import {assertError, ndjson, strata, treeHash} from '../cli/helpers.js'
import {USERS_AT_V4, fixtureStore} from './fixture.js'
import {encodeCheckedJson} from '../../src/schema/checked-json.js'

async function migrate(dir: string, ...flags: string[]): Promise<Record<string, unknown>> {
  const r = await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '4', '--format', 'json', ...flags])
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout) as Record<string, unknown>
}

async function rawRecords(dir: string): Promise<Record<string, {value: unknown; schema?: string}>> {
  const lines = ndjson((await strata(['scan', '--dir', dir, '--raw', '--format', 'ndjson'])).stdout)
  return Object.fromEntries(lines.map((r) => [String(r.key), {value: r.value, ...(r.schema === undefined ? {} : {schema: String(r.schema)})}]))
}

test('the fixture migrates to version 4: lazy digest before = stored digest after, plain values untouched, a second run rewrites nothing', async (t) => {
  const dir = await fixtureStore(t)
  const before = await rawRecords(dir)
  const r = await migrate(dir)
  t.like(r, {schema: 'user', toVersion: 4, dryRun: false, examined: 4, migrated: 3, failed: 0, belowVersion: 0, invalid: 0, verified: true})
  t.is(r.digestBefore, r.digestAfter)
  t.regex(String(r.digestAfter), /^[0-9a-f]{64}$/)
  const after = await rawRecords(dir)
  for (const [k, v] of Object.entries(USERS_AT_V4)) t.deepEqual(after[k], {value: v, schema: 'user@4'}, k)
  t.deepEqual(after.plain, before.plain)
  t.deepEqual(after.doc, before.doc)
  t.deepEqual(after.doc, {value: {age: '7'}})
  const digest = JSON.parse((await strata(['digest', '--dir', dir, '--format', 'json'])).stdout)
  t.is(digest.digest, r.digestAfter)
  t.false(fs.existsSync(path.join(dir, 'schemas', 'MIGRATION')))
  const again = await migrate(dir)
  t.like(again, {migrated: 0, examined: 4, verified: true, digestBefore: r.digestAfter, digestAfter: r.digestAfter})
  const text = await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '4'])
  t.is(text.code, 0)
  t.regex(text.stdout, /\(equal\)/)
  t.is((await strata(['verify', '--dir', dir])).code, 0)
})

test('a dry run reports per shard and stored version, with samples and failures, and writes nothing', async (t) => {
  const dir = await fixtureStore(t)
  t.is((await strata(['put', '--dir', dir, 'u:5', '{"name":"eve","age":"old"}', '--schema', 'user@1'])).code, 0)
  const tree = treeHash(dir)
  const r = await migrate(dir, '--dry-run')
  t.like(r, {dryRun: true, examined: 5, migrated: 3, failed: 1, digestAfter: null, verified: null})
  const counts = new Map<number, number[]>()
  for (const s of r.shards as Array<{versions: Array<{version: number; records: number; wouldChange: number; failed: number}>}>) {
    for (const v of s.versions) {
      const c = counts.get(v.version) ?? [0, 0, 0]
      counts.set(v.version, [c[0] + v.records, c[1] + v.wouldChange, c[2] + v.failed])
    }
  }
  t.deepEqual(Object.fromEntries(counts), {1: [2, 1, 1], 2: [1, 1, 0], 3: [1, 1, 0], 4: [1, 0, 0]})
  t.is((r.shards as unknown[]).length, 3)
  const samples = r.samples as Array<{key: string; after: unknown}>
  t.true(samples.length > 0)
  for (const s of samples) t.deepEqual(s.after, USERS_AT_V4[s.key])
  t.deepEqual((r.failures as Array<{key: string; version: number}>).map((f) => [f.key, f.version]), [['u:5', 1]])
  t.deepEqual(treeHash(dir), tree)
})

test('a record that does not convert: stop leaves its chunk unwritten (exit 2); skip leaves it at its version and lists it', async (t) => {
  const dir = await fixtureStore(t)
  t.is((await strata(['put', '--dir', dir, 'u:5', '{"name":"eve","age":"old"}', '--schema', 'user@1'])).code, 0)
  const before = await rawRecords(dir)
  const stop = await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '4'])
  assertError(t, stop, 'CONVERSION_FAILED', 2, /u:5/)
  // One chunk holds every record of a shard: none of u:5's shard was written.
  const afterStop = await rawRecords(dir)
  const shardOf = async (k: string): Promise<number> => JSON.parse((await strata(['get', '--dir', dir, k, '--format', 'json'])).stdout).records[0].shard
  const failedShard = await shardOf('u:5')
  for (const k of Object.keys(USERS_AT_V4)) if ((await shardOf(k)) === failedShard) t.deepEqual(afterStop[k], before[k], k)
  t.deepEqual(afterStop['u:5'], before['u:5'])
  const skip = await migrate(dir, '--on-error', 'skip')
  t.like(skip, {resumed: true, failed: 1, belowVersion: 1, invalid: 0, verified: true})
  t.deepEqual((skip.failures as Array<{key: string}>).map((f) => f.key), ['u:5'])
  t.is(skip.digestBefore, skip.digestAfter)
  const after = await rawRecords(dir)
  t.deepEqual(after['u:5'], before['u:5'])
  for (const [k, v] of Object.entries(USERS_AT_V4)) t.deepEqual(after[k], {value: v, schema: 'user@4'}, k)
})

test('an unfinished run refuses a different one, continues with the same flags, and --abort drops it', async (t) => {
  const dir = await fixtureStore(t)
  t.is((await strata(['put', '--dir', dir, 'u:5', '{"name":"eve","age":"old"}', '--schema', 'user@1'])).code, 0)
  assertError(t, await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '4']), 'CONVERSION_FAILED', 2)
  t.true(fs.existsSync(path.join(dir, 'schemas', 'MIGRATION')))
  assertError(t, await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '3']), 'INVALID_ARGUMENT', 2, /unfinished/)
  t.like(await migrate(dir, '--abort'), {aborted: true})
  t.false(fs.existsSync(path.join(dir, 'schemas', 'MIGRATION')))
  t.like(await migrate(dir, '--abort'), {aborted: false})
  const v3 = await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '3', '--format', 'json'])
  t.is(v3.code, 2)
  assertError(t, await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '9']), 'NOT_FOUND', 1)
  assertError(t, await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '4', '--dry-run', '--resume']), 'USAGE', 2)
})

test('a record found at the target that does not validate fails the check: the reading pass validates what the proof does not parse again', async (t) => {
  const dir = await fixtureStore(t)
  // Stamped at version 4 without validation (v4 closes the object: "extra" is not allowed).
  const s = await open(dir)
  await (s as StoreImpl).batchStamped([{type: 'put', key: 'u:bad', value: '{"name":"x","age":1,"city":"c","extra":true}', json: true}], new Map([[0, {id: 1, version: 4}]]))
  await s.close()
  const r = await migrateSchema(dir, {schema: 'user', toVersion: 4, chunkRecords: 1})
  t.like(r, {examined: 5, migrated: 3, invalid: 1, belowVersion: 0, verified: false})
  t.is(r.digestBefore, r.digestAfter)
  assertError(t, await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '4']), 'CORRUPTION', 3)
})

/** Journals as releases before format 3 wrote them: 1 kept no digest sums, 2 kept them per shard with counts for the whole run. */
const EARLIER_JOURNALS: Record<number, (shards: number) => Record<string, unknown>> = {
  1: (shards) => ({
    format: 1, schema: 'user', toVersion: 4, onError: 'stop', at: Date.now(), digestBefore: 'ab'.repeat(32),
    shards: Array.from({length: shards}, (_, i) => ({done: i === 0, after: null})), examined: 1, migrated: 1, failures: [],
  }),
  2: (shards) => ({
    format: 2, schema: 'user', toVersion: 4, onError: 'stop', at: Date.now(),
    shards: Array.from({length: shards}, (_, i) => ({done: i === 0, after: i === 0 ? Buffer.from('u:9').toString('hex') : null, before: 'cd'.repeat(32)})),
    examined: 2, migrated: 2, invalid: 0, failures: [],
  }),
}

for (const format of [1, 2]) {
  test(`a journal left by a run of format ${format} restarts its pass from the first key and completes with its proof`, async (t) => {
    const dir = await fixtureStore(t)
    const s = await open(dir)
    const shards = (s as StoreImpl).shardCount
    await s.close()
    t.true(shards > 0)
    fs.writeFileSync(path.join(dir, 'schemas', 'MIGRATION'), encodeCheckedJson(EARLIER_JOURNALS[format](shards)))
    assertError(t, await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '3']), 'INVALID_ARGUMENT', 2, /unfinished/)
    const r = await migrate(dir, '--resume')
    t.like(r, {resumed: true, examined: 4, migrated: 3, failed: 0, invalid: 0, verified: true})
    t.is(r.digestBefore, r.digestAfter)
    const after = await rawRecords(dir)
    for (const [k, v] of Object.entries(USERS_AT_V4)) t.deepEqual(after[k], {value: v, schema: 'user@4'}, k)
    t.false(fs.existsSync(path.join(dir, 'schemas', 'MIGRATION')))
  })
}

test('tables a killed chunk left beside the journal are removed on resume; a stopped shard is unchanged until its pass ends', async (t) => {
  const dir = await fixtureStore(t)
  t.is((await strata(['put', '--dir', dir, 'u:5', '{"name":"eve","age":"old"}', '--schema', 'user@1'])).code, 0)
  const before = await rawRecords(dir)
  // One record per chunk: the shards before u:5's are replaced, u:5's has built tables for the keys before it.
  await t.throwsAsync(migrateSchema(dir, {schema: 'user', toVersion: 4, chunkRecords: 1}), {code: 'CONVERSION_FAILED'})
  const staging = path.join(dir, 'schemas', 'MIGRATION-TABLES')
  const shardFolders = fs.readdirSync(staging)
  t.is(shardFolders.length, 1)
  const folder = path.join(staging, shardFolders[0])
  // A table of a chunk the journal never recorded, as a kill after its build leaves it, under the number the next chunk takes.
  const numbers = fs.readdirSync(folder).map((n) => Number.parseInt(n, 10))
  const stray = `${String(Math.max(0, ...numbers) + 1).padStart(6, '0')}.sst`
  fs.writeFileSync(path.join(folder, stray), 'not a table')
  const afterStop = await rawRecords(dir)
  const shardOf = async (k: string): Promise<number> => JSON.parse((await strata(['get', '--dir', dir, k, '--format', 'json'])).stdout).records[0].shard
  const failedShard = await shardOf('u:5')
  let unchanged = 0
  for (const k of Object.keys(before)) {
    if ((await shardOf(k)) !== failedShard) continue
    t.deepEqual(afterStop[k], before[k], k)
    unchanged++
  }
  t.true(unchanged >= 1)
  const r = await migrate(dir, '--on-error', 'skip', '--chunk-size', '1')
  t.like(r, {resumed: true, failed: 1, belowVersion: 1, verified: true})
  t.is(r.digestBefore, r.digestAfter)
  t.false(fs.existsSync(staging))
  const after = await rawRecords(dir)
  for (const [k, v] of Object.entries(USERS_AT_V4)) t.deepEqual(after[k], {value: v, schema: 'user@4'}, k)
  t.deepEqual(after['u:5'], before['u:5'])
  t.is((await strata(['verify', '--dir', dir])).code, 0)
})
