/**
 * The digest's record encoding, version 1: the exact bytes hashed for one live
 * record. Specified (with a worked example) in formats/README.md, "Store
 * digest"; a change to anything here is a new digest version, never an edit.
 *
 * Hash input (all integers little-endian):
 *
 *   u8      version         1 (DIGEST_VERSION)
 *   u8      flags           bit 0 HAS_EXPIRY, bit 1 JSON, bit 2 HAS_SCHEMA; bits 3-7 zero
 *   u32     key_len         1 .. 65536
 *   bytes   key
 *   u32     value_len       0 .. 64 MiB: the logical value (value codec undone)
 *   bytes   value
 *   u64     expires_at      ms since the Unix epoch; 0 without HAS_EXPIRY
 *   u64     schema_id       0 without HAS_SCHEMA
 *   u64     schema_version  0 without HAS_SCHEMA
 *
 * Every variable-length field is length-prefixed and every other field has a
 * fixed width, so two different records never encode to the same bytes.
 * Sequence numbers, the record kind (only live puts are hashed), the value
 * codec, the shard and the file a record lives in are not part of it.
 *
 * The record's hash is SHA-256 of these bytes, read as a 256-bit unsigned
 * big-endian integer; the digest is the sum of those integers modulo 2^256
 * (sum256.ts).
 */
import {hash} from 'node:crypto'
import {ValueCodec, type Entry} from '../record/format.js'
import type {InPlaceRecord} from '../store/in-place-merge.js'
import {logicalValue} from '../record/value.js'
import {copyRange} from '../util/coding.js'

/** The version byte of the record encoding; also reported with each digest. */
export const DIGEST_VERSION = 1

/** Flag bits of the encoding (not the entry's on-disk flags). Never change. */
export const DigestFlag = {
  HAS_EXPIRY: 0x01,
  JSON: 0x02,
  HAS_SCHEMA: 0x04,
} as const

/** Bytes of the encoding besides key and value: 1 + 1 + 4 + 4 + 3 × 8. */
export const FIXED_BYTES = 34

const TWO_32 = 2 ** 32

/**
 * Encodes records into one reused buffer and hashes them. One instance per
 * loop; not re-entrant.
 */
export class RecordHasher {
  private scratch = Buffer.alloc(4096)
  /** Views of the scratch buffer's first n bytes, by n: records of one length are common, and a view per record showed in profiles. */
  private views: (Uint8Array | undefined)[] = []

  /** The encoding of live record `e` (a view into the scratch buffer, valid until the next call). */
  encode(e: Entry): Uint8Array {
    const value = logicalValue(e)
    return this.encodeParts(e.key, 0, e.key.length, value, 0, value.length, e.expiresAt, e.json === true, e.schema?.id, e.schema?.version ?? 0)
  }

  /**
   * The encoding of a live record given by its parts: its key key[keyStart,
   * keyEnd), its logical value value[valueStart, valueEnd) (value codec
   * undone), its expiry, JSON flag and schema reference (an id, or undefined).
   */
  encodeParts(key: Uint8Array, keyStart: number, keyEnd: number, value: Uint8Array, valueStart: number, valueEnd: number, expiresAt: number | undefined, json: boolean, schemaId: number | undefined, schemaVersion: number): Uint8Array {
    const keyLength = keyEnd - keyStart
    const valueLength = valueEnd - valueStart
    const size = FIXED_BYTES + keyLength + valueLength
    if (size > this.scratch.length) {
      this.scratch = Buffer.alloc(Math.max(size, this.scratch.length * 2))
      this.views = []
    }
    const b = this.scratch
    let flags = 0
    if (expiresAt !== undefined) flags |= DigestFlag.HAS_EXPIRY
    if (json) flags |= DigestFlag.JSON
    if (schemaId !== undefined) flags |= DigestFlag.HAS_SCHEMA
    b[0] = DIGEST_VERSION
    b[1] = flags
    b.writeUInt32LE(keyLength, 2)
    copyRange(key, keyStart, keyEnd, b, 6)
    let p = 6 + keyLength
    b.writeUInt32LE(valueLength, p)
    copyRange(value, valueStart, valueEnd, b, p + 4)
    p += 4 + valueLength
    p = u64(b, p, expiresAt ?? 0)
    p = u64(b, p, schemaId ?? 0)
    p = u64(b, p, schemaId === undefined ? 0 : schemaVersion)
    return (this.views[p] ??= new Uint8Array(b.buffer, b.byteOffset, p))
  }

  /**
   * SHA-256 of the encoding of `e`, as a 32-character 'binary' (latin1) string (one
   * character per byte, most significant first): the cheapest form Node's
   * one-shot hash returns, measured faster than a Buffer or hex.
   */
  hash(e: Entry): string {
    return hash('sha256', this.encode(e), 'binary')
  }

  /** SHA-256 of the encoding of live record `r` read in place, as `hash` gives it (a value stored with a codec is decoded first). */
  hashInPlace(r: InPlaceRecord): string {
    if (r.codec !== ValueCodec.RAW) return this.hash(r.decode())
    return this.hashParts(r.bytes, r.keyStart, r.keyEnd, r.bytes, r.valueStart, r.valueEnd, r.expiresAt, r.json, r.schemaId, r.schemaVersion)
  }

  /** SHA-256 of the encoding of a record given by its parts (see encodeParts), as `hash` gives it. */
  hashParts(key: Uint8Array, keyStart: number, keyEnd: number, value: Uint8Array, valueStart: number, valueEnd: number, expiresAt: number | undefined, json: boolean, schemaId: number | undefined, schemaVersion: number): string {
    return hash('sha256', this.encodeParts(key, keyStart, keyEnd, value, valueStart, valueEnd, expiresAt, json, schemaId, schemaVersion), 'binary')
  }
}

/** Writes `n` (a safe non-negative integer) as u64 little-endian at `p`; returns the end. */
function u64(b: Buffer, p: number, n: number): number {
  // Byte stores, not writeUInt32LE: this runs three times per hashed record, and the checked writes showed in profiles.
  const lo = n % TWO_32
  const hi = Math.floor(n / TWO_32)
  b[p] = lo
  b[p + 1] = lo >>> 8
  b[p + 2] = lo >>> 16
  b[p + 3] = lo >>> 24
  b[p + 4] = hi
  b[p + 5] = hi >>> 8
  b[p + 6] = hi >>> 16
  b[p + 7] = hi >>> 24
  return p + 8
}
