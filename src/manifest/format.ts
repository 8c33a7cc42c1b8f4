/**
 * Shard manifest format, version 1. Kaitai spec: formats/strata_manifest.ksy.
 * File name: MANIFEST-NNNNNN. A manifest is a complete snapshot of one shard's
 * live files, never edited in place: a change writes a new manifest and
 * switches CURRENT to it (see manifest/current.ts).
 *
 *   8 bytes  magic "STRATAMF"
 *   u32      format_version (ManifestFormat)
 *   u32      shard
 *   u64      next_file_number   every file number in use is below it
 *   u64      last_seq           every sequence number up to it is in the tables
 *                               (≥ every table's max_seq); the live WAL holds
 *                               only records above it
 *   u64      wal_number         the live WAL (0: none)
 *   u32      table_count
 *   table[table_count]:
 *     u64 file_number  u64 file_size  u8 level  u64 entries
 *     u64 min_seq  u64 max_seq
 *     varint+bytes smallest_key  varint+bytes largest_key
 *   u32      crc32 of every byte before it
 *
 * CURRENT holds the live manifest's file name and a newline, e.g. "MANIFEST-000007\n".
 */

/** Manifest format versions, an append-only list. Written to disk; never change.
 *  - V1 (1): the layout above. */
export const ManifestFormat = {
  V1: 1,
} as const
export const CURRENT_MANIFEST_FORMAT = ManifestFormat.V1

export const MANIFEST_MAGIC = Buffer.from('STRATAMF', 'latin1')

/** One live SSTable as the manifest records it. */
export interface TableMeta {
  readonly fileNumber: number
  readonly fileSize: number
  readonly level: number
  readonly entries: number
  readonly minSeq: number
  readonly maxSeq: number
  readonly smallestKey: Buffer
  readonly largestKey: Buffer
}

/** A shard's state: its live files. */
export interface Manifest {
  readonly shard: number
  readonly nextFileNumber: number
  /** Every sequence number up to this is in the tables (≥ each table's maxSeq); the live WAL holds only records above it. */
  readonly lastSeq: number
  readonly walNumber: number
  /** Newest first (descending max_seq). */
  readonly tables: readonly TableMeta[]
}
