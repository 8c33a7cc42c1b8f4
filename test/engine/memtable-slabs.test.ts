import test from 'ava'
import * as path from 'node:path'
import {Memtable} from '../../src/store/memtable.js'
import {runEntries, runEntry, sortRun} from '../../src/store/sorted-run.js'
import {WalWriter} from '../../src/wal/writer.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {Kind, ValueCodec, type Entry} from '../../src/record/format.js'
import {tempDir} from '../helpers/temp.js'

const put = (key: string, seq: number, value: string | Buffer, extra: Partial<Entry> = {}): Entry =>
  ({kind: Kind.PUT, seq, key: Buffer.from(key), value: typeof value === 'string' ? Buffer.from(value) : value, ...extra})

/** Every field of an Entry, as plain data (absent optional fields stay absent). */
const plain = (e: Entry | undefined): unknown =>
  e === undefined ? undefined : {...e, key: e.key.toString('hex'), value: e.value.toString('hex')}

const everyField: Entry[] = [
  put('plain', 1, 'v1'),
  put('ttl', 2, 'v2', {expiresAt: 1_900_000_000_123}),
  put('json', 3, '{"a":1}', {json: true}),
  put('zlib', 4, Buffer.from([1, 2, 3]), {codec: ValueCodec.ZLIB}),
  put('schema', 5, '{"b":2}', {json: true, schema: {id: 300, version: 70_000}}),
  put('all', 6, 'x', {expiresAt: 2 ** 53 - 1, json: true, codec: ValueCodec.ZLIB, schema: {id: 1, version: 2}}),
  {kind: Kind.DELETE, seq: 7, key: Buffer.from('gone'), value: Buffer.alloc(0)},
  put('big-seq', 2 ** 40, 'v'),
]

test('a record reads back with every field, whether added as an entry or as the WAL encoded it', (t) => {
  const one = new Memtable()
  for (const e of everyField) one.add(e)
  const wal = WalWriter.create(nodeFileSystem, path.join(tempDir(), '000001.wal'), 0)
  const batched = new Memtable()
  const starts: number[] = []
  batched.addEncoded(everyField, wal.appendBatch(everyField, starts), starts)
  wal.close()
  t.is(starts.length, everyField.length)
  for (const m of [one, batched]) {
    t.is(m.size, everyField.length)
    for (const e of everyField) t.deepEqual(plain(m.get(e.key)), plain(e), e.key.toString())
    const sorted = [...everyField].sort((a, b) => Buffer.compare(a.key, b.key))
    t.deepEqual([...m.entries()].map(plain), sorted.map(plain))
  }
})

test('entries read earlier keep their bytes while many more records, and values larger than a slab, are added', (t) => {
  const m = new Memtable()
  m.add(put('k0', 1, 'first'))
  const early = m.get(Buffer.from('k0'))!
  const huge = Buffer.alloc(3 * 1024 * 1024, 7)
  let seq = 1
  for (let i = 1; i <= 20_000; i++) m.add(put(`k${i}`, ++seq, `value-${i}-${'y'.repeat(i % 300)}`))
  m.add(put('huge', ++seq, huge))
  m.add(put('k0', ++seq, 'second'))
  t.is(early.value.toString(), 'first')
  t.is(m.get(Buffer.from('k0'))!.value.toString(), 'second')
  t.true(m.get(Buffer.from('huge'))!.value.equals(huge))
  t.is(m.get(Buffer.from('k12345'))!.value.toString(), `value-12345-${'y'.repeat(12345 % 300)}`)
  t.is(m.size, 20_002)
  const {smallest, largest} = m.keyRange()
  t.is(smallest.toString(), 'huge')
  t.is(largest.toString(), 'k9999')
})

test('a pinned view reads the versions of its moment after overwrites; approximate bytes follow the newest values', (t) => {
  const m = new Memtable()
  m.add(put('a', 1, 'a1'))
  m.add(put('b', 2, 'b1'))
  const before = m.bytes
  const view = m.view(2)
  m.add(put('a', 3, 'a2-longer'))
  m.add(put('a', 4, 'a3'))
  m.add(put('c', 5, 'c1'))
  t.deepEqual([...view.entries()].map((e) => `${e.key}=${e.value}@${e.seq}`), ['a=a1@1', 'b=b1@2'])
  t.deepEqual([...m.entries()].map((e) => `${e.key}=${e.value}@${e.seq}`), ['a=a3@4', 'b=b1@2', 'c=c1@5'])
  view.release()
  t.is(m.bytes, before + 64 + 1 + 2)
})

test('a run holds the newest version of every key; sorted, in key order, in a buffer of its own', (t) => {
  const m = new Memtable()
  const wal = WalWriter.create(nodeFileSystem, path.join(tempDir(), '000001.wal'), 0)
  const starts: number[] = []
  m.addEncoded(everyField, wal.appendBatch(everyField, starts), starts)
  wal.close()
  m.add(put('plain', 9, 'newer'))
  m.add(put('a', 10, 'first key'))
  const unsorted = m.unsortedRun()
  t.is(unsorted.starts.length, m.size)
  t.is(unsorted.bytes.buffer.byteLength, unsorted.bytes.byteLength)
  const run = sortRun(unsorted)
  t.is(run.starts.length, m.size)
  t.is(run.bytes.byteOffset, 0)
  t.is(run.bytes.buffer.byteLength, run.bytes.byteLength)
  t.deepEqual([...runEntries(run)].map(plain), [...m.entries()].map(plain))
  t.deepEqual(plain(runEntry(run, 0)), plain(put('a', 10, 'first key')))
  t.is([...runEntries(run)].find((e) => e.key.toString() === 'plain')?.value.toString(), 'newer')
  t.deepEqual([...runEntries(sortRun(new Memtable().unsortedRun()))], [])
})

test('a run spanning many slabs with partly filled ones and overwrites sorts to the newest version of every key', (t) => {
  const m = new Memtable()
  const newest = new Map<string, string>()
  let seq = 0
  // Values from 0 to 3,000 bytes, so that slabs end with room no record could use; keys overwritten at random.
  for (let i = 0; i < 3000; i++) {
    const key = `k${(i * 7919) % 1201}`
    const value = `${i}:`.padEnd((i * 37) % 3001, 'v')
    m.add(put(key, ++seq, value))
    newest.set(key, value)
  }
  const unsorted = m.unsortedRun()
  t.is(unsorted.starts.length, newest.size)
  const run = sortRun(unsorted)
  const got = [...runEntries(run)].map((e) => [e.key.toString(), e.value.toString()])
  t.deepEqual(got, [...newest.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b))))
  t.deepEqual([...runEntries(run)].map(plain), [...m.entries()].map(plain))
})
