import test from 'ava'
import {errCode} from '../helpers/errors.js'
import {ByteReader, ByteWriter, varintLength} from '../../src/util/coding.js'
import {StrataError} from '../../src/errors.js'

test('varints round-trip up to 2^53 - 1 and report their length', (t) => {
  const vals = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31, 2 ** 32 + 5, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]
  const w = new ByteWriter(4)
  for (const v of vals) w.varint(v)
  const r = new ByteReader(Buffer.from(w.finish()), 'f')
  for (const v of vals) {
    const at = r.pos
    t.is(r.varint(), v)
    t.is(r.pos - at, varintLength(v))
  }
  t.is(r.remaining, 0)
})

test('a varint longer than 8 bytes is corruption with its offset', (t) => {
  const r = new ByteReader(Buffer.from([0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 'x.bin', 100, 1)
  const err = t.throws(() => r.varint('len'), {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.is(err?.offset, 101)
  t.is(err?.file, 'x.bin')
})

test('reads past the end are corruption, never RangeError', (t) => {
  const r = new ByteReader(Buffer.from([5, 1, 2]), 'f')
  const err = t.throws(() => r.lengthPrefixed('key'), {instanceOf: StrataError})
  t.is(err?.code, 'CORRUPTION')
  t.throws(() => new ByteReader(Buffer.alloc(3), 'f').u32(), {instanceOf: StrataError})
  t.throws(() => new ByteReader(Buffer.alloc(7), 'f').u64(), {instanceOf: StrataError})
})

test('u64 above 2^53 is corruption', (t) => {
  const r = new ByteReader(Buffer.from([0, 0, 0, 0, 0, 0, 0x20, 0]), 'f')
  t.is(errCode(() => r.u64()), 'CORRUPTION')
})
