import test from 'ava'
import {bloomMayContain, bloomProbes, buildBloom} from '../../src/sstable/bloom.js'
import {bloomSeed, hashKey} from '../../src/util/hash.js'

const keyHash = (s: string) => hashKey(Buffer.from(s))

test('a 10 bits/key filter has no false negatives and under 2% false positives on 20k absent keys', (t) => {
  const present = Array.from({length: 20_000}, (_, i) => keyHash(`present:${i}`))
  const filter = buildBloom(present, 10)
  t.true(present.every((h) => bloomMayContain(filter, h)))
  let fp = 0
  for (let i = 0; i < 20_000; i++) if (bloomMayContain(filter, keyHash(`absent:${i}`))) fp++
  t.true(fp / 20_000 < 0.02, `false-positive rate ${fp / 20_000}`)
})

test('probe count is round(bitsPerKey * ln 2) clamped to 1..30', (t) => {
  t.is(bloomProbes(10), 7)
  t.is(bloomProbes(0.1), 1)
  t.is(bloomProbes(100), 30)
  t.is(buildBloom([keyHash('a')], 10).at(-1), 7)
})

test('a filter holds at least 64 bits and about bitsPerKey bits per key', (t) => {
  t.is(buildBloom([], 10).length, 8 + 1)
  t.is(buildBloom([keyHash('a')], 10).length, 8 + 1)
  const hashes = Array.from({length: 1000}, (_, i) => keyHash(String(i)))
  t.is(buildBloom(hashes, 10).length, 1250 + 1)
  t.is(buildBloom(hashes, 9.5).length, Math.ceil(9500 / 8) + 1)
})

test('probe positions are (start + i * step) mod 2^32 mod nbits, bit b in byte b >> 3 under mask 1 << (b & 7)', (t) => {
  const h = keyHash('the documented probe sequence')
  const filter = buildBloom([h], 13) // 64 bits, 9 probes
  const nbits = BigInt((filter.length - 1) * 8)
  const {start, step} = bloomSeed(h)
  const expected = Buffer.alloc(filter.length - 1)
  for (let i = 0n; i < 9n; i++) {
    const bit = Number(((BigInt(start) + i * BigInt(step)) % 2n ** 32n) % nbits)
    expected[bit >> 3] |= 1 << (bit & 7)
  }
  t.deepEqual(filter.subarray(0, -1), expected)
  t.is(filter.at(-1), 9)
})

test('an empty or degenerate filter may contain any key', (t) => {
  const h = keyHash('anything')
  t.true(bloomMayContain(Buffer.alloc(0), h))
  t.true(bloomMayContain(Buffer.from([7]), h))
  t.true(bloomMayContain(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0]), h), 'zero probes')
  t.true(bloomMayContain(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 31]), h), 'too many probes')
  t.false(bloomMayContain(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 7]), h), 'an all-zero filter excludes every key')
})
