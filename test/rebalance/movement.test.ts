/**
 * Minimal movement: a kept shard keeps its table files (the same inodes,
 * nothing rewritten), and the bytes a rebalance writes stay close to the
 * bytes of the records it moves (moved records plus one tombstone per key
 * that left a kept shard), on a store of ~100-byte values.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, open, rebalance} from '../../src/index.js'
import {shardDirName} from '../../src/layout/names.js'
import {tempDir} from '../helpers/temp.js'
import {assertVerifyClean, digestOf, keyOf, valueOf} from './helpers.js'

const KEYS = 20_000

/** Table name → inode of each shard folder of generation `generation`. */
function tableInodes(dir: string, shards: number, generation: number): Map<string, number>[] {
  return Array.from({length: shards}, (_, i) => {
    const folder = path.join(dir, shardDirName(i, generation))
    return new Map(fs.readdirSync(folder).filter((n) => n.endsWith('.sst')).map((n) => [n, fs.statSync(path.join(folder, n)).ino]))
  })
}

for (const [from, to] of [[4, 6], [6, 4]] as const) {
  test(`${from} to ${to}: kept shards keep their tables and the bytes written are at most 1.5x the moved bytes`, async (t) => {
    const dir = path.join(tempDir(t), 'db')
    await createStore(dir, {shards: from, compression: 'none'})
    const s = await open(dir, {sync: 'none'})
    for (let at = 0; at < KEYS; at += 5000) await s.batch(Array.from({length: 5000}, (_, k) => ({type: 'put' as const, key: keyOf(at + k), value: valueOf(at + k)})))
    await s.flush()
    await s.close()
    const before = tableInodes(dir, from, 0)
    const digest = await digestOf(dir)
    const r = await rebalance(dir, {shards: to})
    t.is(r.digestAfter, digest)
    const kept = Math.min(from, to)
    const after = tableInodes(dir, to, 1)
    let linked = 0
    for (let i = 0; i < kept; i++) {
      t.true(before[i].size > 0)
      for (const [name, ino] of before[i]) {
        t.is(after[i].get(name), ino, `shard ${i}: ${name} is the same file`)
        t.is(fs.statSync(path.join(dir, shardDirName(i, 1), name)).nlink, 1, 'the old name is gone after the cleanup')
        linked++
      }
      // At most one new table: the moved-in records and the tombstones.
      t.true(after[i].size <= before[i].size + 1)
    }
    t.is(r.tablesLinked, linked)
    t.is(r.tablesCopied, 0)
    t.true(r.bytesMoved > 0)
    const ratio = r.bytesWritten / r.bytesMoved
    t.true(ratio <= 1.5, `bytes written ${r.bytesWritten} / moved ${r.bytesMoved} = ${ratio.toFixed(3)}`)
    t.log(`${from}→${to}: moved ${r.keysMoved} keys (${(r.fraction * 100).toFixed(1)}%, expected ${(r.expectedFraction * 100).toFixed(1)}%), ${r.bytesMoved} B; wrote ${r.bytesWritten} B (${ratio.toFixed(3)}x); ${r.tombstones} tombstones`)
    t.true(Math.abs(r.fraction - r.expectedFraction) < 0.01, 'moved fraction within 1 point of the formula')
    t.is(r.tombstones, to > from ? r.keysMoved : 0)
    assertVerifyClean(t, dir)
    // compact drops the tombstones and the copies they shadow.
    const w = await open(dir)
    const c = await w.compact()
    await w.close()
    const entries = c.shards.reduce((n, x) => n + x.entriesOut, 0)
    t.is(entries, KEYS)
    t.is(await digestOf(dir), digest)
    assertVerifyClean(t, dir)
  })
}
