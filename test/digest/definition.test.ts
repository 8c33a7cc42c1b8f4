/**
 * The digest against its definition in formats/README.md: the README's worked
 * example, byte for byte, and a plain second implementation (reference.ts)
 * recomputing the digest of real stores.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {deflateSync} from 'node:zlib'
import {createStore, digestStore, open, StrataError, type StoreDigest} from '../../src/index.js'
import {Kind, ValueCodec, type Entry} from '../../src/record/format.js'
import {WalWriter} from '../../src/wal/writer.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {Sum256} from '../../src/digest/sum256.js'
import {repoRoot} from '../helpers/temp.js'
import {tempDir} from '../cli/helpers.js'
import {hex256, referenceEncoding, referenceHash, referenceSum, sumHex, type LogicalRecord} from './reference.js'

const ZERO = '0'.repeat(64)
/** 2025-01-01T00:00:00Z, the README example's instant. */
const AT = 1735689600000

/** The `record`/`input`/`sha256`/`digest` lines of the README's digest example. */
function readmeExample(): {records: {key: string; input: string; sha256: string}[]; digest: string} {
  const text = fs.readFileSync(path.join(repoRoot, 'formats', 'README.md'), 'utf8')
  const section = text.slice(text.indexOf('## Store digest'), text.indexOf('## Format versions'))
  const block = section.split('```')[1] ?? ''
  const records: {key: string; input: string; sha256: string}[] = []
  let digest = ''
  for (const line of block.split('\n')) {
    const [name, value] = line.split(/\s+/)
    if (name === 'record') records.push({key: value, input: '', sha256: ''})
    else if (name === 'input') records[records.length - 1].input = value
    else if (name === 'sha256') records[records.length - 1].sha256 = value
    else if (name === 'digest') digest = value
  }
  return {records, digest}
}

async function newStore(t: Parameters<typeof tempDir>[0], shards: number): Promise<string> {
  const dir = path.join(tempDir(t), 'db')
  await createStore(dir, {shards})
  return dir
}

/** The live records of `dir` at `at`, read by scanSync (the store's other read path), grouped by shard. */
async function liveByShard(dir: string, at: number, range: {from?: string; to?: string; prefix?: string} = {}): Promise<Map<number, LogicalRecord[]>> {
  const s = await open(dir, {readOnly: true, now: () => at})
  const out = new Map<number, LogicalRecord[]>()
  for (let i = 0; i < s.shardCount; i++) out.set(i, [])
  for (const kv of s.scanSync(range)) {
    out.get(kv.shard)!.push({key: kv.key, value: kv.value, json: kv.json, ...(kv.expiresAt === undefined ? {} : {expiresAt: kv.expiresAt})})
  }
  await s.close()
  return out
}

/** Asserts `d` equals the reference digest of `byShard`, in total and shard by shard. */
function assertMatchesReference(t: import('ava').ExecutionContext, d: StoreDigest, byShard: Map<number, LogicalRecord[]>): void {
  const all = [...byShard.values()].flat()
  t.is(d.digest, hex256(referenceSum(all)))
  t.is(d.records, all.length)
  t.deepEqual(d.shards.map((s) => s.shard), [...byShard.keys()])
  for (const s of d.shards) {
    t.is(s.digest, hex256(referenceSum(byShard.get(s.shard)!)), `shard ${s.shard}`)
    t.is(s.records, byShard.get(s.shard)!.length)
  }
  t.is(sumHex(d.shards.map((s) => s.digest)), d.digest, 'the shard digests sum to the total')
}

test('the README worked example: each input, hash and the digest, recomputed and read from a real store', async (t) => {
  const ex = readmeExample()
  t.deepEqual(ex.records.map((r) => r.key), ['apple', 'fig'])
  const records: LogicalRecord[] = [
    {key: Buffer.from('apple'), value: Buffer.from('red'), json: false},
    {key: Buffer.from('fig'), value: Buffer.from('{"c":"purple"}'), json: true, expiresAt: 1735693200000},
  ]
  records.forEach((r, i) => {
    t.is(referenceEncoding(r).toString('hex'), ex.records[i].input)
    t.is(referenceHash(r), ex.records[i].sha256)
  })
  t.is(hex256(referenceSum(records)), ex.digest)

  const dir = await newStore(t, 2)
  const s = await open(dir)
  await s.batch([
    {type: 'put', key: 'apple', value: 'red'},
    {type: 'put', key: 'fig', value: '{"c":"purple"}', json: true, expiresAt: 1735693200000},
    {type: 'put', key: 'kiwi', value: 'green', expiresAt: AT},
  ])
  await s.close()
  const d = await digestStore(dir, {at: AT})
  t.like(d, {digest: ex.digest, records: 2, at: AT, version: 1, shardCount: 2})
  // One instant earlier kiwi is live, and the digest moves.
  const before = await digestStore(dir, {at: AT - 1})
  t.is(before.records, 3)
  t.not(before.digest, ex.digest)
})

test('an empty store, and an empty selection, digest to 64 zeros', async (t) => {
  const dir = await newStore(t, 3)
  const d = await digestStore(dir)
  t.is(d.digest, ZERO)
  t.is(d.records, 0)
  t.deepEqual(d.shards, [0, 1, 2].map((shard) => ({shard, digest: ZERO, records: 0})))
  const s = await open(dir)
  await s.put('a', '1')
  await s.close()
  t.like(await digestStore(dir, {from: 'b', to: 'b'}), {digest: ZERO, records: 0})
  t.like(await digestStore(dir, {prefix: 'zz'}), {digest: ZERO, records: 0})
})

test('a store with tables, WAL, overwrites, deletes, expiries and binary keys matches the reference, in total, per shard and per range', async (t) => {
  const dir = await newStore(t, 3)
  // Inline flushes and compactions: which expired records a compaction drops (by the real clock, past AT) depends on the
  // compactions' schedule, and the ranges below need some to survive; a background job's timing would make that vary.
  const s = await open(dir, {sync: 'none', walFlushBytes: 8 * 1024, compactionTrigger: 3, levelBaseBytes: 32 * 1024, background: false})
  let n = 0
  for (let round = 0; round < 4; round++) {
    const ops = []
    for (let i = 0; i < 700; i++) {
      const k = (i * 7919 + round * 13) % 1500
      const key = k % 10 === 0 ? Buffer.from([0, k & 0xff, 0xff, k >> 8]) : `user:${String(k).padStart(5, '0')}`
      if ((k + round) % 11 === 0) {
        ops.push({type: 'del' as const, key})
        continue
      }
      const value = k % 17 === 0 ? Buffer.alloc(0) : k % 29 === 0 ? Buffer.alloc(40_000, k) : `v${round}:${k}`
      const expiresAt = k % 5 === 0 ? AT - 1000 + k * round : undefined
      ops.push({type: 'put' as const, key, value, json: k % 3 === 0, ...(expiresAt === undefined ? {} : {expiresAt})})
      n++
    }
    await s.batch(ops)
  }
  await s.close()
  // A few more writes that stay in the WAL (a close flushes only a sizeable memtable).
  const w = await open(dir)
  await w.batch([{type: 'put', key: 'user:00010', value: 'from the WAL'}, {type: 'del', key: 'user:00011'}, {type: 'put', key: 'wal-only', value: 'w', expiresAt: AT + 1}])
  await w.close()
  const stats = await open(dir, {readOnly: true}).then(async (r) => {
    const st = r.stats()
    await r.close()
    return st
  })
  t.true(stats.totals.tables > 0 && stats.totals.memtableEntries > 0, 'records in tables and in the WAL')
  t.true(n > 2000)

  const byShard = await liveByShard(dir, AT)
  const live = [...byShard.values()].flat()
  t.true(live.length > 500 && live.some((r) => r.expiresAt !== undefined) && live.some((r) => r.json) && live.some((r) => r.value.length === 0))
  assertMatchesReference(t, await digestStore(dir, {at: AT}), byShard)

  for (const range of [{from: 'user:00500', to: 'user:01000'}, {prefix: 'user:001'}, {prefix: 'user:', from: 'user:01400'}, {to: 'user:'}]) {
    const sel = await liveByShard(dir, AT, range)
    t.true([...sel.values()].flat().length > 0, JSON.stringify(range))
    assertMatchesReference(t, await digestStore(dir, {at: AT, ...range}), sel)
  }
  for (const shard of [0, 2]) {
    const d = await digestStore(dir, {at: AT, shard})
    t.deepEqual(d.shards.map((x) => x.shard), [shard])
    t.is(d.digest, hex256(referenceSum(byShard.get(shard)!)))
    t.is(d.records, byShard.get(shard)!.length)
  }
})

test('the digest is the same whatever the shard count', async (t) => {
  const ops = Array.from({length: 400}, (_, i) => ({type: 'put' as const, key: `k${i}`, value: `value ${i}`, json: i % 4 === 0, ...(i % 3 === 0 ? {expiresAt: AT + i} : {})}))
  const digests = []
  for (const shards of [1, 3, 8]) {
    const dir = await newStore(t, shards)
    const s = await open(dir, {sync: 'none'})
    await s.batch(ops)
    await s.close()
    const d = await digestStore(dir, {at: AT})
    t.is(d.shards.length, shards)
    digests.push(d.digest)
  }
  t.is(new Set(digests).size, 1)
  t.not(digests[0], ZERO)
})

/** Replaces the WAL of a fresh one-shard store with one holding `entries`. */
function writeWal(dir: string, entries: Entry[]): void {
  const wal = path.join(dir, 'shard-0000', '000001.wal')
  fs.rmSync(wal)
  const w = WalWriter.create(nodeFileSystem, wal, 0)
  w.appendBatch(entries)
  w.sync()
  w.close()
}

test('a zlib-coded value digests as its logical bytes; the schema reference is part of the record', async (t) => {
  const value = Buffer.from('a value long enough to be worth compressing '.repeat(20))
  const raw = await newStore(t, 1)
  writeWal(raw, [{kind: Kind.PUT, key: Buffer.from('k'), value, seq: 1, expiresAt: AT + 5}])
  const coded = await newStore(t, 1)
  writeWal(coded, [{kind: Kind.PUT, key: Buffer.from('k'), value: deflateSync(value), codec: ValueCodec.ZLIB, seq: 7, expiresAt: AT + 5}])
  const a = await digestStore(raw, {at: AT})
  t.is(a.digest, hex256(referenceSum([{key: Buffer.from('k'), value, json: false, expiresAt: AT + 5}])))
  t.is((await digestStore(coded, {at: AT})).digest, a.digest)

  const schema = {id: 3, version: 2}
  const withSchema = await newStore(t, 1)
  writeWal(withSchema, [{kind: Kind.PUT, key: Buffer.from('k'), value, seq: 1, expiresAt: AT + 5, schema}])
  const b = await digestStore(withSchema, {at: AT})
  t.not(b.digest, a.digest)
  t.is(b.digest, hex256(referenceSum([{key: Buffer.from('k'), value, json: false, expiresAt: AT + 5, schema}])))

  // The same records flushed to tables: the whole-shard digest reads them in place, decoding only the coded value.
  for (const [dir, digest] of [[coded, a.digest], [withSchema, b.digest]] as const) {
    const s = await open(dir)
    // stats() opens the shard (shards open on first use; flush writes the open ones).
    t.is(s.stats().totals.memtableEntries, 1)
    await s.flush()
    t.deepEqual([s.stats().totals.memtableEntries, s.stats().totals.tables], [0, 1])
    await s.close()
    t.is((await digestStore(dir, {at: AT})).digest, digest)
  }
})

test('a zlib value that does not inflate is CORRUPTION for the digest and for reads', async (t) => {
  const dir = await newStore(t, 1)
  writeWal(dir, [{kind: Kind.PUT, key: Buffer.from('k'), value: Buffer.from('not a zlib stream'), codec: ValueCodec.ZLIB, seq: 1}])
  const e = await t.throwsAsync(digestStore(dir), {instanceOf: StrataError})
  t.is(e?.code, 'CORRUPTION')
  const s = await open(dir, {readOnly: true})
  t.is(t.throws(() => s.getSync('k'), {instanceOf: StrataError})?.code, 'CORRUPTION')
  await s.close()
})

test('bad options are INVALID_ARGUMENT: a reversed range, a missing shard, a bad instant', async (t) => {
  const dir = await newStore(t, 2)
  for (const options of [{from: 'b', to: 'a'}, {shard: 2}, {shard: -1}, {shard: 0.5}, {at: -1}, {at: 1.5}, {at: Number.NaN}]) {
    const e = await t.throwsAsync(digestStore(dir, options), {instanceOf: StrataError}, JSON.stringify(options))
    t.is(e?.code, 'INVALID_ARGUMENT')
  }
})

test('Sum256 adds modulo 2^256, across its deferred carries', (t) => {
  const latin1 = (n: bigint): string => Buffer.from(hex256(n), 'hex').toString('latin1')
  const max = (1n << 256n) - 1n
  const wrap = new Sum256()
  wrap.addLatin1(latin1(max))
  wrap.addLatin1(latin1(2n))
  t.is(wrap.hex(), hex256(1n))

  // More additions than one carry period (2^20), of the largest value: n × (2^256 − 1) ≡ −n.
  const n = (1 << 20) + 3
  const big = new Sum256()
  const m = latin1(max)
  for (let i = 0; i < n; i++) big.addLatin1(m)
  t.is(big.hex(), hex256((1n << 256n) - BigInt(n)))

  const a = new Sum256()
  const b = new Sum256()
  let expect = 0n
  for (let i = 1; i <= 50; i++) {
    const v = (max / BigInt(i * 7 + 1)) ^ BigInt(i) ** 40n
    ;(i % 2 ? a : b).addLatin1(latin1(v & max))
    expect = (expect + (v & max)) & max
  }
  a.addSum(b)
  t.is(a.hex(), hex256(expect))
})
