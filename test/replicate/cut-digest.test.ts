/**
 * A cut's digest carried from the previous cut (src/replicate/cut-digest.ts)
 * equals the digest computed from scratch, round after round of overwrites,
 * deletes, new keys, JSON values, records with an expiry, flushes and
 * compactions; the carried path is really taken where it applies, and the
 * full pass where it must be.
 */
import test from 'ava'
import * as path from 'node:path'
import {digestStore, open, replicate} from '../../src/index.js'
import {createStore} from '../../src/store/init.js'
import {takeCut} from '../../src/cut/take-cut.js'
import {digestCut, type ShardDigestMethod} from '../../src/replicate/cut-digest.js'
import {readCut, newestCutNumber} from '../../src/replicate/cuts.js'
import {cutId} from '../../src/replicate/keys.js'
import {openObjectStore} from '../../src/objstore/open.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {tempDir} from '../helpers/temp.js'

/** A small deterministic PRNG, so a failure replays. */
function rng(seed: number): () => number {
  let x = seed >>> 0
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0
    return x / 2 ** 32
  }
}

type Round = 'writes' | 'nothing' | 'expiry' | 'flush' | 'compact'

test('the carried digest equals a full digest in every round, and each path is taken', async (t) => {
  t.timeout(120_000)
  const root = tempDir(t)
  const dir = path.join(root, 'db')
  const replica = path.join(root, 'replica')
  const random = rng(7)
  await createStore(dir, {shards: 4})
  const store0 = await open(dir, {sync: 'none'})
  for (let i = 0; i < 2000; i++) await store0.put(`k${i}`, `v${i}`)
  await store0.flush()
  await store0.close()
  const rounds: Round[] = ['writes', 'writes', 'nothing', 'writes', 'expiry', 'writes', 'writes', 'flush', 'writes', 'compact', 'writes', 'writes']
  const seen = new Map<ShardDigestMethod, number>()
  const dest = await openObjectStore(replica)
  try {
    for (const [i, round] of rounds.entries()) {
      const store = await open(dir, {sync: 'none'})
      if (round === 'writes') {
        for (let n = 0; n < 300; n++) {
          const key = `k${Math.floor(random() * 2600)}`
          const r = random()
          if (r < 0.2) await store.delete(key)
          else if (r < 0.4) await store.put(key, JSON.stringify({n, round: i}), {json: true})
          else await store.put(key, `v${n}-${i}`)
        }
      } else if (round === 'expiry') {
        await store.put('k5', 'soon', {ttlMs: 3_600_000})
      } else if (round === 'flush') {
        await store.put('k6', 'before the flush')
        await store.flush()
      } else if (round === 'compact') {
        await store.compact()
      }
      await store.close()
      await replicate(dir, dest)
      const descriptor = await readCut(dest, cutId(await newestCutNumber(dest)))
      t.is(descriptor.digest, (await digestStore(dir, {at: descriptor.takenAt})).digest, `round ${i} (${round}): the shipped digest is the full one`)
      // The same computation on a fresh cut, from that descriptor: which path each shard takes.
      const cut = await takeCut(dir)
      try {
        const carried = await digestCut(nodeFileSystem, cut, descriptor)
        const full = await digestStore(cut, {at: cut.takenAt})
        t.is(carried.digest, full.digest, `round ${i}: a cut with nothing new`)
        t.is(carried.records, full.records)
        t.deepEqual(carried.shards.map((s) => s.digest), full.shards.map((s) => s.digest))
        t.true(carried.methods.every((m) => m === 'same' || m === 'full'), 'nothing was written since the descriptor')
      } finally {
        cut.release()
      }
      for (const [n, s] of descriptor.shards.entries()) {
        t.is(typeof s.digest, 'string', `round ${i}: shard ${n} records its digest`)
      }
      // Which path the shipped cut took: recompute it from the cut before it.
      if (i > 0) {
        const before = await readCut(dest, cutId(await newestCutNumber(dest) - 1))
        const again = await takeCut(dir)
        try {
          const r = await digestCut(nodeFileSystem, again, before)
          t.is(r.digest, descriptor.digest)
          for (const m of r.methods) seen.set(m, (seen.get(m) ?? 0) + 1)
          if (round === 'nothing') t.true(r.methods.every((m) => m === 'same'), 'an unchanged store reuses every shard')
          if (round === 'flush' || round === 'compact') t.true(r.methods.some((m) => m === 'full'), `a ${round} changes a manifest: those shards are digested in full`)
          if (rounds[i - 1] === 'expiry') t.true(r.methods.includes('full'), 'a shard holding a record with an expiry is digested in full')
        } finally {
          again.release()
        }
      }
    }
  } finally {
    await dest.close()
  }
  t.true((seen.get('delta') ?? 0) >= 8, `the carried path ran (${seen.get('delta') ?? 0} shards)`)
  t.true((seen.get('full') ?? 0) >= 1)
  t.true((seen.get('same') ?? 0) >= 1)
})
