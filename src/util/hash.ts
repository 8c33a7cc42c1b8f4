/**
 * Key hashing. Part of the on-disk format: the hash id is recorded in STORE
 * and the meaning of an id never changes.
 *
 * HashId.FNV1A64_JUMP (1): a key's 64-bit hash is FNV-1a 64 over its bytes;
 * its shard is Lamping & Veach's jump consistent hash of that value over the
 * shard count. Bloom filters probe positions derived from the same 64-bit hash
 * (see `bloomSeed`).
 *
 * 64-bit arithmetic is done on two unsigned 32-bit halves; no BigInt on the
 * hot path.
 */

/** Hash algorithm ids. Written to disk; never change. */
export const HashId = {
  FNV1A64_JUMP: 1,
} as const

/** A 64-bit hash as two unsigned 32-bit halves. */
export interface KeyHash {
  readonly hi: number
  readonly lo: number
}

const TWO32 = 0x1_0000_0000

/** FNV-1a 64 of `key` (of key[start, end) when given). */
export function hashKey(key: Uint8Array, start = 0, end = key.length): KeyHash {
  let hi = 0xcbf29ce4
  let lo = 0x84222325
  for (let i = start; i < end; i++) {
    lo = (lo ^ key[i]) >>> 0
    // x * 0x100000001b3 = x * 0x1b3 + (x << 40)  (mod 2^64)
    const l = lo * 0x1b3
    const h = hi * 0x1b3 + Math.floor(l / TWO32)
    hi = (h + (lo << 8)) >>> 0
    lo = l >>> 0
  }
  return {hi, lo}
}

/** Full 64-bit product of two unsigned 32-bit numbers, as halves. */
function mul32x32(a: number, b: number): KeyHash {
  const a0 = a & 0xffff
  const a1 = a >>> 16
  const b0 = b & 0xffff
  const b1 = b >>> 16
  const mid = a0 * b1 + a1 * b0
  const low = a0 * b0 + (mid % 0x10000) * 0x10000
  const hi = a1 * b1 + Math.floor(mid / 0x10000) + Math.floor(low / TWO32)
  return {hi: hi >>> 0, lo: low >>> 0}
}

/** (a * b) mod 2^64 on halves. */
export function mul64(aHi: number, aLo: number, bHi: number, bLo: number): KeyHash {
  const p = mul32x32(aLo, bLo)
  const hi = (p.hi + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0
  return {hi, lo: p.lo}
}

/** Jump consistent hash of a 64-bit key over `buckets` buckets (1..2^31). */
export function jumpHash(h: KeyHash, buckets: number): number {
  let hi = h.hi
  let lo = h.lo
  let b = -1
  let j = 0
  while (j < buckets) {
    b = j
    // key = key * 2862933555777941757 + 1
    const p = mul64(hi, lo, 0x27bb2ee6, 0x87b0b0fd)
    hi = p.hi
    lo = p.lo + 1
    if (lo === TWO32) {
      lo = 0
      hi = (hi + 1) >>> 0
    }
    j = Math.floor((b + 1) * (2147483648 / ((hi >>> 1) + 1)))
  }
  return b
}

/**
 * The shard that owns `key` in a store of `shards` shards: the one routing
 * rule, used by every reader, writer and checker of shard placement.
 */
export function shardOf(key: Uint8Array, shards: number): number {
  return shardOfHash(hashKey(key), shards)
}

/** `shardOf` for a key whose hash `h` the caller already has. */
export function shardOfHash(h: KeyHash, shards: number): number {
  return shards === 1 ? 0 : jumpHash(h, shards)
}

/** MurmurHash3's 32-bit finaliser. */
export function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * The bloom filter's starting position and step for a key hash: probe i tests
 * bit (start + i * step) mod nbits, computed in unsigned 32-bit arithmetic.
 * Written to disk (through the filters built with it); never change.
 * sstable/bloom.ts's lookup computes the same inline (a divergence shows in its tests as false negatives).
 */
export function bloomSeed(h: KeyHash): {start: number; step: number} {
  return {start: fmix32((h.lo ^ Math.imul(h.hi, 0x9e3779b1)) >>> 0), step: (fmix32(h.hi ^ 0x5bd1e995) | 1) >>> 0}
}
