/**
 * The allocation-free read path: the flat index (shared-prefix integer
 * search), in-place block lookups, the block cache's LRU budget, and lazily
 * opened tables, each checked against a plain model.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {isDeepStrictEqual} from 'node:util'
import test from 'ava'
import fc from 'fast-check'
import {Kind, type Entry} from '../../src/record/format.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {StrataError, ErrorCode} from '../../src/errors.js'
import {TableReader} from '../../src/sstable/reader.js'
import {BlockCache} from '../../src/sstable/block-cache.js'
import {Block} from '../../src/sstable/block.js'
import {BlockCompression, FOOTER_SIZE} from '../../src/sstable/format.js'
import {compareKeys, compareRanges, prefix32} from '../../src/util/bytes.js'
import {plain, tempDir, writeTable} from './helpers.js'

const sortEntries = (es: Entry[]): Entry[] => es.sort((a, b) => Buffer.compare(a.key, b.key))

test('compareRanges and compareKeys order like Buffer.compare, and prefix32 never contradicts it', (t) => {
  let runs = 0
  fc.assert(
    fc.property(fc.uint8Array({maxLength: 40}), fc.uint8Array({maxLength: 40}), (a, b) => {
      runs++
      const A = Buffer.from(a)
      const B = Buffer.from(b)
      const expected = Math.sign(Buffer.compare(A, B))
      if (Math.sign(compareKeys(A, B)) !== expected) return false
      if (Math.sign(compareRanges(A, 0, A.length, B, 0, B.length)) !== expected) return false
      const pa = prefix32(A, 0, A.length)
      const pb = prefix32(B, 0, B.length)
      return pa === pb || Math.sign(pa - pb) === expected
    }),
    {numRuns: 2000},
  )
  // fc.assert throws on the first pair that disagrees; every run agreed.
  t.is(runs, 2000)
})

test('get finds every key and misses every gap in tables of keys sharing long prefixes', (t) => {
  const dir = tempDir(t)
  // Keys like the benchmark's: one long common prefix, then digits; plus
  // probes shorter than the prefix, equal to it, and past both ends.
  const keys = Array.from({length: 3000}, (_, i) => Buffer.from(`user:account:${String(i * 2 + 1).padStart(8, '0')}`))
  const entries = keys.map((key, i): Entry => ({key, seq: i + 1, kind: Kind.PUT, value: Buffer.from(`v${i}`)}))
  const file = path.join(dir, '000001.sst')
  writeTable(file, entries, {blockSize: 256})
  const r = TableReader.open(nodeFileSystem, file)
  t.teardown(() => r.close())
  t.true(r.blocks.length > 50)
  for (const e of entries) t.deepEqual(plain(r.get(e.key)!), plain(e))
  for (let i = 0; i <= 6000; i += 2) t.is(r.get(Buffer.from(`user:account:${String(i).padStart(8, '0')}`)), undefined, `gap ${i}`)
  for (const probe of ['', 'a', 'user', 'user:account:', 'user:account', 'user:b', 'user:account:99999999', 'zzz', 'user:account:00000001x']) {
    t.is(r.get(Buffer.from(probe)), undefined, probe)
  }
  // search agrees with a linear scan of the index for every kind of probe.
  const probes = [...keys, ...['', 'a', 'user:', 'user:account:', 'user:account:0', 'user:account:00003000', 'user:zzz', '\xff'].map((s) => Buffer.from(s, 'latin1'))]
  for (const p of probes) {
    const expected = r.index.findIndex((e) => Buffer.compare(e.lastKey, p) >= 0)
    t.is(r.blocks.search(p), expected < 0 ? r.blocks.length : expected, p.toString('latin1'))
  }
})

test('in-place block lookups agree with a model for random binary keys and every entry shape', (t) => {
  const dir = tempDir(t)
  let runs = 0
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.uint8Array({minLength: 1, maxLength: 24}), {minLength: 1, maxLength: 300, selector: (k) => Buffer.from(k).toString('hex')}),
      fc.array(fc.uint8Array({minLength: 1, maxLength: 24}), {maxLength: 50}),
      fc.integer({min: 64, max: 2048}),
      (rawKeys, probes, blockSize) => {
        runs++
        const entries = sortEntries(rawKeys.map((k, i): Entry => {
          const key = Buffer.from(k)
          if (i % 5 === 1) return {key, seq: i + 1, kind: Kind.DELETE, value: Buffer.alloc(0)}
          const e: {-readonly [K in keyof Entry]: Entry[K]} = {key, seq: i + 1, kind: Kind.PUT, value: Buffer.alloc(i % 37, i)}
          if (i % 3 === 0) e.expiresAt = 1_700_000_000_000 + i
          if (i % 4 === 0) e.schema = {id: 300 + i, version: 2}
          if (i % 7 === 0) e.json = true
          return e
        }))
        const file = path.join(dir, `t-${blockSize}-${entries.length}.sst`)
        fs.rmSync(file, {force: true})
        writeTable(file, entries, {blockSize})
        const r = TableReader.open(nodeFileSystem, file)
        try {
          const model = new Map(entries.map((e) => [e.key.toString('hex'), e]))
          for (const e of entries) if (!isDeepStrictEqual(plain(r.get(e.key)!), plain(e))) return false
          for (const p of probes) {
            const want = model.get(Buffer.from(p).toString('hex'))
            const got = r.get(Buffer.from(p))
            if ((want === undefined) !== (got === undefined)) return false
          }
          return true
        } finally {
          r.close()
        }
      },
    ),
    {numRuns: 150},
  )
  // fc.assert throws on the first table that disagrees with the model; every run agreed.
  t.is(runs, 150)
})

test('a block whose entry cannot be parsed in place is corruption, not a miss', (t) => {
  const dir = tempDir(t)
  const entries = Array.from({length: 40}, (_, i): Entry => ({key: Buffer.from(`k${String(i).padStart(3, '0')}`), seq: i + 1, kind: Kind.PUT, value: Buffer.from('v')}))
  const file = path.join(dir, '000001.sst')
  writeTable(file, entries, {blockSize: 1 << 16, compression: BlockCompression.NONE})
  const r = TableReader.open(nodeFileSystem, file)
  t.teardown(() => r.close())
  const {contents} = r.readBlock(r.index[0].handle)
  // Give entry 17 (inside the second restart interval) a key length past the block.
  const copy = Buffer.from(contents)
  const keyAt = copy.indexOf(Buffer.from('k017'))
  copy[keyAt - 1] = 0xff // the key length varint: 0xff 0x7f = 16383
  copy[keyAt] = 0x7f
  const block = new Block(copy, file, 0)
  const err = t.throws(() => block.get(Buffer.from('k030')), {instanceOf: StrataError})
  t.is(err?.code, ErrorCode.CORRUPTION)
  t.deepEqual(plain(block.get(Buffer.from('k005'))!), plain(entries[5]))
})

test('the block cache keeps blocks within its byte budget, least recently used out first', (t) => {
  const cache = new BlockCache(1000)
  const a = cache.forTable()
  const b = cache.forTable()
  const blk = (n: number) => ({n}) as unknown as Block
  a.set(0, blk(0), 400)
  b.set(0, blk(1), 400)
  t.is(cache.usedBytes, 800)
  t.deepEqual(a.get(0), blk(0)) // a:0 is now the most recent
  a.set(100, blk(2), 400) // over budget: b:0, the least recent, goes
  t.is(b.get(0), undefined)
  t.deepEqual(a.get(0), blk(0))
  t.deepEqual(a.get(100), blk(2))
  t.is(cache.usedBytes, 800)
  a.set(0, blk(3), 300) // replacing charges the difference
  t.is(cache.usedBytes, 700)
  b.set(5, blk(4), 2000) // larger than the whole budget: not cached, nothing evicted
  t.is(b.get(5), undefined)
  t.is(cache.usedBytes, 700)
  a.clear()
  t.is(cache.usedBytes, 0)
  t.is(a.get(100), undefined)
})

test('closing a table releases its cached blocks', (t) => {
  const dir = tempDir(t)
  const entries = Array.from({length: 2000}, (_, i): Entry => ({key: Buffer.from(`k${String(i).padStart(5, '0')}`), seq: i + 1, kind: Kind.PUT, value: Buffer.alloc(50, i)}))
  const file = path.join(dir, '000001.sst')
  writeTable(file, entries, {blockSize: 1024})
  const cache = new BlockCache(1 << 20)
  const r = TableReader.open(nodeFileSystem, file, cache)
  for (const e of entries) r.get(e.key)
  t.true(cache.usedBytes > 50_000)
  r.close()
  t.is(cache.usedBytes, 0)
})

test('a lazily opened table checks its footer at first use; open checks it at once', (t) => {
  const dir = tempDir(t)
  const entries = Array.from({length: 100}, (_, i): Entry => ({key: Buffer.from(`k${i}`), seq: i + 1, kind: Kind.PUT, value: Buffer.from('v')}))
  const file = path.join(dir, '000001.sst')
  writeTable(file, sortEntries(entries))
  const buf = fs.readFileSync(file)
  buf[buf.length - FOOTER_SIZE + 2] ^= 0xff // inside the footer, under its crc
  fs.writeFileSync(file, buf)
  const lazy = TableReader.openLazily(nodeFileSystem, file)
  t.teardown(() => lazy.close())
  t.is(lazy.fileSize, buf.length)
  const err = t.throws(() => lazy.get(Buffer.from('k1')), {instanceOf: StrataError})
  t.is(err?.code, ErrorCode.CORRUPTION)
  t.is(err?.file, file)
  const eager = t.throws(() => TableReader.open(nodeFileSystem, file), {instanceOf: StrataError})
  t.is(eager?.code, ErrorCode.CORRUPTION)
})

test('the block cache reuses the buffer of an evicted pooled block, and never one that was exposed', (t) => {
  const cache = new BlockCache(6000)
  const tb = cache.forTable()
  const a = cache.takeBuffer(4100)
  t.is(a.length, 4100)
  t.is(a.buffer.byteLength, 5120)
  const blockA = {pooled: true, contents: a} as unknown as Block
  tb.set(0, blockA, 5120 + 64)
  const b = cache.takeBuffer(4100)
  t.not(b.buffer, a.buffer, 'a cached block keeps its buffer')
  tb.set(5000, {pooled: false, contents: b} as unknown as Block, 5120 + 64) // evicts blockA
  t.is(tb.get(0), undefined)
  t.false(blockA.pooled)
  t.is(cache.takeBuffer(4500).buffer, a.buffer, 'the evicted pooled buffer is reused for a block of its size class')
  tb.set(10_000, {pooled: false, contents: cache.takeBuffer(4100)} as unknown as Block, 5120 + 64) // evicts b's block
  t.not(cache.takeBuffer(4100).buffer, b.buffer, 'an exposed block\'s buffer is never reused')
  t.is(cache.takeBuffer(100_000).length, 100_000)
})

test('values kept from point reads and scans stay intact while a tiny cache recycles buffers', async (t) => {
  const {createStore, open} = await import('../../src/engine.js')
  const dir = path.join(tempDir(t), 'db')
  await createStore(dir, {shards: 2, compression: 'none'})
  const n = 6000
  const valueOf = (i: number): Buffer => Buffer.alloc(60 + (i % 40), `value ${i} `)
  const keyOf = (i: number): string => `key:${String(i).padStart(6, '0')}`
  const w = await open(dir, {sync: 'none', walFlushBytes: 64 * 1024})
  for (let i = 0; i < n; i += 500) await w.batch(Array.from({length: 500}, (_, j) => ({type: 'put' as const, key: keyOf(i + j), value: valueOf(i + j)})))
  await w.close()
  // A 32 KiB cache holds a handful of blocks: nearly every read evicts one.
  const r = await open(dir, {readOnly: true, cacheSizeBytes: 32 * 1024})
  t.teardown(() => r.close())
  let x = 7
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n
  const kept: Array<[number, Buffer, Buffer]> = []
  for (let j = 0; j < 3000; j++) {
    const i = next()
    const kv = r.getSync(keyOf(i))!
    kept.push([i, kv.key, kv.value])
  }
  // Point reads pull the end of the range into the cache as pooled blocks;
  // the scan then takes views into those same blocks.
  for (let i = 1360; i < 1400; i++) r.getSync(keyOf(i))
  const scanned = [...r.scanSync({from: keyOf(1360), to: keyOf(1400)})]
  for (let j = 0; j < 6000; j++) r.getSync(keyOf(next()))
  const changed: string[] = []
  for (const [i, key, value] of kept) {
    if (key.toString() !== keyOf(i) || !value.equals(valueOf(i))) changed.push(`point read of key ${i}`)
  }
  t.is(kept.length, 3000)
  t.is(scanned.length, 40)
  scanned.forEach((kv, j) => {
    if (kv.key.toString() !== keyOf(1360 + j) || !kv.value.equals(valueOf(1360 + j))) changed.push(`scanned entry ${1360 + j}`)
  })
  t.deepEqual(changed, [], 'values changed after later reads')
})
