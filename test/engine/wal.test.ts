import test from 'ava'
import {errCode} from '../helpers/errors.js'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {WalWriter} from '../../src/wal/writer.js'
import {decodeWal} from '../../src/wal/reader.js'
import {WAL_HEADER_SIZE} from '../../src/wal/format.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import {Kind, type Entry} from '../../src/record/format.js'
import {trustedEntryAt} from '../../src/record/codec.js'
import {StrataError} from '../../src/errors.js'
import {crc32} from '../../src/util/crc.js'
import {tempDir} from '../helpers/temp.js'

function put(seq: number, key: string, value: string, extra: Partial<Entry> = {}): Entry {
  return {kind: Kind.PUT, seq, key: Buffer.from(key), value: Buffer.from(value), ...extra}
}

function writeLog(batches: Entry[][]): {path: string; ends: number[]} {
  const p = path.join(tempDir(), '000001.wal')
  const w = WalWriter.create(nodeFileSystem, p, 3)
  const ends: number[] = []
  for (const b of batches) {
    w.appendBatch(b)
    ends.push(w.size())
  }
  w.sync()
  w.close()
  return {path: p, ends}
}

const sample = (): Entry[][] => [
  [put(1, 'a', '1'), put(2, 'b', '2', {expiresAt: 1_900_000_000_000, json: true})],
  [{kind: Kind.DELETE, seq: 3, key: Buffer.from('a'), value: Buffer.alloc(0)}],
  [put(4, 'c', 'x'.repeat(5000), {schema: {id: 7, version: 2}})],
]

test('batches round-trip with every entry field', (t) => {
  const {path: p, ends} = writeLog(sample())
  const wal = decodeWal(fs.readFileSync(p), p)
  t.is(wal.shard, 3)
  t.is(wal.batches.length, 3)
  t.is(wal.validLength, ends[2])
  t.is(wal.tornTail, undefined)
  const b0 = wal.batches[0].entries
  t.deepEqual(b0.map((e) => [e.seq, e.key.toString(), e.value.toString()]), [[1, 'a', '1'], [2, 'b', '2']])
  t.is(b0[1].expiresAt, 1_900_000_000_000)
  t.true(b0[1].json)
  t.is(wal.batches[1].entries[0].kind, Kind.DELETE)
  t.deepEqual(wal.batches[2].entries[0].schema, {id: 7, version: 2})
  // Each batch's entries as encoded in the file, where a memtable copies them from.
  for (const b of wal.batches) {
    t.is(b.starts.length, b.entries.length)
    t.deepEqual(b.starts.map((at) => trustedEntryAt(b.encoded, at)), b.entries)
  }
})

test('truncated trailing record is a torn tail: dropped, everything before kept', (t) => {
  const {path: p, ends} = writeLog(sample())
  const full = fs.readFileSync(p)
  for (let cut = ends[1] + 1; cut < ends[2]; cut += 97) {
    const wal = decodeWal(full.subarray(0, cut), p)
    t.is(wal.batches.length, 2)
    t.is(wal.validLength, ends[1])
    t.is(wal.tornTail?.offset, ends[1])
  }
})

test('zero-filled or garbage tail after the last record is a torn tail', (t) => {
  const {path: p, ends} = writeLog(sample())
  const full = fs.readFileSync(p)
  const zeros = Buffer.concat([full, Buffer.alloc(4096)])
  t.is(decodeWal(zeros, p).batches.length, 3)
  const garbage = Buffer.concat([full, Buffer.from(Array.from({length: 300}, (_, i) => (i * 37 + 11) & 0xff))])
  const wal = decodeWal(garbage, p)
  t.is(wal.batches.length, 3)
  t.is(wal.validLength, ends[2])
})

test('checksum mismatch in the middle is corruption naming file and offset', (t) => {
  const {path: p, ends} = writeLog(sample())
  const buf = fs.readFileSync(p)
  buf[ends[0] + 12] ^= 0x40 // inside batch 2
  const err = t.throws(() => decodeWal(buf, p), {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.is(err?.file, p)
  t.is(err?.offset, ends[0])
})

test('a damaged length field in the middle is corruption, not a torn tail', (t) => {
  const {path: p, ends} = writeLog(sample())
  const buf = fs.readFileSync(p)
  buf.writeUInt32LE(0x7fffffff, WAL_HEADER_SIZE + 4)
  const err = t.throws(() => decodeWal(buf, p), {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.is(err?.offset, WAL_HEADER_SIZE)
  void ends
})

test('sequence numbers that do not increase are corruption', (t) => {
  const {path: p} = writeLog([[put(5, 'a', '1')], [put(5, 'b', '2')]])
  t.is(errCode(() => decodeWal(fs.readFileSync(p), p)), 'CORRUPTION')
  const {path: p2} = writeLog([[put(5, 'a', '1')]])
  t.is(errCode(() => decodeWal(fs.readFileSync(p2), p2, 9)), 'CORRUPTION')
})

test('bad magic, short header and future version are reported', (t) => {
  const {path: p} = writeLog(sample())
  const buf = fs.readFileSync(p)
  t.is(errCode(() => decodeWal(buf.subarray(0, 10), p)), 'CORRUPTION')
  const bad = Buffer.from(buf)
  bad[0] = 0
  t.is(errCode(() => decodeWal(bad, p)), 'CORRUPTION')
  const future = Buffer.from(buf)
  future.writeUInt32LE(9, 8)
  t.is(errCode(() => decodeWal(future, p)), 'CORRUPTION', 'a version that fails the header checksum is damage')
  future.writeUInt32LE(crc32(future.subarray(0, 16)), 16)
  t.is(errCode(() => decodeWal(future, p)), 'UNSUPPORTED')
})

test('every single-bit flip anywhere, the last record included, is corruption', (t) => {
  const {path: p, ends} = writeLog(sample())
  const orig = fs.readFileSync(p)
  for (let bit = 0; bit < orig.length * 8; bit++) {
    const buf = Buffer.from(orig)
    const i = bit >> 3
    buf[i] ^= 1 << (bit & 7)
    const err = t.throws(() => decodeWal(buf, p), undefined, `flip of bit ${bit & 7} at byte ${i} went unnoticed`)
    if (!(err instanceof StrataError)) continue
    t.is(err.code, 'CORRUPTION')
    // The offset names the header or the record that holds the damaged byte.
    if (i < 20) {
      t.true(err.offset! < 20, `header flip at ${i} reported at ${err.offset}`)
    } else {
      const start = [20, ...ends].filter((e) => e <= i).at(-1)!
      t.true(err.offset! >= start && err.offset! <= i, `flip at ${i} reported at ${err.offset}`)
    }
  }
})
