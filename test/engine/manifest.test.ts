import test from 'ava'
import {errCode} from '../helpers/errors.js'
import {decodeManifest, encodeManifest} from '../../src/manifest/codec.js'
import type {Manifest} from '../../src/manifest/format.js'
import {decodeDescriptor, encodeDescriptor, newDescriptor} from '../../src/store/descriptor.js'
import {StrataError} from '../../src/errors.js'
import {crc32} from '../../src/util/crc.js'

const manifest: Manifest = {
  shard: 2,
  nextFileNumber: 40,
  lastSeq: 900,
  walNumber: 39,
  tables: [
    {fileNumber: 30, fileSize: 12345, level: 0, entries: 10, minSeq: 800, maxSeq: 900, smallestKey: Buffer.from('a'), largestKey: Buffer.from('z')},
    {fileNumber: 12, fileSize: 99, level: 1, entries: 3, minSeq: 1, maxSeq: 20, smallestKey: Buffer.from([0]), largestKey: Buffer.from([0xff, 0xff])},
  ],
}

test('a manifest of a newer format is UNSUPPORTED only when its checksum holds', (t) => {
  const buf = encodeManifest(manifest)
  buf.writeUInt32LE(2, 8)
  t.is(errCode(() => decodeManifest(buf, 'M')), 'CORRUPTION')
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4)
  t.is(errCode(() => decodeManifest(buf, 'M')), 'UNSUPPORTED')
})

test('manifest round-trips', (t) => {
  t.deepEqual(decodeManifest(encodeManifest(manifest), 'M'), manifest)
})

test('every single-bit flip in a manifest is corruption', (t) => {
  const orig = encodeManifest(manifest)
  for (let i = 0; i < orig.length * 8; i++) {
    const buf = Buffer.from(orig)
    buf[i >> 3] ^= 1 << (i & 7)
    const err = t.throws(() => decodeManifest(buf, 'M'), {instanceOf: StrataError})
    t.is(err?.code, 'CORRUPTION')
  }
})

test('a truncated manifest is corruption at every length', (t) => {
  const orig = encodeManifest(manifest)
  for (let n = 0; n < orig.length; n++) t.is(errCode(() => decodeManifest(orig.subarray(0, n), 'M')), 'CORRUPTION')
})

test('descriptor round-trips; damage is corruption; a newer version is unsupported', (t) => {
  const d = newDescriptor(8, 1, 'strata test', 1_700_000_000_000)
  const buf = encodeDescriptor(d)
  t.deepEqual(decodeDescriptor(buf, 'STORE'), d)
  for (let n = 0; n < buf.length; n++) t.is(errCode(() => decodeDescriptor(buf.subarray(0, n), 'STORE')), 'CORRUPTION')
  for (let i = 12; i < buf.length; i++) {
    const b = Buffer.from(buf)
    b[i] ^= 0x10
    t.is(errCode(() => decodeDescriptor(b, 'STORE')), 'CORRUPTION')
  }
  const future = Buffer.from(buf)
  future.writeUInt32LE(2, 8)
  t.is(errCode(() => decodeDescriptor(future, 'STORE')), 'CORRUPTION', 'a version that fails the checksum is damage')
  future.writeUInt32LE(crc32(future.subarray(0, future.length - 4)), future.length - 4)
  t.is(errCode(() => decodeDescriptor(future, 'STORE')), 'UNSUPPORTED', 'a checksummed newer version is unsupported')
})
