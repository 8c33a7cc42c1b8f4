/**
 * Rebalancing through the library: growing and shrinking keep the digest,
 * put every live key in its shard, leave verify clean and the moved fraction
 * near |M−N|/max(N,M); keys only move into new shards when growing and only
 * out of removed ones when shrinking.
 */
import test from 'ava'
import {open, rebalance} from '../../src/index.js'
import {assertPlacement, assertVerifyClean, digestOf, filledStore, keyOf, shardFolders, valueOf} from './helpers.js'

const KEYS = 6000

for (const [from, to] of [[4, 6], [6, 4], [1, 3], [3, 1]] as const) {
  test(`${from} to ${to} shards keeps the digest and places every key`, async (t) => {
    const dir = await filledStore(t, from, KEYS, {deleteEvery: 7})
    const before = await digestOf(dir)
    const r = await rebalance(dir, {shards: to})
    t.is(r.action, 'rebalanced')
    t.is(r.from, from)
    t.is(r.to, to)
    t.is(r.digestBefore, before)
    t.is(r.digestAfter, before)
    t.is(await digestOf(dir), before)
    t.is(r.keysTotal, KEYS - Math.ceil(KEYS / 7))
    t.is(await assertPlacement(t, dir), r.keysTotal)
    assertVerifyClean(t, dir)
    t.deepEqual(shardFolders(dir), Array.from({length: to}, (_, i) => `shard-${String(i).padStart(4, '0')}.g1`))
    // The matrix: moves only into new shards (growing) or out of removed ones (shrinking).
    for (let s = 0; s < from; s++) {
      for (let d = 0; d < to; d++) {
        if (s === d || r.matrix.keys[s][d] === 0) continue
        if (to > from) t.true(d >= from, `growing moved keys from ${s} into kept shard ${d}`)
        else t.true(s >= to, `shrinking moved keys out of kept shard ${s}`)
      }
    }
    const moved = r.matrix.keys.flatMap((row, s) => row.filter((_, d) => d !== s)).reduce((a, b) => a + b, 0)
    t.is(moved, r.keysMoved)
    t.true(Math.abs(r.fraction - r.expectedFraction) < 0.05, `fraction ${r.fraction} vs ${r.expectedFraction}`)
    // The store works on: reads of moved keys, and writes.
    const s = await open(dir)
    try {
      t.is((await s.get(keyOf(1)))?.value.toString(), valueOf(1))
      t.is(await s.get(keyOf(7)), undefined)
      await s.put('after', 'x')
      t.is(s.shardCount, to)
    } finally {
      await s.close()
    }
  })
}

test('the same shard count is a no-op that writes nothing', async (t) => {
  const dir = await filledStore(t, 3, 100)
  const r = await rebalance(dir, {shards: 3})
  t.is(r.action, 'noop')
  t.deepEqual(shardFolders(dir), ['shard-0000', 'shard-0001', 'shard-0002'])
})

test('a second rebalance builds on the first (generation 2, shadowed keys moving back)', async (t) => {
  const dir = await filledStore(t, 4, 3000)
  const before = await digestOf(dir)
  await rebalance(dir, {shards: 7})
  const r = await rebalance(dir, {shards: 4})
  t.is(r.generation, 2)
  t.is(await digestOf(dir), before)
  await assertPlacement(t, dir)
  assertVerifyClean(t, dir)
  const s = await open(dir)
  try {
    const c = await s.compact()
    t.true(c.shards.length === 4)
  } finally {
    await s.close()
  }
  t.is(await digestOf(dir), before)
  assertVerifyClean(t, dir)
})
