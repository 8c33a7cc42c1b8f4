import * as fs from 'node:fs'
import * as path from 'node:path'
import test from 'ava'
import {Kind, type Entry} from '../../src/record/format.js'
import {encodeEntry} from '../../src/record/codec.js'
import {ByteWriter} from '../../src/util/coding.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {StrataError} from '../../src/errors.js'
import {hashKey} from '../../src/util/hash.js'
import {TableBuilder, WRITE_CHUNK_BYTES} from '../../src/sstable/builder.js'
import {TableReader} from '../../src/sstable/reader.js'
import {BlockCompression, COMPRESSION_NAMES, FOOTER_SIZE} from '../../src/sstable/format.js'
import {CountingFileSystem, defaults, key, mixedEntries, plain, putEntries, randomBytes, rng, tempDir, writeTable} from './helpers.js'

function open(t: import('ava').ExecutionContext, file: string): TableReader {
  const r = TableReader.open(nodeFileSystem, file)
  t.teardown(() => r.close())
  return r
}

test('a table round trips every entry shape, binary keys and a 1 MiB value', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  const r = rng(7)
  const entries: Entry[] = [
    {key: Buffer.from([0x00]), seq: 1, kind: Kind.PUT, value: Buffer.alloc(0)},
    {key: Buffer.from([0x00, 0x00, 0xff]), seq: 2, kind: Kind.PUT, value: randomBytes(r, 10)},
    ...mixedEntries(2000),
    {key: Buffer.from('m-big'), seq: 5, kind: Kind.PUT, value: randomBytes(r, 1024 * 1024)},
    {key: Buffer.from([0xff, 0xfe, 0x80]), seq: 3, kind: Kind.DELETE, value: Buffer.alloc(0)},
    {key: Buffer.alloc(65536, 0xff), seq: 4, kind: Kind.PUT, value: Buffer.from('longest key')},
  ].sort((a, b) => Buffer.compare(a.key, b.key))
  const {fileSize} = writeTable(file, entries)
  t.is(fileSize, fs.statSync(file).size)
  const reader = open(t, file)
  t.is(reader.fileSize, fileSize)
  t.deepEqual([...reader.entries()].map(plain), entries.map(plain))
  t.deepEqual([...reader.entries({reverse: true})].map(plain), entries.map(plain).reverse())
  for (const e of entries) t.deepEqual(plain(reader.get(e.key)!), plain(e))
})

test('get returns puts and tombstones and misses absent keys', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  const entries = mixedEntries(500)
  writeTable(file, entries, {blockSize: 512})
  const reader = open(t, file)
  t.is(reader.get(entries[0].key)?.kind, Kind.DELETE)
  t.deepEqual(plain(reader.get(entries[7].key, hashKey(entries[7].key))!), plain(entries[7]))
  for (let i = 1; i < 1000; i += 2) t.is(reader.get(key(i)), undefined)
  t.is(reader.get(Buffer.from('a')), undefined)
  t.is(reader.get(Buffer.from('zzz')), undefined)
  t.true(entries.every((e) => reader.mayContain(hashKey(e.key))))
})

test('entries within from/to bounds equal the filtered sorted model, both directions', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  const entries = mixedEntries(300)
  writeTable(file, entries, {blockSize: 256})
  const reader = open(t, file)
  t.true(reader.index.length > 10)
  const bounds = [undefined, Buffer.from('a'), Buffer.from('zzz'), ...[0, 1, 2, 31, 32, 33, 250, 401, 598, 599, 600].map(key)]
  for (const from of bounds) {
    for (const to of bounds) {
      const want = entries.filter((e) => (!from || Buffer.compare(e.key, from) >= 0) && (!to || Buffer.compare(e.key, to) < 0)).map(plain)
      t.deepEqual([...reader.entries({from, to})].map(plain), want, `[${from}, ${to})`)
      t.deepEqual([...reader.entries({from, to, reverse: true})].map(plain), want.reverse(), `reverse [${from}, ${to})`)
    }
  }
})

test('entries read blocks lazily and stay valid after later reads', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  const entries = mixedEntries(400)
  writeTable(file, entries, {blockSize: 256})
  const reader = open(t, file)
  const it = reader.entries()
  const first = it.next().value as Entry
  const kept = plain(first)
  for (const e of entries) reader.get(e.key)
  t.deepEqual(plain(first), kept)
  const rest = [...it]
  t.is(rest.length, entries.length - 1)
})

test('properties record counts, sequence and key ranges, shard, level and creator', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  const entries = mixedEntries(1000)
  const {properties} = writeTable(file, entries, {level: 2, shard: 7, createdBy: 'flush ✓', now: () => 1_234_567_890_123, blockSize: 1024})
  const reader = open(t, file)
  const p = reader.properties
  t.deepEqual({...p, smallestKey: p.smallestKey.toString(), largestKey: p.largestKey.toString()}, {
    entries: 1000,
    puts: entries.filter((e) => e.kind === Kind.PUT).length,
    deletes: entries.filter((e) => e.kind === Kind.DELETE).length,
    withExpiry: entries.filter((e) => e.expiresAt !== undefined).length,
    minSeq: Math.min(...entries.map((e) => e.seq)),
    maxSeq: Math.max(...entries.map((e) => e.seq)),
    rawKeyBytes: entries.reduce((n, e) => n + e.key.length, 0),
    rawValueBytes: entries.reduce((n, e) => n + e.value.length, 0),
    dataBlocks: reader.index.length,
    shard: 7,
    createdAtMs: 1_234_567_890_123,
    level: 2,
    smallestKey: entries[0].key.toString(),
    largestKey: entries.at(-1)!.key.toString(),
    createdBy: 'flush ✓',
  })
  t.deepEqual({...properties}, {...p})
})

test('zlib compression shrinks compressible blocks and marks them ZLIB', (t) => {
  const dir = tempDir(t)
  const entries = putEntries(3000, (i) => Buffer.from(`the same words again ${i % 10} `.repeat(8)))
  const plainSize = writeTable(path.join(dir, 'a.sst'), entries, {compression: BlockCompression.NONE}).fileSize
  const zSize = writeTable(path.join(dir, 'b.sst'), entries, {compression: BlockCompression.ZLIB}).fileSize
  t.true(zSize < plainSize / 3, `${zSize} vs ${plainSize}`)
  const none = open(t, path.join(dir, 'a.sst'))
  const z = open(t, path.join(dir, 'b.sst'))
  t.true(none.index.every(({handle}) => none.readBlock(handle).compression === BlockCompression.NONE))
  t.true(z.index.every(({handle}) => z.readBlock(handle).compression === BlockCompression.ZLIB))
  t.deepEqual([...z.entries()].map(plain), entries.map(plain))
  const range = [...z.entries({from: key(100), to: key(2000), reverse: true})]
  t.deepEqual(range.map(plain), entries.slice(100, 2000).map(plain).reverse())
})

test('lz compression shrinks compressible blocks and marks them LZ', (t) => {
  const dir = tempDir(t)
  const entries = putEntries(3000, (i) => Buffer.from(`the same words again ${i % 10} `.repeat(8)))
  const plainSize = writeTable(path.join(dir, 'a.sst'), entries, {compression: BlockCompression.NONE}).fileSize
  const lzSize = writeTable(path.join(dir, 'b.sst'), entries, {compression: BlockCompression.LZ}).fileSize
  t.true(lzSize < plainSize / 3, `${lzSize} vs ${plainSize}`)
  const lz = open(t, path.join(dir, 'b.sst'))
  t.is(lz.index.length, open(t, path.join(dir, 'a.sst')).index.length)
  t.true(lz.index.every(({handle}) => lz.readBlock(handle).compression === BlockCompression.LZ))
  t.deepEqual([...lz.entries()].map(plain), entries.map(plain))
  const range = [...lz.entries({from: key(100), to: key(2000), reverse: true})]
  t.deepEqual(range.map(plain), entries.slice(100, 2000).map(plain).reverse())
})

for (const compression of [BlockCompression.ZLIB, BlockCompression.LZ]) {
  test(`incompressible blocks stay NONE even with ${COMPRESSION_NAMES[compression]} on`, (t) => {
    const file = path.join(tempDir(t), '000001.sst')
    const r = rng(3)
    const entries = putEntries(500, () => randomBytes(r, 300))
    writeTable(file, entries, {compression})
    const reader = open(t, file)
    t.true(reader.index.length > 10)
    t.true(reader.index.every(({handle}) => reader.readBlock(handle).compression === BlockCompression.NONE))
    t.deepEqual([...reader.entries()].map(plain), entries.map(plain))
  })
}

test('a block is cut at blockSize and an oversized entry gets one block of its own', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  const entries = [
    {key: key(0), seq: 1, kind: Kind.PUT, value: Buffer.alloc(10)},
    {key: key(1), seq: 2, kind: Kind.PUT, value: Buffer.alloc(100_000, 1)},
    {key: key(2), seq: 3, kind: Kind.PUT, value: Buffer.alloc(10)},
  ]
  writeTable(file, entries, {blockSize: 4096})
  const reader = open(t, file)
  t.deepEqual(reader.index.map((e) => e.lastKey.toString()), [key(1).toString(), key(2).toString()])
  t.true(reader.index[0].handle.size > 100_000)
})

test('the builder writes in large appends, then syncs and closes', (t) => {
  const vfs = new CountingFileSystem()
  const file = path.join(tempDir(t), '000001.sst')
  const entries = putEntries(20_000, (i) => Buffer.alloc(100, i))
  const {fileSize} = writeTable(file, entries, {}, vfs)
  t.true(fileSize > 2_000_000)
  t.true(vfs.appends <= Math.ceil(fileSize / WRITE_CHUNK_BYTES) + 1, `${vfs.appends} appends`)
  t.is(vfs.syncs, 1)
  t.is(vfs.closes, 1)
  t.is(fs.statSync(file).size, fileSize)
  t.true(fileSize >= FOOTER_SIZE)
})

test('keys added out of order or repeated are rejected with INVALID_ARGUMENT', (t) => {
  const b = new TableBuilder(nodeFileSystem, path.join(tempDir(t), '000001.sst'), defaults)
  b.add({key: key(2), seq: 1, kind: Kind.PUT, value: Buffer.alloc(0)})
  t.throws(() => b.add({key: key(2), seq: 2, kind: Kind.PUT, value: Buffer.alloc(0)}), {instanceOf: StrataError, message: /increasing/})
  const err = t.throws(() => b.add({key: key(1), seq: 2, kind: Kind.PUT, value: Buffer.alloc(0)}), {instanceOf: StrataError})
  t.is(err?.code, 'INVALID_ARGUMENT')
  t.is(b.entries, 1)
  t.true(b.estimatedSize() > 0)
  b.abandon()
})

test('bad entries and options are rejected with INVALID_ARGUMENT', (t) => {
  const dir = tempDir(t)
  const b = new TableBuilder(nodeFileSystem, path.join(dir, '000001.sst'), defaults)
  const bad: Entry[] = [
    {key: Buffer.alloc(0), seq: 1, kind: Kind.PUT, value: Buffer.alloc(0)},
    {key: Buffer.alloc(65537), seq: 1, kind: Kind.PUT, value: Buffer.alloc(0)},
    {key: key(1), seq: 1, kind: Kind.DELETE, value: Buffer.from('x')},
    {key: key(1), seq: -1, kind: Kind.PUT, value: Buffer.alloc(0)},
  ]
  for (const e of bad) t.is(t.throws(() => b.add(e), {instanceOf: StrataError})?.code, 'INVALID_ARGUMENT')
  b.abandon()
  for (const opts of [{blockSize: 0}, {level: 256}, {shard: -1}, {compression: 9 as BlockCompression}]) {
    const err = t.throws(() => new TableBuilder(nodeFileSystem, path.join(dir, '000002.sst'), {...defaults, ...opts}), {instanceOf: StrataError})
    t.is(err?.code, 'INVALID_ARGUMENT')
  }
  t.false(fs.existsSync(path.join(dir, '000002.sst')))
})

test('finishing an empty table is INVALID_ARGUMENT and abandon removes the file', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  const b = new TableBuilder(nodeFileSystem, file, defaults)
  t.is(t.throws(() => b.finish(), {instanceOf: StrataError})?.code, 'INVALID_ARGUMENT')
  b.abandon()
  t.false(fs.existsSync(file))
})

test('creating a table over an existing file is an IO error', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  fs.writeFileSync(file, 'x')
  t.is(t.throws(() => new TableBuilder(nodeFileSystem, file, defaults), {instanceOf: StrataError})?.code, 'IO')
})

test('a table with bloom filtering disabled still finds every key', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  const entries = mixedEntries(100)
  writeTable(file, entries, {bloomBitsPerKey: 0})
  const reader = open(t, file)
  t.is(reader.filter.length, 0)
  for (const e of entries) t.deepEqual(plain(reader.get(e.key)!), plain(e))
  t.is(reader.get(key(1)), undefined)
})

test('a closed reader refuses reads with CLOSED', (t) => {
  const file = path.join(tempDir(t), '000001.sst')
  writeTable(file, mixedEntries(10))
  const reader = TableReader.open(nodeFileSystem, file)
  reader.close()
  reader.close()
  t.is(t.throws(() => reader.get(key(0)), {instanceOf: StrataError})?.code, 'CLOSED')
})

test('opening a missing table is an IO error', (t) => {
  const err = t.throws(() => TableReader.open(nodeFileSystem, path.join(tempDir(t), 'nope.sst')), {instanceOf: StrataError})
  t.is(err?.code, 'IO')
})

test('a table built from encoded records (addEncoded) is byte for byte the one add builds from their entries', (t) => {
  const dir = tempDir(t)
  const r = rng(11)
  const entries: Entry[] = [
    ...mixedEntries(3000),
    {key: Buffer.from('m-big'), seq: 2 ** 40, kind: Kind.PUT, value: randomBytes(r, 300_000)},
    {key: Buffer.alloc(65536, 0xff), seq: 4, kind: Kind.PUT, value: Buffer.from('longest key')},
  ].sort((a, b) => Buffer.compare(a.key, b.key))
  // The records as a memtable holds them: encoded one after another in a buffer.
  const encoded: Buffer[] = []
  const starts: number[] = []
  let at = 0
  for (const e of entries) {
    const w = new ByteWriter()
    encodeEntry(w, e)
    const b = w.finish()
    starts.push(at)
    encoded.push(Buffer.from(b))
    at += b.length
  }
  const bytes = Buffer.concat(encoded)
  for (const compression of [BlockCompression.NONE, BlockCompression.LZ, BlockCompression.ZLIB]) {
    const options = {...defaults, compression, blockSize: 1024, level: 2, now: () => 1_750_000_000_000}
    const fromEntries = path.join(dir, `a-${compression}.sst`)
    writeTable(fromEntries, entries, options)
    const fromBytes = path.join(dir, `b-${compression}.sst`)
    const b = new TableBuilder(nodeFileSystem, fromBytes, options)
    for (const s of starts) b.addEncoded(bytes, s)
    b.finish()
    t.true(fs.readFileSync(fromEntries).equals(fs.readFileSync(fromBytes)), COMPRESSION_NAMES[compression])
  }
  // Key order is still enforced.
  const b = new TableBuilder(nodeFileSystem, path.join(dir, 'c.sst'), defaults)
  b.addEncoded(bytes, starts[1])
  t.throws(() => b.addEncoded(bytes, starts[0]), {message: /strictly increasing/})
  b.abandon()
})
