/**
 * The lz block codec (src/codec/lz-block.ts) and the Kaitai spec's own
 * decoder of it (the generated StrataLz.cjs processor): round trips on random
 * and repetitive inputs, agreement between the two decoders, and damage that
 * fails as CORRUPTION (RangeError in the spec's decoder), never as a crash.
 */
import test from 'ava'
import fc from 'fast-check'
import {lzCompress, lzDecompress} from '../../src/codec/lz-block.js'
import {StrataError} from '../../src/errors.js'
import lzProcessor from '../../src/kaitai/generated/StrataLz.cjs'
import {randomBytes, rng} from './helpers.js'

const LIMIT = 1 << 20
/** Room enough that compression never gives up: literals cost at most one token and a varint per 15+ bytes. */
const roomy = (n: number): number => 2 * n + 32

/** Inputs with the repeats LZ finds: runs of a few chosen fragments, plus random bytes. */
const repetitive = fc.array(
  fc.oneof(
    fc.uint8Array({minLength: 1, maxLength: 40}),
    fc.tuple(fc.uint8Array({minLength: 1, maxLength: 12}), fc.integer({min: 1, max: 300})).map(([b, times]) => Buffer.concat(Array.from({length: times}, () => b))),
  ),
  {maxLength: 30},
).map((parts) => Buffer.concat(parts))

const anyInput = fc.oneof(fc.uint8Array({maxLength: 9000}).map((b) => Buffer.from(b)), repetitive)

function decodeBySpec(data: Uint8Array): Buffer {
  return Buffer.from(new lzProcessor.StrataLz().decode(data))
}

function isCorruption(err: unknown): boolean {
  return err instanceof StrataError && err.code === 'CORRUPTION'
}

test('decode(encode(x)) = x, by the engine and by the spec\'s decoder', (t) => {
  let runs = 0
  fc.assert(fc.property(anyInput, (x) => {
    runs++
    const z = lzCompress(x, roomy(x.length))
    if (z === undefined) return false
    return lzDecompress(z, LIMIT).equals(x) && decodeBySpec(z).equals(x)
  }), {numRuns: 400})
  t.is(runs, 400)
})

test('repetitive input shrinks; a stream over maxOutput is refused, not truncated', (t) => {
  const x = Buffer.from('{"name":"ann","tags":["a","b"]}'.repeat(130))
  const z = lzCompress(x, x.length)
  t.truthy(z)
  t.true(z!.length < x.length / 10, `${z!.length} of ${x.length}`)
  t.is(lzCompress(x, z!.length - 1), undefined)
  t.deepEqual(lzCompress(x, z!.length), z)
  const random = randomBytes(rng(5), 4096)
  t.is(lzCompress(random, Math.floor(random.length * 7 / 8)), undefined)
})

test('under the store\'s budget (7/8 of the input) a stream either fits and decodes exactly, or is refused', (t) => {
  let encoded = 0
  let refused = 0
  fc.assert(fc.property(anyInput, (x) => {
    const budget = Math.floor(x.length * 7 / 8)
    const z = lzCompress(x, budget)
    if (z === undefined) {
      refused++
      return true
    }
    encoded++
    return z.length <= budget && lzDecompress(z, LIMIT).equals(x) && decodeBySpec(z).equals(x)
  }), {numRuns: 400})
  t.true(encoded > 0 && refused > 0, `${encoded} encoded, ${refused} refused`)
})

test('a block of random values between keys that share prefixes is given up on; text of the same size is not', (t) => {
  // Entries like a data block's: a 16-byte key with a shared prefix, a 100-byte random value, a few bytes of framing.
  const r = rng(11)
  const entries: Buffer[] = []
  for (let i = 0; i < 33; i++) entries.push(Buffer.from(`\x01\x00key:${String(1000 + i).padStart(12, '0')}d`, 'latin1'), randomBytes(r, 100))
  const block = Buffer.concat(entries)
  t.is(lzCompress(block, Math.floor(block.length * 7 / 8)), undefined)
  const text = Buffer.from(Array.from({length: 33}, (_, i) => `{"id":${i},"name":"user ${i}","email":"user${i}@example.com","active":true}`).join(''))
  const z = lzCompress(text, Math.floor(text.length * 7 / 8))
  t.truthy(z)
  t.true(lzDecompress(z!, LIMIT).equals(text))
})

test('every proper prefix of a stream is CORRUPTION in both decoders', (t) => {
  let checked = 0
  fc.assert(fc.property(anyInput, fc.nat(), (x, cut) => {
    const z = lzCompress(x, roomy(x.length))!
    const prefix = z.subarray(0, cut % z.length)
    checked++
    let engine: unknown
    let spec: unknown
    try {
      lzDecompress(prefix, LIMIT)
    } catch (err) {
      engine = err
    }
    try {
      decodeBySpec(prefix)
    } catch (err) {
      spec = err
    }
    return isCorruption(engine) && spec instanceof RangeError
  }), {numRuns: 300})
  t.is(checked, 300)
})

test('a damaged stream decodes to CORRUPTION or to exactly its declared size, the same in both decoders', (t) => {
  // The codec cannot tell every damaged literal byte (the block crc does); what it
  // must never do is throw anything else, overrun, or disagree with the spec.
  let corrupt = 0
  let runs = 0
  fc.assert(fc.property(repetitive, fc.nat(), fc.integer({min: 1, max: 255}), (x, at, mask) => {
    const z = Buffer.from(lzCompress(x, roomy(x.length))!)
    z[at % z.length] ^= mask
    runs++
    let out: Buffer | undefined
    try {
      out = lzDecompress(z, LIMIT)
    } catch (err) {
      if (!isCorruption(err)) return false
      corrupt++
      try {
        decodeBySpec(z)
        return false
      } catch (specErr) {
        return specErr instanceof RangeError
      }
    }
    return out.length <= LIMIT && decodeBySpec(z).equals(out)
  }), {numRuns: 500})
  t.is(runs, 500)
  t.true(corrupt > 100, `${corrupt} of 500 damaged streams were refused`)
})

test('a declared size over the limit is CORRUPTION before anything is allocated', (t) => {
  const z = lzCompress(Buffer.alloc(5000, 7), 10_000)!
  const err = t.throws(() => lzDecompress(z, 4999))
  t.true(isCorruption(err))
  t.deepEqual(lzDecompress(z, 5000), Buffer.alloc(5000, 7))
})
