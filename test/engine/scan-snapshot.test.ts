import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, open, StrataError, type Store} from '../../src/index.js'
import {tempDir} from '../helpers/temp.js'

const key = (i: number): string => `key${String(i).padStart(8, '0')}`
const OLD = Buffer.alloc(1024, 'v')
const NEW = Buffer.alloc(1024, 'w')

async function newStore(shards: number): Promise<string> {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards})
  return dir
}

/** Puts keys [from, to) with `value`, in batches of 500. */
async function load(s: Store, from: number, to: number, value: Buffer): Promise<void> {
  for (let i = from; i < to; i += 500) {
    const ops = []
    for (let j = i; j < Math.min(i + 500, to); j++) ops.push({type: 'put' as const, key: key(j), value})
    await s.batch(ops)
  }
}

function tableFiles(dir: string): string[] {
  return fs.readdirSync(dir).flatMap((d) => (d.startsWith('shard-') ? fs.readdirSync(path.join(dir, d)).filter((n) => n.endsWith('.sst')).map((n) => `${d}/${n}`) : []))
}

/**
 * The scan of `n` keys starts, reads 10, then 3n puts (overwriting its keys
 * with new values and adding 2n keys) flush and compact away every table it
 * started with; it must still return exactly its snapshot.
 */
/** A one-shard store holding 2,000 keys in flushed tables (no compaction on its own), and those tables. */
async function flushedStore(): Promise<{dir: string; s: Store; before: string[]}> {
  const dir = await newStore(1)
  const s = await open(dir, {sync: 'none', walFlushBytes: 64 * 1024, compactionTrigger: 100})
  await load(s, 0, 2000, OLD)
  await s.flush()
  return {dir, s, before: tableFiles(dir)}
}

async function scanSurvivesCompaction(t: import('ava').ExecutionContext, shards: number, n: number): Promise<void> {
  const dir = await newStore(shards)
  const s = await open(dir)
  await load(s, 0, n, OLD)
  const before = new Set(tableFiles(dir))
  const it = s.scan()
  const seen: string[] = []
  for (let i = 0; i < 10; i++) {
    const r = await it.next()
    t.false(r.done)
    seen.push(r.value.key.toString())
  }
  await load(s, 0, 3 * n, NEW)
  // The tables the scan started with left the live set while it was open.
  const live = new Set(tableFiles(dir))
  t.true([...before].some((f) => live.has(f)), 'dropped tables the scan holds stay on disk')
  let wrong = 0
  for (;;) {
    const r = await it.next()
    if (r.done) break
    seen.push(r.value.key.toString())
    if (!r.value.value.equals(OLD)) wrong++
  }
  t.is(seen.length, n)
  t.is(wrong, 0)
  t.deepEqual(seen, Array.from({length: n}, (_, i) => key(i)))
  // Released at its end: the tables it alone held are deleted, so disk holds exactly the live set.
  t.is(tableFiles(dir).length, s.stats().totals.tables)
  await s.close()
  const reopened = await open(dir, {readOnly: true})
  t.is([...reopened.scanSync()].length, 3 * n)
  await reopened.close()
}

test('an open scan returns its snapshot while compactions drop its tables (1 shard, 12,000 keys)', async (t) => {
  await scanSurvivesCompaction(t, 1, 12_000)
})

test('an open scan returns its snapshot while compactions drop its tables (4 shards, 48,000 keys)', async (t) => {
  await scanSurvivesCompaction(t, 4, 48_000)
})

test('a sync scan keeps its snapshot across flushes, compactions, overwrites and deletes', async (t) => {
  const dir = await newStore(2)
  const s = await open(dir, {sync: 'none', walFlushBytes: 64 * 1024, compactionTrigger: 2})
  await load(s, 0, 3000, OLD)
  const it = s.scanSync()
  const first = it.next()
  t.is(first.value?.key.toString(), key(0))
  // Overwrites and deletes, both in the memtable the scan viewed and in later tables.
  await s.delete(key(1))
  await s.put(key(2), 'changed')
  await load(s, 3000, 9000, NEW)
  await s.flush()
  await s.compact()
  await s.delete(key(2999))
  const rest = [...it]
  t.is(rest.length, 2999)
  t.true(rest.every((kv) => kv.value.equals(OLD)))
  t.is(rest[0].key.toString(), key(1))
  t.is(rest.at(-1)!.key.toString(), key(2999))
  t.is(s.getSync(key(1)), undefined)
  t.is(s.getSync(key(2))?.value.toString(), 'changed')
  await s.close()
})

test('a scan that ends early (break) releases its tables, and compaction then deletes them', async (t) => {
  const {dir, s, before} = await flushedStore()
  t.true(before.length > 0)
  let n = 0
  for await (const kv of s.scan()) {
    t.truthy(kv)
    if (++n === 5) {
      await s.compact()
      t.true(before.every((f) => tableFiles(dir).includes(f)), 'held while the scan is open')
      break
    }
  }
  t.is(n, 5)
  const now = tableFiles(dir)
  t.false(before.some((f) => now.includes(f)), 'deleted once the scan let go')
  await s.close()
})

test('closing the store ends an open scan with CLOSED and deletes the tables it held', async (t) => {
  const {dir, s, before} = await flushedStore()
  const asyncScan = s.scan()
  t.false((await asyncScan.next()).done)
  const syncScan = s.scanSync()
  t.false(syncScan.next().done)
  await s.compact()
  t.true(before.every((f) => tableFiles(dir).includes(f)))
  await s.close()
  const now = tableFiles(dir)
  t.false(before.some((f) => now.includes(f)), 'released and deleted at close')
  const e1 = await t.throwsAsync(asyncScan.next())
  t.true(e1 instanceof StrataError)
  t.is((e1 as StrataError).code, 'CLOSED')
  const e2 = t.throws(() => syncScan.next())
  t.is((e2 as StrataError).code, 'CLOSED')
  // A scan made before close but never started fails the same way.
  const r = await open(dir, {readOnly: true})
  const never = r.scanSync()
  await r.close()
  t.is((t.throws(() => never.next()) as StrataError).code, 'CLOSED')
})
