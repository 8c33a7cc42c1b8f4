import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {randomBytes} from 'node:crypto'
import {createStore, open, StrataError} from '../../src/index.js'
import {tempDir, snapshotTree} from '../helpers/temp.js'
import {crc32} from '../../src/util/crc.js'

async function newStore(shards = 4, compression: 'zlib' | 'none' = 'zlib'): Promise<string> {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards, compression})
  return dir
}

test('put, get, overwrite and delete persist across reopen', async (t) => {
  const dir = await newStore()
  let s = await open(dir)
  await s.put('a', '1')
  await s.put('b', '2')
  await s.put('a', '3')
  await s.delete('b')
  t.is((await s.get('a'))?.value.toString(), '3')
  t.is(await s.get('b'), undefined)
  await s.close()
  s = await open(dir, {readOnly: true})
  t.is((await s.get('a'))?.value.toString(), '3')
  t.is(await s.get('b'), undefined)
  t.is(await s.get('never'), undefined)
  await s.close()
})

test('flush writes tables and the data survives reopen; reads never modify the directory', async (t) => {
  const dir = await newStore(2)
  const s = await open(dir, {sync: 'none', walFlushBytes: 16 * 1024, compactionTrigger: 100})
  for (let i = 0; i < 3000; i++) await s.put(`k${i}`, `v${i}`)
  await s.flush()
  const stats = s.stats()
  t.true(stats.totals.tables >= 2)
  t.is(stats.totals.memtableEntries, 0)
  await s.close()
  const before = snapshotTree(dir)
  const r = await open(dir, {readOnly: true})
  for (let i = 0; i < 3000; i += 7) t.is(r.getSync(`k${i}`)?.value.toString(), `v${i}`)
  t.is([...r.scanSync()].length, 3000)
  r.stats()
  await r.close()
  t.deepEqual(snapshotTree(dir), before)
})

test('200k binary keys over 8 shards read back byte-exact by get and scan', async (t) => {
  const dir = await newStore(8)
  const model = new Map<string, Buffer>()
  const s = await open(dir, {sync: 'none'})
  let batch = []
  for (let i = 0; i < 200_000; i++) {
    const key = Buffer.concat([Buffer.from([i % 256]), randomBytes(7)])
    const value = randomBytes(i % 50)
    model.set(key.toString('hex'), value)
    batch.push({type: 'put' as const, key, value})
    if (batch.length === 1000) {
      await s.batch(batch)
      batch = []
    }
  }
  await s.close()
  const r = await open(dir, {readOnly: true})
  let checked = 0
  for (const [k, v] of model) {
    if (checked++ % 10 !== 0) continue
    const got = r.getSync(Buffer.from(k, 'hex'))
    if (!got || !got.value.equals(v)) t.fail(`key ${k}`)
  }
  const sortedKeys = [...model.keys()].sort()
  let i = 0
  for (const kv of r.scanSync()) {
    if (kv.key.toString('hex') !== sortedKeys[i] || !kv.value.equals(model.get(sortedKeys[i])!)) {
      t.fail(`scan position ${i}`)
      break
    }
    i++
  }
  t.is(i, model.size)
  await r.close()
})

test('scan honours from/to/prefix/limit/reverse across shards', async (t) => {
  const dir = await newStore(5)
  const s = await open(dir, {sync: 'none', walFlushBytes: 4096})
  const keys: string[] = []
  for (let i = 0; i < 500; i++) {
    const k = `${['apple', 'apricot', 'banana', 'cherry'][i % 4]}:${String(i).padStart(4, '0')}`
    keys.push(k)
    await s.put(k, k.toUpperCase())
  }
  keys.sort()
  const scan = (o: object) => [...s.scanSync(o)].map((kv) => kv.key.toString())
  t.deepEqual(scan({}), keys)
  t.deepEqual(scan({reverse: true}), keys.slice().reverse())
  t.deepEqual(scan({prefix: 'ap'}), keys.filter((k) => k.startsWith('ap')))
  t.deepEqual(scan({from: 'apricot:0100', to: 'banana:0200'}), keys.filter((k) => k >= 'apricot:0100' && k < 'banana:0200'))
  t.deepEqual(scan({from: 'b', limit: 7}), keys.filter((k) => k >= 'b').slice(0, 7))
  t.deepEqual(scan({prefix: 'cherry', reverse: true, limit: 3}), keys.filter((k) => k.startsWith('cherry')).reverse().slice(0, 3))
  t.deepEqual(scan({from: 'z'}), [])
  // An empty range (from not below to) is a mistake, refused like compact's.
  t.is(t.throws(() => scan({from: 'b', to: 'a'}), {instanceOf: StrataError})?.code, 'INVALID_ARGUMENT')
  const values = [...s.scanSync({prefix: 'banana', limit: 2})].map((kv) => kv.value.toString())
  t.deepEqual(values, keys.filter((k) => k.startsWith('banana')).slice(0, 2).map((k) => k.toUpperCase()))
  await s.close()
})

test('TTL: a key is visible until its expiry, then invisible to get and scan', async (t) => {
  const dir = await newStore(2)
  let now = 1_000_000
  const s = await open(dir, {now: () => now})
  await s.put('short', 'x', {ttlMs: 1000})
  await s.put('forever', 'y')
  t.is((await s.get('short'))?.expiresAt, 1_001_000)
  now += 999
  t.truthy(await s.get('short'))
  now += 1
  t.is(await s.get('short'), undefined)
  t.deepEqual([...s.scanSync()].map((kv) => kv.key.toString()), ['forever'])
  await s.close()
})

test('compaction keeps exactly the live data and drops dead records', async (t) => {
  const dir = await newStore(3)
  let now = 5_000
  const s = await open(dir, {sync: 'none', walFlushBytes: 8 * 1024, compactionTrigger: 1000, now: () => now})
  const model = new Map<string, string>()
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 600; i++) {
      const k = `k${(i * 7 + round) % 900}`
      if (i % 9 === 0) {
        await s.delete(k)
        model.delete(k)
      } else if (i % 13 === 0) {
        await s.put(k, 'ttl', {ttlMs: 10})
        model.delete(k)
      } else {
        await s.put(k, `r${round}-${i}`)
        model.set(k, `r${round}-${i}`)
      }
    }
  }
  now += 100
  const before = s.stats().totals
  const report = await s.compact()
  t.false(report.dryRun)
  const after = s.stats()
  t.true(after.totals.tables <= 3)
  t.is(after.totals.tombstones, 0)
  t.is(after.totals.tableEntries, model.size)
  t.true(before.tables > after.totals.tables)
  const sortedModel = [...model].sort((a, b) => (a[0] < b[0] ? -1 : 1))
  t.deepEqual([...s.scanSync()].map((kv) => [kv.key.toString(), kv.value.toString()]), sortedModel)
  await s.close()
  const r = await open(dir, {readOnly: true, now: () => now})
  t.deepEqual([...r.scanSync()].map((kv) => [kv.key.toString(), kv.value.toString()]), sortedModel)
  await r.close()
})

test('compact --dry-run changes nothing and predicts the output', async (t) => {
  const dir = await newStore(2)
  const s = await open(dir, {sync: 'none'})
  for (let i = 0; i < 100; i++) await s.put(`k${i % 40}`, `v${i}`)
  await s.delete('k1')
  await s.close()
  const before = snapshotTree(dir)
  const w = await open(dir)
  const report = await w.compact({dryRun: true})
  t.true(report.dryRun)
  t.is(report.shards.reduce((a, x) => a + x.entriesOut, 0), 39)
  await w.close()
  const after = snapshotTree(dir)
  delete before['LOCK']
  delete after['LOCK']
  t.deepEqual(after, before)
})

test('binary keys and values round-trip, including 0x00 and 0xff bytes and empty values', async (t) => {
  const dir = await newStore(4, 'none')
  const s = await open(dir)
  const pairs = [
    [Buffer.from([0]), Buffer.alloc(0)],
    [Buffer.from([0xff, 0xff]), Buffer.from([0, 1, 2])],
    [Buffer.from([0x0a, 0x0d, 0x09]), randomBytes(3000)],
    [randomBytes(65536), randomBytes(10)],
  ]
  for (const [k, v] of pairs) await s.put(k, v)
  await s.flush()
  for (const [k, v] of pairs) t.deepEqual((await s.get(k))?.value, v)
  await s.close()
})

test('invalid keys and values are rejected before anything is written', async (t) => {
  const dir = await newStore(2)
  const s = await open(dir)
  const before = snapshotTree(dir)
  for (const [k, v] of [['', 'x'], [Buffer.alloc(65537), 'x'], ['k', Buffer.alloc(64 * 1024 * 1024 + 1)]] as const) {
    const err = await t.throwsAsync(s.put(k, v), {instanceOf: StrataError})
    t.is(err?.code, 'INVALID_ARGUMENT')
  }
  await t.throwsAsync(s.batch([{type: 'put', key: 'ok', value: '1'}, {type: 'put', key: '', value: '2'}]), {instanceOf: StrataError})
  t.is(await s.get('ok'), undefined, 'a batch with a bad op applies nothing')
  await t.throwsAsync(s.put('k', 'v', {ttlMs: -5}), {instanceOf: StrataError})
  t.deepEqual(snapshotTree(dir), before)
  await s.close()
})

test('a second writer is BUSY; it gets the lock once the first closes', async (t) => {
  const dir = await newStore(1)
  const a = await open(dir)
  const err = await t.throwsAsync(open(dir, {lockTimeoutMs: 50}), {instanceOf: StrataError})
  t.is(err?.code, 'BUSY')
  const waiting = open(dir, {lockTimeoutMs: 5000})
  setTimeout(() => void a.close(), 100)
  const b = await waiting
  await b.put('k', 'v')
  await b.close()
  const r = await open(dir, {readOnly: true})
  t.is(r.getSync('k')?.value.toString(), 'v')
  await r.close()
})

test('readers do not need the lock while a writer is open', async (t) => {
  const dir = await newStore(2)
  const w = await open(dir)
  await w.put('k', 'v1')
  const r = await open(dir, {readOnly: true})
  t.is(r.getSync('k')?.value.toString(), 'v1')
  await r.close()
  await w.close()
})

/** A closed one-shard store whose WAL holds two records, put a=1 then b=2; returns the store and the WAL's path. */
async function twoRecordWal(): Promise<{dir: string; wal: string}> {
  const dir = await newStore(1)
  const s = await open(dir)
  await s.put('a', '1')
  await s.put('b', '2')
  await s.close()
  return {dir, wal: path.join(dir, 'shard-0000', '000001.wal')}
}

test('a torn WAL tail is ignored by readers and cut by the next writer', async (t) => {
  const {dir, wal} = await twoRecordWal()
  const size = fs.statSync(wal).size
  fs.truncateSync(wal, size - 3)
  const r = await open(dir, {readOnly: true})
  t.is(r.getSync('a')?.value.toString(), '1')
  t.is(r.getSync('b'), undefined)
  await r.close()
  t.is(fs.statSync(wal).size, size - 3, 'a reader does not repair')
  const w = await open(dir)
  await w.put('c', '3')
  await w.close()
  const r2 = await open(dir, {readOnly: true})
  t.deepEqual([...r2.scanSync()].map((kv) => kv.key.toString()), ['a', 'c'])
  await r2.close()
})

test('corruption in the middle of a WAL is reported with file and offset', async (t) => {
  const {dir, wal} = await twoRecordWal()
  const buf = fs.readFileSync(wal)
  buf[20 + 12] ^= 0xff
  fs.writeFileSync(wal, buf)
  const err = await t.throwsAsync(async () => (await open(dir, {readOnly: true})).getSync('a'), {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.is(err?.file, wal)
  t.is(err?.offset, 20)
  const err2 = await t.throwsAsync(async () => (await open(dir)).put('x', 'y'), {instanceOf: StrataError})
  t.is(err2?.code, 'CORRUPTION')
})

test('opening a non-store, a future-version store and a truncated STORE fails clearly', async (t) => {
  const plain = tempDir()
  t.is((await t.throwsAsync(open(plain), {instanceOf: StrataError}))?.code, 'NOT_A_STORE')
  t.is((await t.throwsAsync(open(path.join(plain, 'missing')), {instanceOf: StrataError}))?.code, 'NOT_A_STORE')
  const dir = await newStore(1)
  const store = path.join(dir, 'STORE')
  const orig = fs.readFileSync(store)
  const future = Buffer.from(orig)
  future.writeUInt32LE(99, 8)
  future.writeUInt32LE(crc32(future.subarray(0, future.length - 4)), future.length - 4)
  fs.writeFileSync(store, future)
  t.is((await t.throwsAsync(open(dir), {instanceOf: StrataError}))?.code, 'UNSUPPORTED')
  fs.writeFileSync(store, orig.subarray(0, 20))
  t.is((await t.throwsAsync(open(dir), {instanceOf: StrataError}))?.code, 'CORRUPTION')
})

test('init refuses an existing store and a non-empty directory', async (t) => {
  const dir = await newStore(1)
  t.is((await t.throwsAsync(createStore(dir), {instanceOf: StrataError}))?.code, 'ALREADY_EXISTS')
  const other = tempDir()
  fs.writeFileSync(path.join(other, 'notes.txt'), 'hi')
  t.is((await t.throwsAsync(createStore(other), {instanceOf: StrataError}))?.code, 'INVALID_ARGUMENT')
  t.is((await t.throwsAsync(createStore(path.join(other, 'x'), {shards: 0}), {instanceOf: StrataError}))?.code, 'INVALID_ARGUMENT')
  t.is((await t.throwsAsync(createStore(path.join(other, 'x'), {shards: 1025}), {instanceOf: StrataError}))?.code, 'INVALID_ARGUMENT')
})

for (const sync of ['always', 'batch', 'none', {everyOps: 3}, {everyMs: 5}] as const) {
  test(`sync mode ${JSON.stringify(sync)} stores every write`, async (t) => {
    const dir = await newStore(2)
    const s = await open(dir, {sync})
    await Promise.all(Array.from({length: 50}, (_, i) => s.put(`k${i}`, `v${i}`)))
    await s.close()
    const r = await open(dir, {readOnly: true})
    t.is([...r.scanSync()].length, 50)
    await r.close()
  })
}

test('a closed store refuses operations with CLOSED', async (t) => {
  const dir = await newStore(1)
  const s = await open(dir)
  await s.close()
  await s.close()
  t.is((await t.throwsAsync(s.put('a', 'b'), {instanceOf: StrataError}))?.code, 'CLOSED')
})

test('a read-only store refuses writes', async (t) => {
  const dir = await newStore(1)
  const s = await open(dir, {readOnly: true})
  t.is((await t.throwsAsync(s.put('a', 'b'), {instanceOf: StrataError}))?.code, 'INVALID_ARGUMENT')
  await s.close()
})

test('async scan keeps order under overlapping next() calls, yields to timers, rejects bad options and closes on break', async (t) => {
  const dir = await newStore(2)
  const s = await open(dir, {sync: 'none'})
  t.teardown(() => s.close())
  const n = 5000
  await s.batch(Array.from({length: n}, (_, i) => ({type: 'put' as const, key: `k${String(i).padStart(5, '0')}`, value: `v${i}`})))
  // Many next() calls in flight at once (not what for-await does, but allowed):
  // answers come back in key order, across the event-loop turns the scan takes.
  const it = s.scan()
  const results = await Promise.all(Array.from({length: n + 2}, () => it.next()))
  t.deepEqual(results.slice(0, n).map((r) => r.value?.key.toString()), Array.from({length: n}, (_, i) => `k${String(i).padStart(5, '0')}`))
  t.true(results.slice(n).every((r) => r.done === true))
  // A timer set before a long scan fires before the scan ends.
  let fired = false
  setImmediate(() => (fired = true))
  let seenBeforeFire = 0
  for await (const _ of s.scan()) if (!fired) seenBeforeFire++
  t.true(fired)
  t.true(seenBeforeFire < n, `the timer waited for all ${seenBeforeFire} entries`)
  // Bad options reject the first next(), like an async generator would.
  const bad = s.scan({limit: -1})
  await t.throwsAsync(() => bad.next(), {instanceOf: StrataError, message: /limit/})
  // break ends the iteration; a new scan still works.
  let seen = 0
  for await (const _ of s.scan()) if (++seen === 10) break
  t.is(seen, 10)
  let total = 0
  for await (const _ of s.scan({prefix: 'k0001'})) total++
  t.is(total, 10)
})
