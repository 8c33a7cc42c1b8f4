/**
 * The read pass in place (src/rebalance/raw-read.ts) against the same pass
 * over decoded entries (plan.ts's readShard), shard by shard, on stores with
 * every shape of record: overwrites across levels, tombstones, expiries live
 * and past, JSON, empty and binary values and keys, zlib-coded values with
 * schema references, zlib and lz tables. Both must count, sum and collect
 * exactly the same: the same keys and bytes per target, the same hash sums,
 * the same routing verdict, and byte-identical moved runs and leaving keys.
 */
import test from 'ava'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {readDescriptor} from '../../src/store/descriptor.js'
import {Kind, ValueCodec, type Entry} from '../../src/record/format.js'
import {RecordHasher} from '../../src/digest/format.js'
import {OldGeneration} from '../../src/rebalance/old-generation.js'
import {readShard, type ShardPlan} from '../../src/rebalance/plan.js'
import {readShardInPlace} from '../../src/rebalance/raw-read.js'
import {buildRichStore, READ_CLOCK} from '../helpers/rich-store.js'
import {tempDir} from '../helpers/temp.js'
import {installRecords} from './helpers.js'

/** Everything a read pass reports, comparable with deepEqual. */
function summary(p: ShardPlan): unknown {
  return {
    shard: p.shard,
    keys: p.keys,
    bytes: p.bytes,
    sum: p.sum.hex(),
    staying: p.staying.hex(),
    movedSums: p.movedSums.map((m) => m?.hex()),
    routed: p.routed,
    moved: p.moved.map((r) => (r === undefined ? undefined : {length: r.length, bytes: r.bytes().toString('hex')})),
    leaving: p.leaving === undefined ? undefined : {length: p.leaving.length, bytes: p.leaving.bytes().toString('hex')},
  }
}

for (const compression of ['lz', 'zlib'] as const) {
  for (const to of [2, 5]) {
    test(`${compression} tables, 3 → ${to} shards: in place and decoded, every shard's pass is the same`, async (t) => {
      const dir = path.join(tempDir(t), 'db')
      await buildRichStore(dir, {compression, shards: 3})
      // All tables: what a real run reads after its flush (every shard opened as the writer and flushed).
      const writer = OldGeneration.writer(nodeFileSystem, dir, readDescriptor(nodeFileSystem, dir))
      writer.flush()
      writer.close()
      // Zlib-coded values with schema references and expiries, in a table of their own.
      const coded: Omit<Entry, 'seq'>[] = []
      for (let i = 0; i < 60; i++) {
        const text = JSON.stringify({c: `coded ${i} `.repeat(12)})
        coded.push({kind: Kind.PUT, key: Buffer.from(`coded-${i}`), value: zlib.deflateSync(Buffer.from(text)), codec: ValueCodec.ZLIB, json: true, expiresAt: READ_CLOCK + (i % 2 === 0 ? 1 : -1) * 60_000, schema: {id: 1 + (i % 3), version: 1 + (i % 2)}})
      }
      installRecords(dir, coded)
      const desc = readDescriptor(nodeFileSystem, dir)
      const old = OldGeneration.view(nodeFileSystem, dir, desc)
      let compared = 0
      let live = 0
      let moved = 0
      try {
        const sources = old.sources()
        for (const [i, source] of sources.entries()) {
          const tables = source.tables()
          t.not(tables, undefined, `shard ${i} is all tables`)
          if (tables === undefined) continue
          t.true(tables.length > 1, `shard ${i} merges several tables`)
          const decoded = readShard(i, desc.shardCount, source.entries(), to, READ_CLOCK, true, new RecordHasher())
          const inPlace = readShardInPlace(i, desc.shardCount, tables, to, READ_CLOCK, true, new RecordHasher())
          t.deepEqual(summary(inPlace), summary(decoded))
          live += decoded.keys.reduce((a, b) => a + b, 0)
          moved += decoded.moved.reduce((n, r) => n + (r?.length ?? 0), 0)
          compared++
        }
      } finally {
        old.close()
      }
      t.is(compared, 3)
      t.log(`${live} live records, ${moved} moved`)
      t.true(live > 250 && moved > 50, `${live} live, ${moved} moved`)
    })
  }
}

test('a shard with records outside its tables is read through its entries', async (t) => {
  const dir = path.join(tempDir(t), 'db')
  await buildRichStore(dir, {compression: 'lz', shards: 3})
  // The rich store ends with writes left in the WALs.
  const desc = readDescriptor(nodeFileSystem, dir)
  const old = OldGeneration.view(nodeFileSystem, dir, desc)
  try {
    t.true(old.sources().some((s) => s.tables() === undefined))
  } finally {
    old.close()
  }
})
