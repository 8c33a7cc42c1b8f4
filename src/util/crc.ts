/**
 * Checksums. Every on-disk checksum in strata is CRC-32 (ISO-HDLC, the zlib
 * polynomial, as `zlib.crc32` computes it; Node >= 20.15). Written to disk;
 * never change.
 */
import * as zlib from 'node:zlib'

/** CRC-32 of `data`, continuing from `initial` when given. */
export function crc32(data: Uint8Array, initial = 0): number {
  return zlib.crc32(data, initial) >>> 0
}
