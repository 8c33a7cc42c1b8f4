import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, open} from '../../src/index.js'
import {tempDir} from '../helpers/temp.js'

const small = {sync: 'none', walFlushBytes: 8 * 1024, compactionTrigger: 3, levelBaseBytes: 32 * 1024} as const

async function newStore(): Promise<string> {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards: 1, compression: 'none'})
  return dir
}

test('writes spread over several levels, each level ≥ 1 one sorted run, and every read stays exact', async (t) => {
  const dir = await newStore()
  const s = await open(dir, small)
  const model = new Map<string, string>()
  for (let i = 0; i < 12_000; i++) {
    const k = `k${String((i * 7919) % 5000).padStart(5, '0')}`
    const v = `v${i}-${'x'.repeat(i % 60)}`
    await s.put(k, v)
    model.set(k, v)
  }
  const levels = s.stats().shards[0].levels
  t.true(levels.some((l) => l.level >= 2), `levels: ${JSON.stringify(levels)}`)
  t.true(levels.filter((l) => l.level === 0).every((l) => l.tables < 3 + 1), 'level 0 stays under its trigger')
  await s.close()
  // Reopening validates the level structure (levels ≥ 1 must not overlap).
  const r = await open(dir, {readOnly: true})
  for (const [k, v] of model) if (r.getSync(k)?.value.toString() !== v) t.fail(`key ${k}`)
  const keys = [...model.keys()].sort()
  t.deepEqual([...r.scanSync()].map((kv) => kv.key.toString()), keys)
  t.deepEqual([...r.scanSync({reverse: true, from: 'k01000', to: 'k01100'})].map((kv) => kv.key.toString()), keys.filter((k) => k >= 'k01000' && k < 'k01100').reverse())
  await r.close()
})

test('a tombstone compacted above an older version keeps hiding it until the last level', async (t) => {
  const dir = await newStore()
  let now = 1_000
  const s = await open(dir, {...small, now: () => now})
  for (let i = 0; i < 3000; i++) await s.put(`k${String(i).padStart(4, '0')}`, 'old'.repeat(20))
  await s.compact()
  t.deepEqual(s.stats().shards[0].levels.map((l) => l.level), [2], 'everything sits in level 2')
  await s.delete('k0042')
  await s.put('k0043', 'ttl', {ttlMs: 10})
  now += 100
  // Enough newer writes to push the tombstone from level 0 into level 1 (not more: level 1 stays under its budget).
  for (let i = 0; i < 600; i++) await s.put(`n${i}`, 'fresh'.repeat(10))
  const explained = s.explain('k0042')
  t.is(explained.state, 'deleted')
  t.true(explained.versions.length >= 2, 'the tombstone and the old version are both still stored')
  t.true(explained.versions[0].source === 'sstable' && explained.versions[1].source === 'sstable', 'both were compacted into tables')
  t.true((explained.versions[0].level ?? 0) < (explained.versions[1].level ?? 0), 'the tombstone sits above the old version')
  t.is(s.getSync('k0042'), undefined)
  t.is(s.getSync('k0043'), undefined)
  t.is(s.getSync('k0044')?.value.toString(), 'old'.repeat(20))
  await s.compact()
  t.is(s.getSync('k0042'), undefined)
  t.is(s.getSync('k0043'), undefined)
  t.is(s.stats().totals.tombstones, 0, 'a full compaction leaves no tombstone')
  t.is([...s.scanSync({prefix: 'k'})].length, 2998)
  await s.close()
})

test('compact by range rewrites only the tables that range needs', async (t) => {
  const dir = await newStore()
  const s = await open(dir, small)
  for (let i = 0; i < 4000; i++) await s.put(`k${String(i).padStart(4, '0')}`, 'v'.repeat(40))
  await s.compact()
  const before = s.stats().shards[0].tables
  t.true(before > 2)
  for (let i = 100; i < 200; i++) await s.delete(`k${String(i).padStart(4, '0')}`)
  const r = await s.compact({from: 'k0100', to: 'k0200'})
  const sh = r.shards[0]
  t.true(sh.inputTables < before + 1, `range compaction read ${sh.inputTables} of ${before + 1} tables`)
  t.is(s.stats().totals.tombstones, 0)
  t.is([...s.scanSync()].length, 3900)
  await s.close()
})

test('a reader opens only the tables its reads need, and keeps reading them after a compaction deletes them', async (t) => {
  const dir = await newStore()
  const w = await open(dir, small)
  const model = new Map<string, string>()
  for (let i = 0; i < 6000; i++) {
    const k = `k${String((i * 7919) % 3000).padStart(5, '0')}`
    model.set(k, `v${i}`)
    await w.put(k, `v${i}`)
  }
  await w.flush()
  const shardDir = path.join(dir, 'shard-0000')
  const tablesOf = (): string[] => fs.readdirSync(shardDir).filter((n) => n.endsWith('.sst'))
  const before = tablesOf()
  t.true(before.length >= 2, `tables: ${before}`)
  // The reader's view is fixed before the compaction; it reads every key after it.
  const r = await open(dir, {readOnly: true})
  t.is(r.getSync('k00007')?.value.toString(), model.get('k00007'))
  await w.compact()
  const after = tablesOf()
  t.deepEqual(after.filter((n) => before.includes(n)), [], 'the compaction deleted every table the reader had')
  for (const [k, v] of model) if (r.getSync(k)?.value.toString() !== v) t.fail(`key ${k} after the compaction`)
  t.is([...r.scanSync()].length, model.size)
  await r.close()
  await w.close()
})
