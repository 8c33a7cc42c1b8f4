import test from 'ava'
import {Block} from '../../src/sstable/block.js'
import {BlockBuilder} from '../../src/sstable/block-builder.js'
import {RESTART_INTERVAL} from '../../src/sstable/format.js'
import {encodeEntry} from '../../src/record/codec.js'
import {Kind, type Entry} from '../../src/record/format.js'
import {ByteWriter} from '../../src/util/coding.js'
import {StrataError} from '../../src/errors.js'
import {key, mixedEntries, plain} from './helpers.js'

const FILE = '/tables/000001.sst'
const BASE = 1000

function build(entries: readonly Entry[]): Buffer {
  const b = new BlockBuilder()
  for (const e of entries) b.add(e)
  return Buffer.from(b.finish())
}

/** Raw block bytes: entries, then the given restart offsets and count. */
function rawBlock(entries: readonly Entry[], restarts: number[], count = restarts.length): Buffer {
  const w = new ByteWriter()
  for (const e of entries) encodeEntry(w, e)
  for (const r of restarts) w.u32(r)
  w.u32(count)
  return Buffer.from(w.finish())
}

const put = (k: string, v = 'v'): Entry => ({key: Buffer.from(k), seq: 1, kind: Kind.PUT, value: Buffer.from(v)})

function corruptionAt(t: import('ava').ExecutionContext, fn: () => unknown, offset: number): void {
  const err = t.throws(fn, {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.is(err?.file, FILE)
  t.is(err?.offset, offset)
}

test('block round trips entries with a restart every 16 entries', (t) => {
  const entries = mixedEntries(100)
  const b = new BlockBuilder()
  for (const e of entries) b.add(e)
  const predicted = b.estimatedSize()
  const contents = Buffer.from(b.finish())
  t.is(contents.length, predicted)
  const n = contents.readUInt32LE(contents.length - 4)
  t.is(n, Math.ceil(100 / RESTART_INTERVAL))
  t.is(contents.readUInt32LE(contents.length - 4 - 4 * n), 0)
  t.deepEqual([...new Block(contents, FILE, BASE).ascending()].map(plain), entries.map(plain))
})

test('block seek yields from the first key at or after the target', (t) => {
  const entries = mixedEntries(70)
  const block = new Block(build(entries), FILE, BASE)
  for (let i = -1; i <= 141; i++) {
    const target = i < 0 ? Buffer.from('a') : key(i)
    const want = entries.filter((e) => Buffer.compare(e.key, target) >= 0).map(plain)
    t.deepEqual([...block.ascending(target)].map(plain), want, `seek ${target}`)
  }
})

test('block reverse iteration yields keys below the bound in descending order', (t) => {
  const entries = mixedEntries(70)
  const block = new Block(build(entries), FILE, BASE)
  t.deepEqual([...block.descending()].map(plain), entries.map(plain).reverse())
  for (let i = -1; i <= 141; i++) {
    const bound = i < 0 ? Buffer.from('a') : key(i)
    const want = entries.filter((e) => Buffer.compare(e.key, bound) < 0).map(plain).reverse()
    t.deepEqual([...block.descending(bound)].map(plain), want, `before ${bound}`)
  }
})

test('block get finds exact keys only', (t) => {
  const entries = mixedEntries(50)
  const block = new Block(build(entries), FILE, BASE)
  for (const e of entries) t.deepEqual(plain(block.get(e.key)!), plain(e))
  t.is(block.get(key(1)), undefined)
  t.is(block.get(Buffer.from('a')), undefined)
  t.is(block.get(Buffer.from('zzz')), undefined)
})

test('an empty block iterates nothing', (t) => {
  const block = new Block(rawBlock([], []), FILE, BASE)
  t.deepEqual([...block.ascending()], [])
  t.is(block.get(Buffer.from('a')), undefined)
})

test('a block shorter than its restart count is corruption', (t) => {
  corruptionAt(t, () => new Block(Buffer.from([1, 0]), FILE, BASE), BASE)
})

test('a restart count larger than the block is corruption at the count', (t) => {
  const raw = rawBlock([put('a')], [0], 1000)
  corruptionAt(t, () => new Block(raw, FILE, BASE), BASE + raw.length - 4)
})

test('a first restart other than 0 is corruption at the restart array', (t) => {
  const raw = rawBlock([put('a'), put('b')], [3])
  corruptionAt(t, () => new Block(raw, FILE, BASE), BASE + raw.length - 8)
})

test('restarts out of order or past the entries are corruption', (t) => {
  const entries = Array.from({length: 40}, (_, i) => put(`k${String(i).padStart(3, '0')}`))
  const good = build(entries)
  const n = good.readUInt32LE(good.length - 4)
  const at = good.length - 4 - 4 * n
  const swapped = Buffer.from(good)
  swapped.writeUInt32LE(good.readUInt32LE(at + 8), at + 4)
  swapped.writeUInt32LE(good.readUInt32LE(at + 4), at + 8)
  corruptionAt(t, () => new Block(swapped, FILE, BASE), BASE + at + 8)
  const past = Buffer.from(good)
  past.writeUInt32LE(at, at + 8)
  corruptionAt(t, () => new Block(past, FILE, BASE), BASE + at + 8)
})

test('keys out of order in a block are corruption at the offending entry', (t) => {
  const raw = rawBlock([put('b'), put('a')], [0])
  const block = new Block(raw, FILE, BASE)
  corruptionAt(t, () => [...block.ascending()], BASE + raw.indexOf('a') - 4)
  const dup = rawBlock([put('a'), put('a')], [0])
  corruptionAt(t, () => [...new Block(dup, FILE, BASE).descending()], BASE + dup.length / 2 - 4)
})

test('an entry running past its restart interval is corruption', (t) => {
  const entries = Array.from({length: 17}, (_, i) => put(`k${String(i).padStart(3, '0')}`))
  const good = build(entries)
  const at = good.length - 8 // restart[1]
  const bad = Buffer.from(good)
  bad.writeUInt32LE(good.readUInt32LE(at) - 1, at) // interval 0 now ends inside entry 15
  t.throws(() => [...new Block(bad, FILE, BASE).ascending()], {instanceOf: StrataError, message: /past the end|16 entries/})
})

test('an interval holding other than 16 entries is corruption', (t) => {
  const entries = Array.from({length: 20}, (_, i) => put(`k${String(i).padStart(3, '0')}`))
  const entrySize = build([entries[0]]).length - 8
  const raw = rawBlock(entries, [0, entrySize * 4]) // restart after 4 entries
  corruptionAt(t, () => [...new Block(raw, FILE, BASE).ascending()], BASE)
})

test('errors in an inflated block name the block offset', (t) => {
  const raw = rawBlock([put('b'), put('a')], [0])
  const err = t.throws(() => [...new Block(raw, FILE, BASE, true).ascending()], {instanceOf: StrataError})
  t.is(err?.offset, BASE)
  t.regex(err!.message, /inflated/)
})
