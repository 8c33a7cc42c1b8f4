/**
 * The "lz" block codec: byte-oriented LZ77 with no entropy stage, so both
 * directions are a few table look-ups and copies per sequence. It trades
 * ratio for speed (deflate is several times slower to write), which suits
 * data blocks of 4 KiB that are written once and read often.
 *
 *   stream   := varint raw_length  sequence*
 *   sequence := u8 token  [varint literal_extra]  literal bytes
 *               [u16le distance  [varint match_extra]]
 *   token    := high nibble: literal count, 15 = 15 + literal_extra
 *               low nibble:  match length - MIN_MATCH, 15 = 15 + match_extra
 *
 * A sequence whose literals end the stream has no match part (its low nibble
 * is 0); the encoder writes such a tail only when literals remain, so every
 * proper prefix of a stream it wrote fails to decode. A match copies `length` bytes starting `distance` (1 .. 65535) bytes
 * back in the output; it may overlap the bytes it produces. Varints are
 * unsigned LEB128. The decoded size must equal raw_length exactly. Described
 * for readers of the file format in formats/strata_sstable.ksy (strata_lz).
 */
import {ErrorCode, StrataError} from '../errors.js'

/** Shortest match the encoder emits (and what a match length nibble adds to). */
export const MIN_MATCH = 4
/** Farthest back a match may reach. */
export const MAX_DISTANCE = 65535
/** log2 of the encoder's hash table size: 4,096 slots suit 4 KiB blocks and stay cheap to clear. */
const HASH_BITS = 12
/** The encoder searches every position at first, then skips further after each run of 32 misses (incompressible data). */
const SKIP_SHIFT = 5

/**
 * The encoder gives up early on data that is clearly not going to fit
 * `maxOutput`: at each quarter of the input it projects the output (what it
 * wrote plus the literals pending since the last match, per input byte) and
 * stops once that is over GIVE_UP times `maxOutput` per input byte. Blocks
 * of incompressible values (binary, encrypted or already compressed data)
 * were encoded in full only to be stored raw. The margin keeps blocks that
 * end up just under the limit: for values of random bytes between keys with
 * shared prefixes, the projection at a quarter lies within 2% of the final
 * ratio, so without it nearly all the blocks that would have been stored
 * compressed were given up. The price: a block whose first quarter does not
 * compress at all is stored raw even when its rest would have made up for it.
 */
const CHECKS = 4
const GIVE_UP = 17 / 16

/** Copies shorter than this run as a byte loop: cheaper than a native copy's call overhead. */
const SHORT_COPY = 32

const table = new Int32Array(1 << HASH_BITS)

/**
 * Encodes `src`, or returns undefined as soon as the output would exceed
 * `maxOutput` bytes, or is on course to (CHECKS): the caller then stores the
 * block raw. Deterministic.
 */
export function lzCompress(src: Uint8Array, maxOutput: number): Buffer | undefined {
  const n = src.length
  // Worst case of a stream that fits maxOutput, plus room for the tail sequence's header.
  const out = Buffer.allocUnsafe(maxOutput + 16)
  let op = writeVarint(out, 0, n)
  table.fill(-1)
  let anchor = 0 // first byte not yet emitted
  let ip = 0
  let misses = 0
  const last = n - MIN_MATCH // a match must start at or before this position
  const step = Math.ceil(n / CHECKS)
  let check = step
  while (ip <= last) {
    if (ip >= check) {
      // Projected: written so far plus the literals since the last match, against the same share of the budget.
      if ((op + ip - anchor) / ip > (GIVE_UP * maxOutput) / n) return undefined
      check += step
    }
    const word = read32(src, ip)
    const h = Math.imul(word, 0x9e3779b1) >>> (32 - HASH_BITS)
    const candidate = table[h]
    table[h] = ip
    if (candidate < 0 || ip - candidate > MAX_DISTANCE || read32(src, candidate) !== word) {
      ip += 1 + (misses++ >> SKIP_SHIFT)
      continue
    }
    misses = 0
    let length = MIN_MATCH
    while (ip + length < n && src[ip + length] === src[candidate + length]) length++
    op = writeSequence(out, op, src, anchor, ip - anchor, length - MIN_MATCH, maxOutput)
    if (op < 0) return undefined
    out[op++] = (ip - candidate) & 0xff
    out[op++] = (ip - candidate) >>> 8
    if (length - MIN_MATCH >= 15) op = writeVarint(out, op, length - MIN_MATCH - 15)
    ip += length
    anchor = ip
  }
  // The tail sequence carries the literals after the last match; with none left there is none, so every sequence yields bytes.
  if (anchor < n) op = writeSequence(out, op, src, anchor, n - anchor, 0, maxOutput)
  if (op < 0 || op > maxOutput) return undefined
  return out.subarray(0, op)
}

/**
 * Decodes a stream `lzCompress` wrote. Throws CORRUPTION (never anything
 * else, never a partial result) when the stream is malformed, when its
 * matches reach before the start, or when it declares more than `maxRaw`
 * bytes.
 */
export function lzDecompress(src: Uint8Array, maxRaw: number): Buffer {
  const n = src.length
  let ip = 0
  const varint = (): number => {
    let value = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      if (ip >= n) bad('truncated length')
      const b = src[ip++]
      value += (b & 0x7f) * scale
      if (b < 0x80) return value
      scale *= 128
    }
    return bad('length too long')
  }
  const size = varint()
  if (size > maxRaw) bad(`declared size ${size} is over the limit of ${maxRaw}`)
  const out = Buffer.allocUnsafe(size)
  let op = 0
  while (ip < n) {
    const token = src[ip++]
    let literals = token >>> 4
    if (literals === 15) literals += varint()
    if (literals > n - ip || literals > size - op) bad('literals run past the end')
    if (literals < SHORT_COPY) {
      for (const end = ip + literals; ip < end;) out[op++] = src[ip++]
    } else {
      out.set(src.subarray(ip, ip + literals), op)
      ip += literals
      op += literals
    }
    if (ip === n) {
      if ((token & 15) !== 0) bad('stream ends inside a match')
      break
    }
    if (ip + 2 > n) bad('truncated match')
    const distance = src[ip] | (src[ip + 1] << 8)
    ip += 2
    let length = token & 15
    if (length === 15) length += varint()
    length += MIN_MATCH
    if (distance === 0 || distance > op) bad(`match distance ${distance} reaches before the start`)
    if (length > size - op) bad('match runs past the declared size')
    let from = op - distance
    if (distance >= length && length >= SHORT_COPY) {
      out.copyWithin(op, from, from + length)
      op += length
    } else {
      for (const end = op + length; op < end;) out[op++] = out[from++]
    }
  }
  if (op !== size) bad(`decoded ${op} bytes, declared ${size}`)
  return out
}

/** Token, literal_extra and the literals; -1 if they would pass maxOutput. */
function writeSequence(out: Buffer, op: number, src: Uint8Array, from: number, literals: number, matchNibble: number, maxOutput: number): number {
  if (op + 1 + 5 + literals + 2 + 5 > maxOutput + 16) return -1
  out[op++] = (Math.min(literals, 15) << 4) | Math.min(matchNibble, 15)
  if (literals >= 15) op = writeVarint(out, op, literals - 15)
  if (literals < SHORT_COPY) {
    for (const end = from + literals; from < end;) out[op++] = src[from++]
    return op
  }
  out.set(src.subarray(from, from + literals), op)
  return op + literals
}

function writeVarint(out: Buffer, op: number, value: number): number {
  while (value >= 0x80) {
    out[op++] = (value % 128) | 0x80
    value = Math.floor(value / 128)
  }
  out[op++] = value
  return op
}

function read32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)
}

function bad(what: string): never {
  throw new StrataError(ErrorCode.CORRUPTION, `bad lz block: ${what}`)
}
