/**
 * The whole-shard sums of a fixed view on two threads (src/digest/view-sums.ts):
 * the worker's sums are the ones digestStore computes on this thread, and a
 * damaged table read by the worker fails the call as CORRUPTION, as it would here;
 * fed shards (a restore still writing them) are read only once given.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, digestStore, open, StrataError, takeCut, type StoreCut} from '../../src/index.js'
import {ShardFeed, sumViewShards, type ViewSpec} from '../../src/digest/view-sums.js'
import {tempDir} from '../cli/helpers.js'

const AT = 1735689600000

/** A 4-shard store with records in tables (overwritten and deleted in part) and in the WAL, some expiring around AT. */
async function filledStore(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const dir = path.join(tempDir(t), 'db')
  await createStore(dir, {shards: 4})
  const s = await open(dir, {sync: 'none', walFlushBytes: 16 * 1024, background: false})
  for (let round = 0; round < 3; round++) {
    const ops = []
    for (let i = 0; i < 1500; i++) {
      const k = (i * 7919 + round) % 2000
      if ((k + round) % 13 === 0) ops.push({type: 'del' as const, key: `k${k}`})
      else ops.push({type: 'put' as const, key: `k${k}`, value: `v${round}:${k}`.repeat(3), json: k % 4 === 0, ...(k % 5 === 0 ? {expiresAt: AT - 500 + k} : {})})
    }
    await s.batch(ops)
  }
  await s.close()
  const w = await open(dir)
  await w.batch([{type: 'put', key: 'wal:1', value: 'in the WAL'}, {type: 'del', key: 'k7'}])
  await w.close()
  return dir
}

function specOf(cut: StoreCut): ViewSpec {
  return {dir: cut.pinDir, descriptor: cut.descriptor, at: cut.shards.map((s) => ({manifestNumber: s.manifestNumber, manifest: s.manifest, walLength: s.walLength}))}
}

test('the worker sums each shard as digestStore does, from tables and WAL alike', async (t) => {
  const dir = await filledStore(t)
  const expected = await digestStore(dir, {at: AT})
  t.true(expected.records > 1000)
  const cut = await takeCut(dir)
  try {
    t.true(cut.shards.every((s) => s.manifest.tables.length > 0), 'every shard has tables')
    const byWorker = await sumViewShards(specOf(cut), [0, 1, 2, 3], AT, {helperOnly: true})
    t.deepEqual(
      byWorker.map((s) => ({shard: s.shard, digest: s.sum.hex(), records: s.records})),
      expected.shards.map((s) => ({shard: s.shard, digest: s.digest, records: s.records})),
    )
    t.true(byWorker.some((s) => s.expiring > 0))
    // Both threads claiming, in an order other than the shards': the results follow the order asked for.
    const both = await sumViewShards(specOf(cut), [3, 1, 0, 2], AT, {minParallelBytes: 0})
    t.deepEqual(both.map((s) => [s.shard, s.sum.hex()]), [3, 1, 0, 2].map((i) => [i, expected.shards[i].digest]))
  } finally {
    cut.release()
  }
})

test('a damaged table read by the worker is CORRUPTION naming it', async (t) => {
  const dir = await filledStore(t)
  const shardDir = path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('shard-') && n.endsWith('1'))!)
  const table = fs.readdirSync(shardDir).find((n) => n.endsWith('.sst'))!
  const file = path.join(shardDir, table)
  const bytes = fs.readFileSync(file)
  bytes[5] ^= 0x40
  fs.writeFileSync(file, bytes)
  const cut = await takeCut(dir)
  try {
    const e = await t.throwsAsync(sumViewShards(specOf(cut), [0, 1, 2, 3], AT, {helperOnly: true}), {instanceOf: StrataError})
    t.is(e?.code, 'CORRUPTION')
    t.true(e?.file?.endsWith(table), e?.file)
  } finally {
    cut.release()
  }
})

test('with startAfter, this thread joins once it settles; if it rejects, so does the call', async (t) => {
  const dir = await filledStore(t)
  const expected = await digestStore(dir, {at: AT})
  const cut = await takeCut(dir)
  try {
    let joined = false
    const later = new Promise<void>((resolve) => setTimeout(() => {
      joined = true
      resolve()
    }, 50))
    const sums = await sumViewShards(specOf(cut), [0, 1, 2, 3], AT, {minParallelBytes: 0, startAfter: later})
    t.true(joined)
    t.deepEqual(sums.map((s) => s.sum.hex()), expected.shards.map((s) => s.digest))
    // Without a worker (below the size at which one starts), the same.
    t.deepEqual((await sumViewShards(specOf(cut), [0, 1, 2, 3], AT, {startAfter: Promise.resolve()})).map((s) => s.sum.hex()), expected.shards.map((s) => s.digest))
    const failed = Promise.reject(new Error('the upload failed'))
    await t.throwsAsync(sumViewShards(specOf(cut), [0, 1, 2, 3], AT, {minParallelBytes: 0, startAfter: failed}), {message: 'the upload failed'})
  } finally {
    cut.release()
  }
})

test('fed, the worker reads a shard only once it is given, and a failed write stops it', async (t) => {
  const dir = await filledStore(t)
  const expected = await digestStore(dir, {at: AT})
  const cut = await takeCut(dir)
  try {
    const spec = specOf(cut)
    const folders = fs.readdirSync(cut.pinDir).filter((n) => n.startsWith('shard-')).sort()
    t.is(folders.length, 4)
    // The shard folders arrive in OUT one by one, as a restore writes them: a
    // read of a shard before it is given finds no files and fails the call.
    const out = path.join(tempDir(t), 'out')
    fs.mkdirSync(out)
    const feed = new ShardFeed(out, cut.descriptor, 0)
    const arriving = (async () => {
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 40))
        fs.cpSync(path.join(cut.pinDir, folders[i]), path.join(out, folders[i]), {recursive: true})
        feed.ready(i, spec.at[i])
      }
    })()
    const sums = await sumViewShards(feed.spec, [0, 1, 2, 3], AT, {helperOnly: true, feed, startAfter: arriving})
    t.deepEqual(sums.map((s) => [s.shard, s.sum.hex(), s.records]), expected.shards.map((s) => [s.shard, s.digest, s.records]))

    // Shard 0 given, then the write fails: the worker, waiting for shard 1, is stopped and the write's error is the call's.
    const out2 = path.join(tempDir(t), 'out2')
    fs.mkdirSync(out2)
    const feed2 = new ShardFeed(out2, cut.descriptor, 0)
    const failing = (async () => {
      fs.cpSync(path.join(cut.pinDir, folders[0]), path.join(out2, folders[0]), {recursive: true})
      feed2.ready(0, spec.at[0])
      await new Promise((r) => setTimeout(r, 200))
      throw new Error('the download failed')
    })()
    await t.throwsAsync(sumViewShards(feed2.spec, [0, 1, 2, 3], AT, {helperOnly: true, feed: feed2, startAfter: failing}), {message: 'the download failed'})

    // startAfter settling before every shard was given is a caller's bug, reported as such.
    const feed3 = new ShardFeed(out, cut.descriptor, 0)
    feed3.ready(0, spec.at[0])
    await t.throwsAsync(sumViewShards(feed3.spec, [0, 1], AT, {feed: feed3, startAfter: Promise.resolve()}), {message: /before every shard was given/})
  } finally {
    cut.release()
  }
})
