/**
 * The SSTable bloom filter (the filter block's contents, see format.ts):
 *
 *   bit array (nbytes)  u8 probes
 *
 * A key's probe i tests bit (start + i * step) mod 2^32 mod (nbytes * 8),
 * where {start, step} = bloomSeed(hashKey(key)). Bit b lives in byte b >> 3
 * under mask 1 << (b & 7).
 */
import {bloomSeed, fmix32, type KeyHash} from '../util/hash.js'

/** Fewest bits in a filter, so tiny tables still get a useful one. */
export const MIN_BLOOM_BITS = 64
/** Most probes a filter may use. */
export const MAX_BLOOM_PROBES = 30

/** Probe count for `bitsPerKey`: round(bitsPerKey × ln 2), clamped to 1..30. */
export function bloomProbes(bitsPerKey: number): number {
  return Math.min(MAX_BLOOM_PROBES, Math.max(1, Math.round(bitsPerKey * Math.LN2)))
}

/**
 * Builds a filter for `hashes` with about `bitsPerKey` bits per key
 * (at least MIN_BLOOM_BITS in all).
 * REQUIRES: bitsPerKey is finite and > 0.
 */
export function buildBloom(hashes: readonly KeyHash[], bitsPerKey: number): Buffer {
  const probes = bloomProbes(bitsPerKey)
  const nbytes = Math.ceil(Math.max(MIN_BLOOM_BITS, Math.ceil(hashes.length * bitsPerKey)) / 8)
  const nbits = nbytes * 8
  const filter = Buffer.alloc(nbytes + 1)
  for (const h of hashes) {
    const {start, step} = bloomSeed(h)
    let pos = start
    for (let i = 0; i < probes; i++) {
      const bit = pos % nbits
      filter[bit >>> 3] |= 1 << (bit & 7)
      pos = (pos + step) >>> 0
    }
  }
  filter[nbytes] = probes
  return filter
}

/**
 * False only if the key hashed to `h` is certainly absent. A filter with no
 * bit array or a probe count outside 1..30 (e.g. written with filtering
 * disabled) cannot rule anything out and returns true.
 */
export function bloomMayContain(filter: Buffer, h: KeyHash): boolean {
  if (filter.length < 2) return true
  const nbytes = filter.length - 1
  const probes = filter[nbytes]
  if (probes < 1 || probes > MAX_BLOOM_PROBES) return true
  const nbits = nbytes * 8
  // bloomSeed(h), inlined: this runs for every table a point read consults, and allocates nothing.
  let pos = fmix32((h.lo ^ Math.imul(h.hi, 0x9e3779b1)) >>> 0)
  const step = (fmix32(h.hi ^ 0x5bd1e995) | 1) >>> 0
  for (let i = 0; i < probes; i++) {
    const bit = pos % nbits
    if ((filter[bit >>> 3] & (1 << (bit & 7))) === 0) return false
    pos = (pos + step) >>> 0
  }
  return true
}
