/**
 * The record: the unit every file kind stores (WAL batches and SSTable data
 * blocks use the same entry encoding). Kaitai spec: formats/strata_entry.ksy.
 *
 * Entry layout (all integers little-endian; varint = unsigned LEB128, ≤ 8 bytes):
 *
 *   u8      kind          Kind enum
 *   u8      flags         bit 0 HAS_EXPIRY, bit 1 HAS_SCHEMA, bit 2 JSON, bit 3 HAS_CODEC;
 *                         bits 4-7 must be zero (reserved)
 *   varint  seq           sequence number (per shard, strictly increasing)
 *   varint  key_len       1 .. 65536
 *   bytes   key
 *   varint  value_len     0 .. 64 MiB (0 for a tombstone)
 *   bytes   value         stored bytes, encoded by `codec`
 *   u64     expires_at    [HAS_EXPIRY] milliseconds since the Unix epoch
 *   u8      codec         [HAS_CODEC] ValueCodec enum; absent means RAW
 *   varint  schema_id     [HAS_SCHEMA]
 *   varint  schema_ver    [HAS_SCHEMA]
 */

/** Record kinds. Written to disk; never change. 0 is never valid. */
export const Kind = {
  PUT: 1,
  DELETE: 2,
} as const
export type Kind = (typeof Kind)[keyof typeof Kind]

/** Entry flag bits. Written to disk; never change. */
export const Flag = {
  HAS_EXPIRY: 0x01,
  HAS_SCHEMA: 0x02,
  JSON: 0x04,
  HAS_CODEC: 0x08,
} as const
/** Bits that must be zero in format v1. */
export const RESERVED_FLAGS = 0xf0

/** Value codecs: how the stored value bytes encode the user's value. Written to disk; never change. */
export const ValueCodec = {
  RAW: 0,
  ZLIB: 1,
} as const
export type ValueCodec = (typeof ValueCodec)[keyof typeof ValueCodec]

/** Largest key, in bytes. */
export const MAX_KEY_BYTES = 64 * 1024
/** Largest value, in bytes. */
export const MAX_VALUE_BYTES = 64 * 1024 * 1024

/** A reference to a registered value schema. */
export interface SchemaRef {
  readonly id: number
  readonly version: number
}

/** One version of one key, as stored. */
export interface Entry {
  readonly key: Buffer
  readonly seq: number
  readonly kind: Kind
  /** Stored value bytes (empty for a tombstone), encoded by `codec`. */
  readonly value: Buffer
  /** Expiry in ms since the epoch, if the record has a TTL. */
  readonly expiresAt?: number
  /** True if the value was marked as JSON when written. */
  readonly json?: boolean
  readonly codec?: ValueCodec
  readonly schema?: SchemaRef
}

/** True when the entry is a live value at time `now` (not a tombstone, not expired). */
export function isLive(e: Entry, now: number): boolean {
  return e.kind === Kind.PUT && (e.expiresAt === undefined || e.expiresAt > now)
}
