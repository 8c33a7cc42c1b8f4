import test from 'ava'
import * as path from 'node:path'
import {createStore, open, verifyStore} from '../../src/index.js'
import {DEFAULT_POLICY, MAX_FLUSH_LEVEL, flushLevel} from '../../src/store/compaction.js'
import {LevelSet, type LiveTable} from '../../src/store/levels.js'
import type {TableReader} from '../../src/sstable/reader.js'
import {tempDir} from '../helpers/temp.js'

const small = {sync: 'none', walFlushBytes: 8 * 1024, compactionTrigger: 3, levelBaseBytes: 256 * 1024} as const
const key = (i: number): string => `k${String(i).padStart(6, '0')}`

function table(fileNumber: number, level: number, lo: string, hi: string, fileSize = 1000): LiveTable {
  return {
    meta: {fileNumber, fileSize, level, entries: 1, minSeq: fileNumber, maxSeq: fileNumber, smallestKey: Buffer.from(lo), largestKey: Buffer.from(hi)},
    // flushLevel only reads the metadata.
    reader: undefined as unknown as TableReader,
  }
}

const levelOf = (tables: LiveTable[], lo: string, hi: string): number =>
  flushLevel(new LevelSet(tables, 'test'), DEFAULT_POLICY, Buffer.from(lo), Buffer.from(hi))

test('a flush overlapping nothing goes to the deepest flush level', (t) => {
  t.is(levelOf([table(1, 0, 'a', 'b')], 'c', 'd'), MAX_FLUSH_LEVEL)
  t.is(levelOf([table(1, 2, 'a', 'b'), table(2, 1, 'c', 'd')], 'e', 'f'), MAX_FLUSH_LEVEL)
})

test('the first flush of a shard with no tables goes to level 0', (t) => {
  t.is(levelOf([], 'a', 'b'), 0)
})

test('a flush overlapping a level-0 table stays in level 0', (t) => {
  t.is(levelOf([table(1, 0, 'c', 'e')], 'a', 'c'), 0)
  t.is(levelOf([table(1, 0, 'c', 'e')], 'd', 'd'), 0)
})

test('a flush stops above the first level that overlaps its keys', (t) => {
  t.is(levelOf([table(1, 1, 'b', 'c')], 'a', 'z'), 0)
  t.is(levelOf([table(1, 2, 'b', 'c')], 'a', 'z'), 1)
  t.is(levelOf([table(1, 2, 'b', 'c')], 'd', 'z'), 2)
})

test('a flush stops where the level below holds many target files of its range', (t) => {
  const big = DEFAULT_POLICY.targetFileBytes * 6
  // Level 2 holds 12 target files in [a, z]: stay in level 0 rather than let an L1 compaction rewrite them.
  t.is(levelOf([table(1, 2, 'b', 'c', big), table(2, 2, 'd', 'e', big)], 'a', 'z'), 0)
  // Level 3 holds them: level 1, not 2.
  t.is(levelOf([table(1, 3, 'b', 'c', big), table(2, 3, 'd', 'e', big)], 'a', 'z'), 1)
  // Little below: no limit.
  t.is(levelOf([table(1, 3, 'b', 'c')], 'a', 'z'), 2)
})

test('a load in key order is written once: its flushes skip level 0 and no compaction rewrites them', async (t) => {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards: 1, compression: 'none'})
  const s = await open(dir, small)
  for (let i = 0; i < 4000; i += 50) {
    await s.batch(Array.from({length: 50}, (_, j) => ({type: 'put' as const, key: key(i + j), value: `v${i + j}-${'x'.repeat(40)}`})))
  }
  await s.flush()
  const st = s.stats().shards[0]
  // The first flush starts level 0; every later one lies above its keys and overlaps nothing.
  t.deepEqual(st.levels.map((l) => [l.level, l.tables]), [[0, 1], [MAX_FLUSH_LEVEL, st.tables - 1]], JSON.stringify(st.levels))
  t.true(st.tables > 3, 'several flushes')
  // An overwrite inside the loaded range must sit above the older version.
  await s.put(key(1234), 'new')
  await s.flush()
  t.is(s.getSync(key(1234))?.value.toString(), 'new')
  const explained = s.explain(key(1234))
  t.deepEqual(explained.versions.map((v) => v.level), [MAX_FLUSH_LEVEL - 1, MAX_FLUSH_LEVEL])
  await s.close()

  t.deepEqual(verifyStore(dir).findings, [])
  const r = await open(dir, {readOnly: true})
  const keys = [...r.scanSync()].map((kv) => kv.key.toString())
  t.is(keys.length, 4000)
  t.deepEqual(keys, [...keys].sort())
  t.is(r.getSync(key(3999))?.value.toString(), `v3999-${'x'.repeat(40)}`)
  await r.close()
})
