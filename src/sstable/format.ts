/**
 * SSTable (sorted string table) file format, versions 1 and 2. Kaitai spec:
 * formats/strata_sstable.ksy. File name: NNNNNN.sst (file number, 6+ digits).
 *
 *   file    := data_block* filter_block properties_block index_block footer
 *   block   := contents  trailer
 *   trailer := u8 compression (BlockCompression)  u32 crc32(contents ++ compression byte)
 *
 * `contents` is stored as written: raw, a zlib stream (RFC 1950) when
 * compression = ZLIB, or an lz stream (codec/lz-block.ts) when compression = LZ. A block handle (offset, size) names `contents` only; the
 * 5-byte trailer follows it.
 *
 * data block (uncompressed contents):
 *   entry*                  record/format.ts entries, keys strictly increasing,
 *                           at most one entry per key in a table
 *   u32 restart[n]          offset of every 16th entry (entry 0, 16, 32, ...)
 *   u32 n                   number of restarts (≥ 1 unless the block is empty)
 *
 * filter block (never compressed):   bloom bit array (nbytes)  u8 probes
 *   or empty (0 bytes) when the table was built without a filter: every key may match.
 *   A key's probes are bloomSeed(hashKey(key)) from util/hash.ts:
 *   bit_i = (start + i * step) mod (nbytes * 8), for i in 0 .. probes-1,
 *   in unsigned 32-bit arithmetic; bit b is byte b>>3, mask 1 << (b & 7).
 *
 * properties block (never compressed):
 *   u64 entries  u64 puts  u64 deletes  u64 with_expiry
 *   u64 min_seq  u64 max_seq  u64 raw_key_bytes  u64 raw_value_bytes
 *   u32 data_blocks  u32 shard  u64 created_at_ms  u8 level
 *   varint+bytes smallest_key  varint+bytes largest_key  varint+bytes created_by (UTF-8)
 *   ...later versions may append fields; readers ignore trailing bytes.
 *
 * index block (never compressed): one entry per data block, in order:
 *   varint key_len  bytes last_key  u64 offset  u32 size
 * and from version 2 on, after the entries, where each one starts, so a
 * lookup can binary-search the block without decoding every entry:
 *   u32 entry_offset[n]     offset in the block of entry i (the first is 0,
 *                           strictly increasing, each entry ends where the
 *                           next begins and the last where this array begins)
 *   u32 n                   number of entries (≥ 1)
 *
 * footer (FOOTER_SIZE = 52 bytes, at the end of the file):
 *   u64 filter_offset   u32 filter_size
 *   u64 props_offset    u32 props_size
 *   u64 index_offset    u32 index_size
 *   u32 format_version  (TableFormat)
 *   u32 crc32 of the 40 bytes before it (footer bytes 0..39)
 *   8 bytes magic "STRATATB"
 */

/** Table format versions, an append-only list. Written to disk; never change.
 *  - V1 (1): the layout above; the index block is its entries only.
 *  - V2 (2): the index block ends with its entry offsets and count. */
export const TableFormat = {
  V1: 1,
  V2: 2,
} as const
export type TableFormat = (typeof TableFormat)[keyof typeof TableFormat]
/** The version new tables are written in (the newest this build reads). */
export const CURRENT_TABLE_FORMAT: TableFormat = TableFormat.V2

/** Block compression, an append-only list. Written to disk; never change.
 *  - LZ (2): codec/lz-block.ts; several times cheaper than zlib to write and to read, at a lower ratio. */
export const BlockCompression = {
  NONE: 0,
  ZLIB: 1,
  LZ: 2,
} as const

/** The names the API, the CLI and STORE's readers use for each BlockCompression. */
export const COMPRESSION_NAMES = ['none', 'zlib', 'lz'] as const
export type CompressionName = (typeof COMPRESSION_NAMES)[number]
export type BlockCompression = (typeof BlockCompression)[keyof typeof BlockCompression]

export const TABLE_MAGIC = Buffer.from('STRATATB', 'latin1')
export const FOOTER_SIZE = 52
export const BLOCK_TRAILER_SIZE = 5
/** Entries between restart points in a data block. */
export const RESTART_INTERVAL = 16
/** Target uncompressed size of a data block. */
export const DEFAULT_BLOCK_SIZE = 4096
/** Bloom bits per key (≈1% false positives with 7 probes). */
export const DEFAULT_BLOOM_BITS_PER_KEY = 10
/** A compressed block is kept only if it saves at least 1/8 of the raw size. */
export const MIN_COMPRESSION_SAVING = 1 / 8

/** Where a block's contents are in the file. */
export interface BlockHandle {
  readonly offset: number
  readonly size: number
}

/** The table's properties block, decoded. */
export interface TableProperties {
  readonly entries: number
  readonly puts: number
  readonly deletes: number
  readonly withExpiry: number
  readonly minSeq: number
  readonly maxSeq: number
  readonly rawKeyBytes: number
  readonly rawValueBytes: number
  readonly dataBlocks: number
  readonly shard: number
  readonly createdAtMs: number
  readonly level: number
  readonly smallestKey: Buffer
  readonly largestKey: Buffer
  readonly createdBy: string
}
