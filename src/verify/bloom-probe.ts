/**
 * The bloom filter probe of formats/README.md ("Bloom filter"), evaluated on
 * a filter block as the Kaitai parser decodes it: probe i of a key tests bit
 * (start + i * step) mod (nbytes * 8) in unsigned 32-bit arithmetic, where
 * {start, step} = bloomSeed(FNV-1a 64 of the key); bit b is byte b >> 3,
 * mask 1 << (b & 7). An empty filter, or a probe count outside 1..30,
 * matches every key.
 *
 * @internal
 */
import {bloomSeed, hashKey} from '../util/hash.js'
import {MAX_BLOOM_PROBES} from '../sstable/bloom.js'

/** A filter that can rule keys out, or undefined when it matches every key. */
export function usableFilter(bits: Uint8Array | undefined, probes: number | undefined): {bits: Uint8Array; probes: number} | undefined {
  if (bits === undefined || probes === undefined || bits.length === 0) return undefined
  if (probes < 1 || probes > MAX_BLOOM_PROBES) return undefined
  return {bits, probes}
}

/** True when `key` passes the filter (may be in the table). */
export function filterPasses(filter: {bits: Uint8Array; probes: number}, key: Uint8Array): boolean {
  const nbits = filter.bits.length * 8
  const {start, step} = bloomSeed(hashKey(key))
  let pos = start
  for (let i = 0; i < filter.probes; i++) {
    const bit = pos % nbits
    if ((filter.bits[bit >>> 3] & (1 << (bit & 7))) === 0) return false
    pos = (pos + step) >>> 0
  }
  return true
}
