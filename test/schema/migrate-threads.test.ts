/**
 * migrate-schema on two threads (src/migrate/peer.ts): a run on two threads
 * converts exactly what a run on one does; the worker alone, given every
 * shard, passes and proves them as this thread would; a record that does
 * not convert in a shard the worker runs stops the run with the error and
 * exit code of a run on one thread, nothing of that shard switched.
 */
import test, {type ExecutionContext} from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {StrataError} from '../../src/errors.js'
import {createStore, digestStore, migrateSchema, open, registerSchema, verifyStore, type MigrateReport} from '../../src/index.js'
import {shardOf} from '../../src/util/hash.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import type {StoreImpl} from '../../src/store/store.js'
import {freshShard, type MigrationJournal} from '../../src/migrate/journal.js'
import {ShardQueue, switchShard} from '../../src/migrate/shard-steps.js'
import {combineProof, skippedKeys} from '../../src/migrate/proof.js'
import {MigratePeer} from '../../src/migrate/peer.js'
import {Sum256} from '../../src/digest/sum256.js'
import {assertError, strata} from '../cli/helpers.js'
import {tempDir} from '../helpers/temp.js'
import {USER_VERSIONS} from './fixture.js'

const SHARDS = 4
const key = (n: number): string => `user:${String(n).padStart(5, '0')}`

/** A store of `records` user records at versions 1 to 4, plain values beside them, and `bad` records (v1, an age that is no integer). */
async function userStore(dir: string, records: number, bad: readonly string[] = []): Promise<void> {
  await createStore(dir, {shards: SHARDS})
  for (const doc of USER_VERSIONS) await registerSchema(dir, 'user', doc)
  const s = await open(dir)
  for (let b = 0; b < records; b += 500) {
    const ops = []
    for (let n = b; n < Math.min(records, b + 500); n++) {
      const version = 1 + (n % 4)
      const v1 = {name: `n${n}`, age: String(n % 90), nickname: `k${n}`}
      const value = version === 1 ? v1 : version === 2 ? {...v1, age: n % 90} : {name: v1.name, age: n % 90, city: `c${n}`}
      ops.push({type: 'put' as const, key: key(n), value: JSON.stringify(value), schema: `user@${version}`})
    }
    ops.push({type: 'put' as const, key: `plain:${b}`, value: `text ${b}`})
    await s.batch(ops)
  }
  for (const k of bad) await s.put(k, JSON.stringify({name: 'x', age: 'old'}), {schema: 'user@1'})
  await s.close()
}

/** A key whose record lands in shard `shard`. */
function keyIn(shard: number): string {
  for (let n = 0; ; n++) if (shardOf(Buffer.from(`bad:${n}`), SHARDS) === shard) return `bad:${n}`
}

/** The parts of a report that say what a run converted. */
function outcome(r: MigrateReport): unknown {
  const {examined, migrated, failed, belowVersion, invalid, verified, digestBefore, digestAfter} = r
  return {examined, migrated, failed, belowVersion, invalid, verified, digestBefore, digestAfter, failures: r.failures.map((f) => f.key.toString()).sort()}
}

function newJournal(onError: 'stop' | 'skip'): MigrationJournal {
  return {schema: 'user', toVersion: 4, onError, at: Date.now(), shards: Array.from({length: SHARDS}, () => freshShard()), examined: 0}
}

test('a run on two threads converts exactly what a run on one does: same report counts, failures and digests', async (t) => {
  const root = tempDir(t)
  const bad = [keyIn(0), keyIn(1), keyIn(3)]
  await userStore(path.join(root, 'template'), 4000, bad)
  const reports: MigrateReport[] = []
  for (const threads of [1, 2]) {
    const dir = path.join(root, `t${threads}`)
    fs.cpSync(path.join(root, 'template'), dir, {recursive: true})
    reports.push(await migrateSchema(dir, {schema: 'user', toVersion: 4, onError: 'skip', chunkRecords: 64, threads}))
    t.is(verifyStore(dir).summary.errors, 0)
  }
  t.like(reports[0], {verified: true, examined: 4000 + bad.length, migrated: 3000, failed: bad.length, belowVersion: bad.length})
  t.deepEqual(outcome(reports[1]), outcome(reports[0]))
  const digests = await Promise.all([1, 2].map(async (n) => (await digestStore(path.join(root, `t${n}`), {at: 0})).digest))
  t.is(digests[1], digests[0])
})

test('the worker alone, given every shard, passes and proves them as a run on one thread does', async (t) => {
  const root = tempDir(t)
  await userStore(path.join(root, 'one'), 2000)
  fs.cpSync(path.join(root, 'one'), path.join(root, 'two'), {recursive: true})
  const one = await migrateSchema(path.join(root, 'one'), {schema: 'user', toVersion: 4, threads: 1})
  t.like(one, {verified: true, migrated: 1500})
  const dir = path.join(root, 'two')
  const store = (await open(dir, {sync: 'always'})) as StoreImpl
  const queue = new ShardQueue(SHARDS)
  const peer = MigratePeer.start(dir, 'user', 4, 100, queue)
  try {
    const journal = newJournal('stop')
    const chunks: number[] = []
    const switched: number[] = []
    peer.begin(journal)
    await peer.takeAll(journal, {
      chunk: (i) => chunks.push(i),
      done: (i) => {
        switched.push(i)
        switchShard(store, nodeFileSystem, dir, journal, i)
      },
    })
    t.deepEqual(switched.sort(), [0, 1, 2, 3])
    t.true(chunks.length >= SHARDS, `${chunks.length} chunks`)
    const proofs = await peer.prove(skippedKeys(journal))
    t.deepEqual(proofs.map((p) => p.shard).sort(), [0, 1, 2, 3])
    const before = new Sum256()
    for (const sh of journal.shards) before.addHex(sh.before)
    t.is(before.hex(), String(one.digestBefore))
    t.like(combineProof(proofs, journal, before.hex()), {verified: true, digestAfter: one.digestAfter, belowVersion: 0, invalid: 0})
  } finally {
    await peer.close()
    await store.close()
  }
  t.is((await digestStore(dir, {at: 0})).digest, (await digestStore(path.join(root, 'one'), {at: 0})).digest)
})

/**
 * A store of `records` user records and one that does not convert, in shard
 * `shard`; and the error a run on one thread stops with on a copy of it.
 */
async function failingStore(t: ExecutionContext, records: number, shard: number): Promise<{dir: string; expected: StrataError}> {
  const root = tempDir(t)
  const dir = path.join(root, 's')
  await userStore(dir, records, [keyIn(shard)])
  const copy = path.join(root, 'one')
  fs.cpSync(dir, copy, {recursive: true})
  const err = await migrateSchema(copy, {schema: 'user', toVersion: 4, threads: 1}).then(() => undefined, (e: unknown) => e)
  if (!(err instanceof StrataError)) throw new Error(`the run on one thread did not stop: ${String(err)}`)
  t.is(err.code, 'CONVERSION_FAILED')
  return {dir, expected: err}
}

/** Shard `shard`'s records as stored: key, value and stamp. */
async function shardRecords(dir: string, shard: number): Promise<string[]> {
  const r = await open(dir, {readOnly: true})
  try {
    return [...r.scanSync()].filter((kv) => shardOf(kv.key, SHARDS) === shard).map((kv) => `${kv.key}=${kv.value}@${kv.schema?.version}`)
  } finally {
    await r.close()
  }
}

test('a record that does not convert in a shard the worker runs stops it with the error of a run on one thread; nothing of that shard is switched', async (t) => {
  const {dir, expected} = await failingStore(t, 2000, 2)
  const before = await shardRecords(dir, 2)
  const store = (await open(dir, {sync: 'always'})) as StoreImpl
  const queue = new ShardQueue(SHARDS)
  // The worker's first take is shard 2.
  Atomics.store(new Int32Array(queue.memory), 0, 2)
  const peer = MigratePeer.start(dir, 'user', 4, 100, queue)
  const switched: number[] = []
  try {
    const journal = newJournal('stop')
    peer.begin(journal)
    const err = await t.throwsAsync(peer.takeAll(journal, {chunk: () => undefined, done: (i) => switched.push(i)}))
    t.true(err instanceof StrataError)
    t.is((err as StrataError).code, expected.code)
    t.is(err?.message, expected.message)
    t.is((err as StrataError).hint, expected.hint)
    t.false(journal.shards[2].done)
  } finally {
    await peer.close()
    await store.close()
  }
  t.false(switched.includes(2))
  t.deepEqual(await shardRecords(dir, 2), before)
})

test('the CLI stops on a record that does not convert in any shard but the first, with the one-thread error and exit 2; a resume with skip finishes', async (t) => {
  const {dir, expected} = await failingStore(t, 3000, 3)
  const before = await Promise.all([0, 1, 2, 3].map((s) => shardRecords(dir, s)))
  const r = await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '4', '--chunk-size', '50'])
  assertError(t, r, 'CONVERSION_FAILED', 2)
  t.true(r.stderr.startsWith(`strata: error ${expected.code}: ${expected.message} (hint: ${expected.hint})`), r.stderr)
  // Whichever thread ran shard 3, it is unchanged; every other shard is switched whole or not at all.
  const after = await Promise.all([0, 1, 2, 3].map((s) => shardRecords(dir, s)))
  t.deepEqual(after[3], before[3])
  for (const s of [0, 1, 2]) {
    const atV4 = after[s].filter((x) => x.endsWith('@4')).length
    const users = after[s].filter((x) => x.startsWith('user:')).length
    t.true(after[s].length === before[s].length && (atV4 === users || JSON.stringify(after[s]) === JSON.stringify(before[s])), `shard ${s}`)
  }
  const resumed = await strata(['migrate-schema', '--dir', dir, '--schema', 'user', '--to-version', '4', '--on-error', 'skip', '--format', 'json'])
  t.is(resumed.code, 0, resumed.stderr)
  t.like(JSON.parse(resumed.stdout), {verified: true, failed: 1, belowVersion: 1})
  t.is(verifyStore(dir).summary.errors, 0)
})
