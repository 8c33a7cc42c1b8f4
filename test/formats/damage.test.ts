/**
 * The Kaitai parsers on damaged input: truncation, bit flips, garbage.
 * Each case ends in a StrataError (CORRUPTION, or UNSUPPORTED for a newer
 * format version) naming the file - never a foreign exception or a hang -
 * and a flip the parser cannot see is caught by a checksum recomputed over
 * the spans it decoded.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createStore, open, ErrorCode, StrataError} from '../../src/index.js'
import {crc32} from '../../src/util/crc.js'
import {dataBlock, fieldSpan, parseSstable, parseWal, Parsers, releaseDataBlock, type FileKind} from '../../src/kaitai/index.js'
import {CURRENT_TABLE_FORMAT} from '../../src/sstable/format.js'
import {tempDir} from '../helpers/temp.js'
import {pseudoRandom} from '../helpers/random.js'
import {checksums, dataBlocks, filesOf, parseAs} from './helpers.js'

interface Sample {
  readonly kind: FileKind
  readonly name: string
  readonly buf: Buffer
}

let samples: Sample[] = []

/** One small file of each kind: a 1-shard store with one flushed table (zlib and raw blocks) and a WAL. */
test.before(async () => {
  const dir = path.join(tempDir('strata-damage-'), 'db')
  await createStore(dir, {shards: 1, compression: 'zlib'})
  const s = await open(dir, {sync: 'none'})
  for (let i = 0; i < 40; i++) await s.put(`text:${i}`, `compressible value ${i} `.repeat(5), i % 5 === 0 ? {ttlMs: 3_600_000} : {})
  for (let i = 0; i < 30; i++) await s.put(Buffer.from([0xff, i]), pseudoRandom(`v${i}`, 120))
  await s.delete('text:3')
  await s.flush()
  await s.batch([{type: 'put', key: Buffer.from([0x00]), value: 'in the wal', ttlMs: 1000}, {type: 'del', key: 'text:4'}])
  await s.put('json', '{"a":1}', {json: true})
  await s.close()
  samples = filesOf(dir).filter((f) => f.kind !== undefined).map((f) => ({kind: f.kind!, name: f.name, buf: fs.readFileSync(f.path)}))
})

/** 'ok', or the StrataError code, or a description of a foreign error (a bug). */
function outcome(kind: FileKind, buf: Buffer, name: string): {result: string; parsed?: ReturnType<typeof parseAs>} {
  try {
    return {result: 'ok', parsed: parseAs(kind, buf, name)}
  } catch (err) {
    if (!(err instanceof StrataError)) return {result: `foreign ${String(err)}`}
    if (err.file !== name) return {result: `error names ${err.file}, not ${name}`}
    if (err.offset !== undefined && !(err.offset >= 0 && err.offset <= buf.length)) return {result: `offset ${err.offset} outside the file`}
    return {result: err.code}
  }
}

test('the samples cover every file kind, and a table with zlib and raw blocks', (t) => {
  t.deepEqual([...new Set(samples.map((s) => s.kind))].sort(), ['manifest', 'sst', 'store', 'wal'])
  const sst = samples.find((s) => s.kind === 'sst')!
  const kinds = new Set(dataBlocks(parseSstable(sst.buf, sst.name)).map((b) => b.compression))
  t.deepEqual([...kinds].sort(), [Parsers.StrataSstable.BlockCompression.NONE, Parsers.StrataSstable.BlockCompression.ZLIB])
})

test('a file truncated at any offset is rejected, except a WAL cut exactly between records', (t) => {
  const wrong: string[] = []
  let rejected = 0
  let atBoundary = 0
  for (const s of samples) {
    const boundaries = new Set<number>()
    if (s.kind === 'wal') for (const r of parseWal(s.buf, s.name).records) boundaries.add(r.ofs)
    for (let n = 0; n < s.buf.length; n++) {
      const {result, parsed} = outcome(s.kind, Buffer.from(s.buf.subarray(0, n)), s.name)
      if (boundaries.has(n)) {
        atBoundary++
        t.is(result, 'ok', `${s.name} cut at record boundary ${n}`)
        if (parsed?.kind === 'wal') t.is(parsed.file.records.at(-1)?.endOfs ?? 20, n)
      } else if (result === ErrorCode.CORRUPTION) {
        rejected++
      } else {
        wrong.push(`${s.name} truncated to ${n} bytes: ${result}`)
      }
    }
  }
  t.deepEqual(wrong, [])
  // Every prefix of every sample was checked: the fixture has a file of each kind and a WAL of several records.
  t.is(rejected + atBoundary, samples.reduce((sum, s) => sum + s.buf.length, 0))
  t.deepEqual([...new Set(samples.map((s) => s.kind))].sort(), ['manifest', 'sst', 'store', 'wal'])
  t.true(atBoundary >= 2, `${atBoundary} WAL record boundaries checked`)
})

test('every single-bit flip is caught by the parser or by a checksum over the decoded spans', (t) => {
  const wrong: string[] = []
  let flips = 0
  for (const s of samples) {
    let parsedButCaught = 0
    for (let at = 0; at < s.buf.length; at++) {
      flips++
      const buf = Buffer.from(s.buf)
      buf[at] ^= 1 << (at % 8)
      const {result, parsed} = outcome(s.kind, buf, s.name)
      if (result === 'ok') {
        const bad = checksums(parsed!).filter((c) => c.computed !== c.stored)
        if (bad.length === 0) wrong.push(`${s.name}: flip at byte ${at} parses with every checksum intact`)
        parsedButCaught++
      } else if (result !== ErrorCode.CORRUPTION && result !== ErrorCode.UNSUPPORTED) {
        wrong.push(`${s.name}: flip at byte ${at}: ${result}`)
      }
    }
    t.true(parsedButCaught > 0, `${s.name}: some flips are only visible to checksums`)
  }
  t.deepEqual(wrong, [])
  t.is(flips, samples.reduce((sum, s) => sum + s.buf.length, 0))
  t.deepEqual([...new Set(samples.map((s) => s.kind))].sort(), ['manifest', 'sst', 'store', 'wal'])
})

test('empty, zero-filled and random input is rejected as corruption', (t) => {
  for (const kind of ['store', 'manifest', 'wal', 'sst'] as const) {
    for (const buf of [Buffer.alloc(0), Buffer.alloc(1), Buffer.alloc(64), Buffer.alloc(4096), pseudoRandom(kind, 100), pseudoRandom(kind, 5000)]) {
      t.is(outcome(kind, buf, `x.${kind}`).result, ErrorCode.CORRUPTION, `${kind} of ${buf.length} bytes`)
    }
  }
})

test('a damaged field is reported with its path and file offset', (t) => {
  const wal = samples.find((s) => s.kind === 'wal')!
  const parsed = parseWal(wal.buf, wal.name)
  const entry = (parsed.records[0].payload as InstanceType<typeof Parsers.StrataWal.Batch>).entries[0]
  const kindAt = fieldSpan(parsed, entry, 'kind')!.offset
  t.is(kindAt, 20 + 9 + 4) // header, record header, batch count
  const buf = Buffer.from(wal.buf)
  buf[kindAt] = 7
  const err = t.throws(() => parseWal(buf, wal.name), {instanceOf: StrataError})!
  t.is(err.code, ErrorCode.CORRUPTION)
  t.is(err.offset, kindAt)
  t.regex(err.message, /records\[0\]\.payload\.entries\[0\]\.kind/)
})

test('damage inside a zlib block names the block and the position in its inflated contents', (t) => {
  const sst = samples.find((s) => s.kind === 'sst')!
  const table = parseSstable(sst.buf, sst.name)
  const i = dataBlocks(table).findIndex((b) => b.compression === Parsers.StrataSstable.BlockCompression.ZLIB)
  const h = table.index.entries[i].handle
  const buf = Buffer.from(sst.buf)
  buf.fill(0xab, h.offset + 2, h.offset + h.size - 4) // keep the zlib header, wreck the deflate stream
  const err = t.throws(() => parseSstable(buf, sst.name), {instanceOf: StrataError})!
  t.is(err.code, ErrorCode.CORRUPTION)
  t.is(err.offset, h.offset)
  t.regex(err.message, /bad zlib stream/)
})

test('a newer format version or key hash is UNSUPPORTED, not corruption', (t) => {
  for (const s of samples) {
    const buf = Buffer.from(s.buf)
    if (s.kind === 'sst') {
      const at = buf.length - 52
      buf.writeUInt32LE(CURRENT_TABLE_FORMAT + 1, at + 36)
      buf.writeUInt32LE(crc32(buf.subarray(at, at + 40)), at + 40)
    } else {
      buf.writeUInt32LE(2, 8)
      // A version that fails the checksum covering it is damage, not a newer format.
      t.is(outcome(s.kind, buf, s.name).result, ErrorCode.CORRUPTION, s.name)
      if (s.kind === 'wal') buf.writeUInt32LE(crc32(buf.subarray(0, 16)), 16)
      else buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4)
    }
    t.is(outcome(s.kind, buf, s.name).result, ErrorCode.UNSUPPORTED, s.name)
  }
  // An unknown key hash in a STORE whose crc holds is a newer strata's; with a bad crc it is damage.
  const store = samples.find((s) => s.kind === 'store')!
  const buf = Buffer.from(store.buf)
  buf[16] = 9
  t.is(outcome('store', buf, store.name).result, ErrorCode.CORRUPTION)
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4)
  t.is(outcome('store', buf, store.name).result, ErrorCode.UNSUPPORTED)
})

test('a table parsed without its data blocks decodes them on demand, and reports their damage then', (t) => {
  const sst = samples.find((s) => s.kind === 'sst')!
  const whole = dataBlocks(parseSstable(sst.buf, sst.name)).map((b) => b.block.entryArea.entries.map((e) => Buffer.from(e.key).toString('hex')))
  const table = parseSstable(sst.buf, sst.name, {dataBlocks: 'check'})
  table.index.entries.forEach((_, i) => {
    t.deepEqual(dataBlock(table, i).entryArea.entries.map((e) => Buffer.from(e.key).toString('hex')), whole[i])
    releaseDataBlock(table, i)
  })
  const h = table.index.entries[0].handle
  const buf = Buffer.from(sst.buf)
  buf.fill(0xee, h.offset, h.offset + h.size) // block 0's contents, trailer intact
  const err = t.throws(() => parseSstable(buf, sst.name, {dataBlocks: 'check'}), {instanceOf: StrataError})!
  t.is(err.code, ErrorCode.CORRUPTION)
  const lazy = parseSstable(buf, sst.name, {dataBlocks: 'skip'})
  const onDemand = t.throws(() => dataBlock(lazy, 0), {instanceOf: StrataError})!
  t.is(onDemand.code, ErrorCode.CORRUPTION)
  t.is(onDemand.file, sst.name)
  t.is(onDemand.message, err.message)
})
