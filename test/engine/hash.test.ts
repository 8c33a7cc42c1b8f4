import test from 'ava'
import {hashKey, jumpHash, mul64, shardOf} from '../../src/util/hash.js'

const M64 = (1n << 64n) - 1n

function fnvRef(key: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n
  for (const b of key) {
    h ^= BigInt(b)
    h = (h * 0x100000001b3n) & M64
  }
  return h
}

function jumpRef(key: bigint, buckets: number): number {
  let b = -1n
  let j = 0n
  while (j < BigInt(buckets)) {
    b = j
    key = (key * 2862933555777941757n + 1n) & M64
    j = BigInt(Math.floor(Number(b + 1n) * (2147483648 / Number((key >> 33n) + 1n))))
  }
  return Number(b)
}

const toBig = (h: {hi: number; lo: number}): bigint => (BigInt(h.hi) << 32n) | BigInt(h.lo)

test('fnv1a64 on 32-bit halves matches a BigInt reference', (t) => {
  for (let i = 0; i < 2000; i++) {
    const key = Buffer.from(`k${i}-${'x'.repeat(i % 40)}`)
    t.is(toBig(hashKey(key)), fnvRef(key))
  }
  t.is(toBig(hashKey(Buffer.alloc(0))), 0xcbf29ce484222325n)
})

test('mul64 matches BigInt multiplication modulo 2^64', (t) => {
  const vals = [0, 1, 0xffffffff, 0x80000000, 0x12345678, 0x87b0b0fd, 0x27bb2ee6, 0xdeadbeef]
  for (const aHi of vals) for (const aLo of vals) for (const bLo of vals) {
    const r = mul64(aHi, aLo, 0x27bb2ee6, bLo)
    const ref = ((BigInt(aHi) << 32n | BigInt(aLo)) * (0x27bb2ee6n << 32n | BigInt(bLo))) & M64
    t.is(toBig(r), ref)
  }
})

test('jump hash matches the reference algorithm for many bucket counts', (t) => {
  for (let i = 0; i < 500; i++) {
    const key = Buffer.from(`key-${i}`)
    const h = hashKey(key)
    for (const n of [1, 2, 3, 4, 7, 8, 16, 100, 1024]) t.is(jumpHash(h, n), jumpRef(toBig(h), n))
  }
})

test('sharding spreads keys evenly and moves only the keys that must move when growing', (t) => {
  const counts = new Array(8).fill(0)
  let moved = 0
  const n = 40000
  for (let i = 0; i < n; i++) {
    const key = Buffer.from(`user:${i}`)
    const s8 = shardOf(key, 8)
    counts[s8]++
    const s9 = shardOf(key, 9)
    if (s9 !== s8) {
      moved++
      t.is(s9, 8, 'a key only ever moves to the new shard')
    }
  }
  for (const c of counts) t.true(Math.abs(c - n / 8) < n / 8 * 0.1, `shard count ${c} within 10% of ${n / 8}`)
  t.true(Math.abs(moved - n / 9) < n / 9 * 0.15, `moved ${moved} ≈ n/9`)
})
