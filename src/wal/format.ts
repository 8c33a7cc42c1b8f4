/**
 * Write-ahead log format, version 1. Kaitai spec: formats/strata_wal.ksy.
 * File name: NNNNNN.wal (file number). One WAL per shard is live at a time.
 *
 *   file   := header record*
 *   header := 8 bytes magic "STRATAWL"  u32 format_version (WalFormat)  u32 shard
 *             u32 crc32 of the 16 bytes before it
 *   record := u32 crc  u32 length  u8 type  payload[length]
 *
 * `crc` is crc32 over the 5 bytes of length and type followed by the payload,
 * so a damaged length or type is caught as well as a damaged payload.
 * Type 0 is never written: a zero-filled region never decodes as a record.
 *
 * BATCH payload:  u32 count  entry[count]   (entries: record/format.ts)
 *   Sequence numbers are strictly increasing inside a batch and across the log.
 *   One record is one atomic batch: recovery applies all of it or none.
 *
 * Recovery: a bad record with no valid record after it is a torn tail (the
 * writer died mid-append, or the unsynced end of the file was lost) when its
 * header is incomplete, the rest of the file is zeros, or it runs past the end
 * of the file. Its bytes are dropped and everything before it kept. Any other
 * bad record is corruption, reported with file and byte offset: one followed
 * by a valid record, a complete record whose checksum fails, or one whose
 * checksum matches once its type and length are restored (a damaged header).
 * See classifyBadRecord in reader.ts.
 */

/** WAL format versions, an append-only list. Written to disk; never change.
 *  - V1 (1): the layout above. */
export const WalFormat = {
  V1: 1,
} as const
export const CURRENT_WAL_FORMAT = WalFormat.V1

/** WAL record types. Written to disk; never change. 0 is never valid. */
export const WalRecordType = {
  BATCH: 1,
} as const

export const WAL_MAGIC = Buffer.from('STRATAWL', 'latin1')
export const WAL_HEADER_SIZE = 20
export const WAL_RECORD_HEADER_SIZE = 9
/** Largest record payload the writer produces and the reader accepts. */
export const MAX_WAL_RECORD_BYTES = 256 * 1024 * 1024
