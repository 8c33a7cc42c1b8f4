/**
 * The benchmark's deterministic data: keys, values, random streams and the
 * zipfian key chooser. Every engine and every run sees the same bytes, so a
 * reader can check each value it gets back against the generator.
 *
 * Key i (0 <= i < 10^12) is 16 ASCII bytes: "key:" + i as 12 zero-padded
 * digits, so bytewise order is numeric order and a full scan must return
 * key 0, 1, ..., N-1 exactly.
 *
 * Value (i, epoch) is VALUE_BYTES bytes: epoch as uint32 LE, then bytes from a
 * PRNG seeded by (i, epoch). Loads write epoch 0; each YCSB-A run rewrites
 * keys with its own epoch. A value read back is right if it equals the
 * generator's value for its key at the epoch it names and that epoch is one
 * that was written (at most `maxEpoch`).
 */
import {fmix32} from '../../src/util/hash.js'

/** Key length in bytes. */
export const KEY_BYTES = 16
/** Value length in bytes (the workload). */
export const DEFAULT_VALUE_BYTES = 100

/** Writes key `i` into `out` at `off`. */
export function writeKey(i: number, out: Buffer, off: number): void {
  out.write('key:', off, 'latin1')
  out.write(String(i).padStart(12, '0'), off + 4, 'latin1')
}

/** Key `i` as a new Buffer. */
export function keyOf(i: number): Buffer {
  const b = Buffer.allocUnsafe(KEY_BYTES)
  writeKey(i, b, 0)
  return b
}

/** Key `i` as a string (for the CLI and NDJSON). */
export function keyText(i: number): string {
  return `key:${String(i).padStart(12, '0')}`
}

/** Writes value (i, epoch) of `size` bytes into `out` at `off`. */
export function writeValue(i: number, epoch: number, size: number, out: Buffer, off: number): void {
  let s = (Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) | 0
  let p = off
  const end = off + size
  if (size >= 4) {
    out.writeUInt32LE(epoch >>> 0, p)
    p += 4
  }
  while (p < end) {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    t = (t ^ (t >>> 14)) >>> 0
    for (let k = 0; k < 4 && p < end; k++, t >>>= 8) out[p++] = t & 0xff
  }
}

/** Value (i, epoch) as a new Buffer. */
export function valueOf(i: number, epoch: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size)
  writeValue(i, epoch, size, b, 0)
  return b
}

/** Keys 0..n-1 and their epoch-0 values, laid out back to back, built once per process. */
export class Pool {
  readonly n: number
  readonly valueBytes: number
  readonly keys: Buffer
  readonly values: Buffer
  private readonly scratch: Buffer

  constructor(n: number, valueBytes: number) {
    this.n = n
    this.valueBytes = valueBytes
    this.keys = Buffer.allocUnsafe(n * KEY_BYTES)
    this.values = Buffer.allocUnsafe(n * valueBytes)
    for (let i = 0; i < n; i++) {
      writeKey(i, this.keys, i * KEY_BYTES)
      writeValue(i, 0, valueBytes, this.values, i * valueBytes)
    }
    this.scratch = Buffer.allocUnsafe(valueBytes)
  }

  /** Key i (a view into the pool). */
  key(i: number): Buffer {
    return this.keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES)
  }

  /** Epoch-0 value of key i (a view into the pool). */
  value(i: number): Buffer {
    return this.values.subarray(i * this.valueBytes, (i + 1) * this.valueBytes)
  }

  /** True if `k` is exactly key i. */
  isKey(i: number, k: Uint8Array): boolean {
    return k.length === KEY_BYTES && this.keys.compare(k, 0, KEY_BYTES, i * KEY_BYTES, (i + 1) * KEY_BYTES) === 0
  }

  /**
   * True if `v` is a value the benchmark wrote for key i: epoch 0, or an epoch
   * in 1..maxEpoch (or exactly `epoch` when given: a key this process rewrote).
   */
  isValue(i: number, v: Uint8Array | undefined, maxEpoch: number, epoch?: number): boolean {
    if (v === undefined || v.length !== this.valueBytes) return false
    const size = this.valueBytes
    if (epoch === undefined || epoch === 0) {
      if (this.values.compare(v, 0, size, i * size, (i + 1) * size) === 0) return true
      if (epoch === 0) return false
    }
    if (size < 4) return false
    const e = Buffer.from(v.buffer, v.byteOffset, v.byteLength).readUInt32LE(0)
    if (epoch !== undefined ? e !== epoch : e < 1 || e > maxEpoch) return false
    writeValue(i, e, size, this.scratch, 0)
    return this.scratch.equals(v)
  }
}

/** A seeded 32-bit PRNG (mulberry32): the same seed gives the same key choices in every engine. */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed | 0
  }

  /** A uniform uint32. */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return (t ^ (t >>> 14)) >>> 0
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n)
  }
}

/** 0..n-1 in a seeded random order (Fisher-Yates). */
export function permutation(n: number, seed: number): Uint32Array {
  const p = new Uint32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  const rng = new Rng(seed)
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1)
    const t = p[i]
    p[i] = p[j]
    p[j] = t
  }
  return p
}

/**
 * YCSB's scrambled zipfian chooser (Gray et al., "Quickly generating
 * billion-record synthetic databases"; constant 0.99 as in YCSB): item ranks
 * follow a zipfian law and a hash spreads the popular ranks over the key space,
 * so hot keys are not neighbours.
 */
export class ScrambledZipfian {
  static readonly THETA = 0.99
  private readonly n: number
  private readonly rng: Rng
  private readonly zetan: number
  private readonly alpha: number
  private readonly eta: number
  private readonly half: number

  constructor(n: number, seed: number) {
    const theta = ScrambledZipfian.THETA
    this.n = n
    this.rng = new Rng(seed)
    let zetan = 0
    for (let i = 1; i <= n; i++) zetan += 1 / Math.pow(i, theta)
    const zeta2 = 1 + 1 / Math.pow(2, theta)
    this.zetan = zetan
    this.alpha = 1 / (1 - theta)
    this.eta = (1 - Math.pow(2 / n, 1 - theta)) / (1 - zeta2 / zetan)
    this.half = 1 + Math.pow(0.5, theta)
  }

  /** The next key index in [0, n). */
  next(): number {
    const u = this.rng.float()
    const uz = u * this.zetan
    let rank: number
    if (uz < 1) rank = 0
    else if (uz < this.half) rank = 1
    else rank = Math.min(this.n - 1, Math.floor(this.n * Math.pow(this.eta * u - this.eta + 1, this.alpha)))
    return fmix32(rank + 0x2545f491) % this.n
  }

  /** Uniform in [0, 1) from the same stream (read/update choice). */
  coin(): number {
    return this.rng.float()
  }
}


/**
 * True if `v` is a value the benchmark wrote for key i (as Pool.isValue, without
 * a pool: for processes that must not hold every value, such as the memory workload).
 */
export function valueMatches(i: number, v: Uint8Array | undefined, size: number, maxEpoch: number): boolean {
  if (v === undefined || v.length !== size) return false
  const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  const e = size >= 4 ? b.readUInt32LE(0) : 0
  if (e > maxEpoch) return false
  return valueOf(i, e, size).equals(b)
}
