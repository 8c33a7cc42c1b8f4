import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, open, StrataError} from '../../src/index.js'
import {OpenFiles, type FileHolder} from '../../src/vfs/open-files.js'
import {tempDir} from '../helpers/temp.js'

const openFds = (): number => fs.readdirSync('/proc/self/fd').length
const key = (i: number): string => `key${String(i).padStart(6, '0')}`

/** A store of one shard with `tables` level-0 tables of overlapping keys. */
async function manyTables(tables: number): Promise<string> {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards: 1})
  const s = await open(dir, {sync: 'none', compactionTrigger: 1000})
  for (let n = 0; n < tables; n++) {
    await s.batch(Array.from({length: 200}, (_, i) => ({type: 'put' as const, key: key(i * tables + n), value: `v${n}`})))
    await s.flush()
  }
  const stats = s.stats()
  await s.close()
  if (stats.totals.tables !== tables) throw new Error(`made ${stats.totals.tables} tables`)
  return dir
}

// Serial: it counts the process's descriptors, which other tests of this file would change.
test.serial('a scan over more tables than maxOpenFiles holds at most that many descriptors', async (t) => {
  const dir = await manyTables(40)
  for (const readOnly of [true, false]) {
    const before = openFds()
    const s = await open(dir, {readOnly, maxOpenFiles: 8})
    let most = 0
    let n = 0
    for (const kv of s.scanSync()) {
      t.truthy(kv.key)
      if (++n % 50 === 0) most = Math.max(most, openFds() - before)
    }
    t.is(n, 40 * 200)
    // 8 tables, plus the writer's WAL and lock descriptors.
    t.true(most <= 8 + 3, `${most} descriptors held (readOnly ${readOnly})`)
    await s.close()
  }
})

test('a table whose descriptor was parked and which a compaction dropped stays readable by a scan holding it', async (t) => {
  const dir = await manyTables(20)
  const s = await open(dir, {sync: 'none', maxOpenFiles: 8})
  const it = s.scanSync()
  const first = [it.next(), it.next(), it.next()]
  t.true(first.every((r) => !r.done))
  await s.compact()
  t.is(s.stats().totals.tables, 1)
  let rest = 0
  for (const kv of it) {
    t.truthy(kv)
    rest++
  }
  t.is(rest + 3, 20 * 200)
  await s.close()
})

test('OpenFiles parks the least recently used holder that agrees', (t) => {
  const parked: string[] = []
  const holder = (name: string, agree = true): FileHolder => ({
    park: () => {
      if (agree) parked.push(name)
      return agree
    },
  })
  const files = new OpenFiles(2)
  const a = holder('a', false)
  const b = holder('b')
  const c = holder('c')
  files.open(a, () => 1)
  files.open(b, () => 2)
  files.touch(a)
  files.open(c, () => 3)
  t.deepEqual(parked, ['b'])
  t.is(files.count, 2)
  files.closed(c)
  t.is(files.count, 1)
})

test('OpenFiles meets EMFILE by parking a holder and lowering its budget', (t) => {
  const parked: string[] = []
  const holder = (name: string): FileHolder => ({park: () => parked.push(name) > 0})
  const files = new OpenFiles(100)
  for (let i = 0; i < 12; i++) files.open(holder(`h${i}`), () => i)
  let failures = 1
  const fd = files.open(holder('new'), () => {
    if (failures-- > 0) throw Object.assign(new Error('too many'), {code: 'EMFILE'})
    return 99
  })
  t.is(fd, 99)
  t.deepEqual(parked, ['h0'])
  t.is(files.budget, 11)
  t.is(files.count, 12)
  const e = t.throws(() => files.open(holder('e'), () => {
    throw Object.assign(new Error('no such file'), {code: 'ENOENT'})
  }))
  t.is((e as NodeJS.ErrnoException).code, 'ENOENT')
})

test('OpenFiles leaves room below the process limit', (t) => {
  t.is(new OpenFiles(500, 1024).budget, 500)
  t.is(new OpenFiles(500, 256).budget, 128)
  t.is(new OpenFiles(500, 10).budget, 8)
})

test('OpenFiles reads a process limit given as a function only once 8 descriptors are held', (t) => {
  let reads = 0
  const files = new OpenFiles(500, () => {
    reads++
    return 48
  })
  const parked: number[] = []
  const holder = (i: number): FileHolder => ({park: () => parked.push(i) > 0})
  for (let i = 0; i < 8; i++) files.open(holder(i), () => i)
  t.is(reads, 0, 'below 8 held descriptors the budget cannot bind')
  for (let i = 8; i < 30; i++) files.open(holder(i), () => i)
  t.is(reads, 1)
  // A limit of 48 leaves a budget of 24: the oldest six holders were parked to stay within it.
  t.is(files.budget, 24)
  t.is(files.count, 24)
  t.deepEqual(parked, [0, 1, 2, 3, 4, 5])
  t.is(reads, 1)
})

test('maxOpenFiles must be an integer of at least 8', async (t) => {
  const dir = path.join(tempDir(), 'db')
  await createStore(dir, {shards: 1})
  const err = await t.throwsAsync(open(dir, {readOnly: true, maxOpenFiles: 2}))
  t.true(err instanceof StrataError)
  t.is((err as StrataError).code, 'INVALID_ARGUMENT')
})

test('a read-only get whose parked table a writer compacted away reads again from a fresh view', async (t) => {
  const dir = await manyTables(20)
  const reader = await open(dir, {readOnly: true, maxOpenFiles: 8})
  t.is(reader.getSync(key(0))?.value.toString(), 'v0') // opens the shard: 20 tables, 12 of them parked
  const writer = await open(dir, {sync: 'none'})
  await writer.compact()
  t.is(writer.stats().totals.tables, 1)
  // Every key of the old view, including those whose tables were parked and are now deleted.
  let found = 0
  for (let i = 0; i < 20 * 200; i += 97) if (reader.getSync(key(i))?.value.toString() === `v${i % 20}`) found++
  t.is(found, Math.ceil((20 * 200) / 97))
  t.is(reader.stats().totals.tables, 1)
  await writer.close()
  await reader.close()
})
