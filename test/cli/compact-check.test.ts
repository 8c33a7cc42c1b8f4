/**
 * `compact` does the work it reports: every table it covers is read and
 * rewritten, so a corrupt block fails it with exit 3 (CORRUPTION), and a
 * full compaction that fails that way leaves the directory as it was.
 */
import test from 'ava'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseSstable} from '../../src/kaitai/index.js'
import {assertError, newStore, strata, treeHash} from './helpers.js'

interface ShardReport {shard: number; inputTables: number; outputTables: number; memtableEntries: number; entriesIn: number; entriesOut: number}

const tablesOf = (shard: string): string[] => readdirSync(shard).filter((n) => n.endsWith('.sst')).sort()

/** One shard compacted into a single table in the deepest level. */
async function compacted(t: Parameters<typeof newStore>[0]): Promise<{dir: string; shard: string}> {
  const dir = await newStore(t, 1)
  const input = Array.from({length: 300}, (_, i) => JSON.stringify({key: `key${String(i).padStart(4, '0')}`, value: `value ${i} `.repeat(20)})).join('\n')
  t.is((await strata(['put', '--batch', '-', '--dir', dir], {input})).code, 0)
  t.is((await strata(['compact', '--dir', dir])).code, 0)
  const shard = join(dir, 'shard-0000')
  t.is(tablesOf(shard).length, 1)
  return {dir, shard}
}

/** Flips a byte in the middle of the table's first data block. */
function damageFirstBlock(file: string): void {
  const b = readFileSync(file)
  const h = parseSstable(b, file, {dataBlocks: 'skip'}).index.entries[0].handle
  b[h.offset + Math.floor(h.size / 2)] ^= 0x10
  writeFileSync(file, b)
}

test('compacting a table already alone in the deepest level rewrites it', async (t) => {
  const {dir, shard} = await compacted(t)
  const before = tablesOf(shard)
  const r = await strata(['compact', '--dir', dir, '--format', 'json'])
  t.is(r.code, 0, r.stderr)
  const s = (JSON.parse(r.stdout) as {shards: ShardReport[]}).shards[0]
  t.like(s, {inputTables: 1, outputTables: 1, memtableEntries: 0, entriesIn: 300, entriesOut: 300})
  const after = tablesOf(shard)
  t.is(after.length, 1)
  t.not(after[0], before[0], 'a new table replaced the old one')
})

test('a corrupt block in a table alone in the deepest level fails compact with exit 3 and changes nothing', async (t) => {
  const {dir, shard} = await compacted(t)
  const table = join(shard, tablesOf(shard)[0])
  damageFirstBlock(table)
  const before = treeHash(dir)
  const r = await strata(['compact', '--dir', dir])
  assertError(t, r, 'CORRUPTION', 3)
  t.true(r.stderr.includes(table), r.stderr)
  t.deepEqual(treeHash(dir), before)
})

test('a corrupt block fails a full compaction of tables and memtable with exit 3 and changes nothing', async (t) => {
  const {dir, shard} = await compacted(t)
  damageFirstBlock(join(shard, tablesOf(shard)[0]))
  t.is((await strata(['put', 'key9999', 'newest', '--dir', dir])).code, 0)
  t.is((await strata(['put', 'key0299', 'overwritten', '--dir', dir])).code, 0)
  const before = treeHash(dir)
  assertError(t, await strata(['compact', '--dir', dir]), 'CORRUPTION', 3)
  t.deepEqual(treeHash(dir), before)
  // A range compaction over the damaged table fails the same way.
  assertError(t, await strata(['compact', '--dir', dir, '--from', 'key0000', '--to', 'key0100']), 'CORRUPTION', 3)
})
