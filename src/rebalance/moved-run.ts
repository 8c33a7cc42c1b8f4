/**
 * The moved records of a rebalance, held packed until their target is built.
 *
 * The read pass keeps every record whose shard changes (a third of the store
 * at 8→12) until the target it moves to is built and proved. Held as entry
 * objects, each one is three heap objects that live through several young
 * collections and are copied by each; measured, that retention cost about as
 * much CPU as reading the records. Packed, a run is one growing buffer in the
 * entry encoding of record/codec.ts (every field kept), and the objects a
 * reader of the run sees are made as it iterates and die young.
 *
 * The packed bytes are also what crosses to the other thread (peer-wire.ts),
 * as they are: no record is encoded for the crossing.
 */
import type {Entry} from '../record/format.js'
import {decodeEntry, encodeEntry} from '../record/codec.js'
import {ByteReader, ByteWriter} from '../util/coding.js'

/** A key-ordered run that can be iterated more than once and knows its length: an array, or a packed run. */
export interface Run<T> {
  readonly length: number
  [Symbol.iterator](): Iterator<T>
}

/** Where decoding errors in a run point: not a file, the run in memory. */
const WHAT = 'rebalance moved records'

/**
 * A run's first allocation, bytes; it doubles as it fills. Small, because a
 * run is made per source and target that a record moves between: up to
 * 512 × 512 of them from 512 shards to 1024.
 */
const FIRST_BYTES = 256

/** Entries appended in order, iterated as fresh entries whose key and value are views into the run. */
export class PackedRun implements Run<Entry> {
  private writer: ByteWriter | undefined
  private packed: Buffer | undefined
  private count = 0

  private constructor(writer: ByteWriter | undefined, packed: Buffer | undefined, count: number) {
    this.writer = writer
    this.packed = packed
    this.count = count
  }

  static empty(): PackedRun {
    return new PackedRun(new ByteWriter(FIRST_BYTES), undefined, 0)
  }

  /** A run received packed (`bytes()` of another run) holding `length` entries. */
  static of(bytes: Uint8Array, length: number): PackedRun {
    return new PackedRun(undefined, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), length)
  }

  get length(): number {
    return this.count
  }

  /** Appends `e` (its bytes are copied). REQUIRES: a run made by `empty()`. */
  push(e: Entry): void {
    encodeEntry(this.writer!, e)
    this.count++
    this.packed = undefined
  }

  /** The packed entries, as `of` takes them. */
  bytes(): Buffer {
    this.packed ??= this.writer!.finish()
    return this.packed
  }

  *[Symbol.iterator](): Iterator<Entry> {
    const b = this.bytes()
    const r = new ByteReader(b, WHAT)
    while (r.pos < b.length) yield decodeEntry(r)
  }
}

/** Keys appended in order, iterated as views into the run. */
export class PackedKeys implements Run<Buffer> {
  private constructor(
    private readonly writer: ByteWriter | undefined,
    private readonly packed: Buffer | undefined,
    private count: number,
  ) {}

  static empty(): PackedKeys {
    return new PackedKeys(new ByteWriter(FIRST_BYTES), undefined, 0)
  }

  /** Keys received packed (`bytes()` of another PackedKeys), `length` of them. */
  static of(bytes: Uint8Array, length: number): PackedKeys {
    return new PackedKeys(undefined, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), length)
  }

  get length(): number {
    return this.count
  }

  /** Appends `key` (its bytes are copied). REQUIRES: made by `empty()`. */
  push(key: Buffer): void {
    this.writer!.lengthPrefixed(key)
    this.count++
  }

  /** The packed keys, as `of` takes them (a view, valid until the next push). */
  bytes(): Buffer {
    return this.packed ?? this.writer!.finish()
  }

  *[Symbol.iterator](): Iterator<Buffer> {
    const b = this.bytes()
    const r = new ByteReader(b, WHAT)
    while (r.pos < b.length) yield r.lengthPrefixed('key')
  }
}
