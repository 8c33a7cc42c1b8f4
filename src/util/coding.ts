/**
 * Byte coding shared by every on-disk format: little-endian fixed-width
 * integers and unsigned LEB128 varints.
 *
 * Varints here carry integers up to 2^53 - 1 (JavaScript's safe range) in at
 * most 8 bytes. They are decoded with multiplication, never with `<<`, which
 * is 32-bit in JavaScript. A varint longer than 8 bytes, or one that would
 * exceed 2^53 - 1, is corruption.
 */
import {corruption} from '../errors.js'

/** Longest varint the formats allow (8 × 7 = 56 bits ≥ 53). */
export const MAX_VARINT_BYTES = 8

/** Number of bytes `value` takes as a varint. */
export function varintLength(value: number): number {
  let n = 1
  while (value >= 0x80) {
    value = Math.floor(value / 128)
    n++
  }
  return n
}

/**
 * Appends bytes into a growing buffer. One writer builds one block or record;
 * `finish()` returns a view of exactly the bytes written.
 */
export class ByteWriter {
  private buf: Buffer
  private pos = 0

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(initialCapacity)
  }

  get length(): number {
    return this.pos
  }

  private ensure(extra: number): void {
    const need = this.pos + extra
    if (need <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < need) cap *= 2
    const next = Buffer.allocUnsafe(cap)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  u8(v: number): this {
    this.ensure(1)
    this.buf[this.pos++] = v
    return this
  }

  u32(v: number): this {
    this.ensure(4)
    this.buf.writeUInt32LE(v >>> 0, this.pos)
    this.pos += 4
    return this
  }

  /** Writes a non-negative safe integer as 8 little-endian bytes. */
  u64(v: number): this {
    this.ensure(8)
    this.buf.writeUInt32LE(v % 0x1_0000_0000, this.pos)
    this.buf.writeUInt32LE(Math.floor(v / 0x1_0000_0000), this.pos + 4)
    this.pos += 8
    return this
  }

  varint(v: number): this {
    this.ensure(MAX_VARINT_BYTES)
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80
      v = Math.floor(v / 128)
    }
    this.buf[this.pos++] = v
    return this
  }

  bytes(b: Uint8Array): this {
    const n = b.length
    this.ensure(n)
    copyBytes(b, this.buf, this.pos)
    this.pos += n
    return this
  }

  /** The bytes b[start, end). */
  range(b: Uint8Array, start: number, end: number): this {
    this.ensure(end - start)
    copyRange(b, start, end, this.buf, this.pos)
    this.pos += end - start
    return this
  }

  /** Varint length followed by the bytes. */
  lengthPrefixed(b: Uint8Array): this {
    return this.varint(b.length).bytes(b)
  }

  /** Overwrites a u32 at an earlier position. */
  patchU32(at: number, v: number): void {
    this.buf.writeUInt32LE(v >>> 0, at)
  }

  /** Discards everything written, keeping the allocation. */
  reset(): void {
    this.pos = 0
  }

  /** The bytes written so far (a view, valid until the next write). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos)
  }
}

/**
 * Reads from a byte range with every length checked. Any read past `end`
 * throws a CORRUPTION error naming `file` and the absolute file offset
 * (`base` + position), so decoders never allocate from an unchecked length.
 */
export class ByteReader {
  pos: number

  /**
   * @param buf the bytes
   * @param file the file name used in errors
   * @param base the file offset of `buf[0]`, for error offsets
   * @param start first readable index in `buf`
   * @param end one past the last readable index in `buf`
   */
  constructor(
    readonly buf: Buffer,
    readonly file: string,
    readonly base = 0,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start
  }

  get remaining(): number {
    return this.end - this.pos
  }

  /** The absolute file offset of the next byte. */
  get offset(): number {
    return this.base + this.pos
  }

  fail(what: string, at = this.pos): never {
    throw corruption(this.file, this.base + at, what)
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) this.fail(`${what} runs past the end (needs ${n} bytes, ${this.end - this.pos} left)`)
  }

  u8(what = 'byte'): number {
    this.need(1, what)
    return this.buf[this.pos++]
  }

  u32(what = 'u32'): number {
    this.need(4, what)
    const v = this.buf.readUInt32LE(this.pos)
    this.pos += 4
    return v
  }

  /** Reads 8 little-endian bytes; values above 2^53 - 1 are corruption. */
  u64(what = 'u64'): number {
    this.need(8, what)
    const lo = this.buf.readUInt32LE(this.pos)
    const hi = this.buf.readUInt32LE(this.pos + 4)
    if (hi > 0x1f_ffff) this.fail(`${what} exceeds 2^53`)
    this.pos += 8
    return hi * 0x1_0000_0000 + lo
  }

  varint(what = 'varint'): number {
    const start = this.pos
    let result = 0
    let scale = 1
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.pos >= this.end) this.fail(`${what} runs past the end`, start)
      const b = this.buf[this.pos++]
      result += (b & 0x7f) * scale
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail(`${what} exceeds 2^53`, start)
        return result
      }
      scale *= 128
    }
    this.fail(`${what} is longer than ${MAX_VARINT_BYTES} bytes`, start)
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /** A varint length followed by that many bytes, as a view. */
  lengthPrefixed(what = 'bytes', max = Number.MAX_SAFE_INTEGER): Buffer {
    const at = this.pos
    const n = this.varint(`${what} length`)
    if (n > max) this.fail(`${what} length ${n} exceeds the limit ${max}`, at)
    return this.bytes(n, what)
  }
}

/** Below this length a loop copies faster than TypedArray#set (which has a fixed cost per call). */
const SMALL_COPY_BYTES = 64

/** Copies all of `src` into `dst` at `at`. REQUIRES: it fits. */
export function copyBytes(src: Uint8Array, dst: Uint8Array, at: number): void {
  const n = src.length
  if (n > SMALL_COPY_BYTES) {
    dst.set(src, at)
    return
  }
  for (let i = 0; i < n; i++) dst[at + i] = src[i]
}

/** Copies src[start, end) into `dst` at `at`. REQUIRES: it fits. */
export function copyRange(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  const n = end - start
  if (n > SMALL_COPY_BYTES) {
    // A plain Uint8Array view: Buffer#subarray constructs a Buffer, which costs more than the copy of a short value.
    dst.set(start === 0 && end === src.length ? src : new Uint8Array(src.buffer, src.byteOffset + start, n), at)
    return
  }
  for (let i = 0; i < n; i++) dst[at + i] = src[start + i]
}

/** The varint at `p` in `b`, read without checks. REQUIRES: it was parsed before (as a block walk parses an entry) and ends inside `b`. */
export function varintAt(b: Uint8Array, p: number): number {
  let n = 0
  let scale = 1
  for (;;) {
    const x = b[p++]
    n += (x & 0x7f) * scale
    if (x < 0x80) return n
    scale *= 128
  }
}

/** Where the varint at `p` in `b` ends. REQUIRES: as varintAt. */
export function varintEndAt(b: Uint8Array, p: number): number {
  while (b[p] >= 0x80) p++
  return p + 1
}
