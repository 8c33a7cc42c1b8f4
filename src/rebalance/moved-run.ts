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

/**
 * Items appended in order into one growing buffer (or received packed), read
 * back in order as often as asked: the part PackedRun and PackedKeys share.
 */
abstract class Packed<T> implements Run<T> {
  private packed: Buffer | undefined
  private count: number

  protected constructor(
    private readonly writer: ByteWriter | undefined,
    received?: {bytes: Uint8Array; length: number},
  ) {
    this.packed = received === undefined ? undefined : Buffer.from(received.bytes.buffer, received.bytes.byteOffset, received.bytes.byteLength)
    this.count = received?.length ?? 0
  }

  get length(): number {
    return this.count
  }

  /** The packed items, as the subclass's `of` takes them. */
  bytes(): Buffer {
    this.packed ??= this.writer!.finish()
    return this.packed
  }

  *[Symbol.iterator](): Iterator<T> {
    const b = this.bytes()
    const r = new ByteReader(b, WHAT)
    while (r.pos < b.length) yield this.decode(r)
  }

  /** The writer for one more item. REQUIRES: made empty, not received. */
  protected next(): ByteWriter {
    this.count++
    this.packed = undefined
    return this.writer!
  }

  protected abstract decode(r: ByteReader): T
}

/** Entries appended in order, iterated as fresh entries whose key and value are views into the run. */
export class PackedRun extends Packed<Entry> {
  static empty(): PackedRun {
    return new PackedRun(new ByteWriter(FIRST_BYTES))
  }

  /** A run received packed (`bytes()` of another run) holding `length` entries. */
  static of(bytes: Uint8Array, length: number): PackedRun {
    return new PackedRun(undefined, {bytes, length})
  }

  /** Appends `e` (its bytes are copied). */
  push(e: Entry): void {
    encodeEntry(this.next(), e)
  }

  /** Appends the entry encoded at b[start, end) as it is (record/codec.ts's layout, checked by the caller). */
  pushEncoded(b: Uint8Array, start: number, end: number): void {
    this.next().range(b, start, end)
  }

  protected decode(r: ByteReader): Entry {
    return decodeEntry(r)
  }
}

/** Keys appended in order, iterated as views into the run. */
export class PackedKeys extends Packed<Buffer> {
  static empty(): PackedKeys {
    return new PackedKeys(new ByteWriter(FIRST_BYTES))
  }

  /** Keys received packed (`bytes()` of another PackedKeys), `length` of them. */
  static of(bytes: Uint8Array, length: number): PackedKeys {
    return new PackedKeys(undefined, {bytes, length})
  }

  /** Appends `key` (its bytes are copied). */
  push(key: Buffer): void {
    this.next().lengthPrefixed(key)
  }

  protected decode(r: ByteReader): Buffer {
    return r.lengthPrefixed('key')
  }
}
