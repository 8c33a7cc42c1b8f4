/**
 * Encodes and decodes the properties block (layout in format.ts):
 *
 *   u64 entries  u64 puts  u64 deletes  u64 with_expiry
 *   u64 min_seq  u64 max_seq  u64 raw_key_bytes  u64 raw_value_bytes
 *   u32 data_blocks  u32 shard  u64 created_at_ms  u8 level
 *   varint+bytes smallest_key  varint+bytes largest_key  varint+bytes created_by
 *
 * Trailing bytes after created_by are ignored (later versions may append).
 */
import {MAX_KEY_BYTES} from '../record/format.js'
import {ByteReader, ByteWriter} from '../util/coding.js'
import type {TableProperties} from './format.js'

/** Longest created_by string accepted, in bytes. */
export const MAX_CREATED_BY_BYTES = 4096

/** The properties block's contents. */
export function encodeProperties(p: TableProperties): Buffer {
  const w = new ByteWriter(128 + p.smallestKey.length + p.largestKey.length)
  w.u64(p.entries).u64(p.puts).u64(p.deletes).u64(p.withExpiry)
  w.u64(p.minSeq).u64(p.maxSeq).u64(p.rawKeyBytes).u64(p.rawValueBytes)
  w.u32(p.dataBlocks).u32(p.shard).u64(p.createdAtMs).u8(p.level)
  w.lengthPrefixed(p.smallestKey).lengthPrefixed(p.largestKey).lengthPrefixed(Buffer.from(p.createdBy, 'utf8'))
  return w.finish()
}

/**
 * Decodes a properties block and checks that its counts agree with each
 * other (puts + deletes = entries, min_seq <= max_seq, smallest <= largest).
 * `offset` is the block's file offset, for errors.
 */
export function decodeProperties(contents: Buffer, file: string, offset: number): TableProperties {
  const r = new ByteReader(contents, file, offset)
  const entries = r.u64('entries')
  const puts = r.u64('puts')
  const deletes = r.u64('deletes')
  const withExpiry = r.u64('with_expiry')
  const minSeq = r.u64('min_seq')
  const maxSeq = r.u64('max_seq')
  const rawKeyBytes = r.u64('raw_key_bytes')
  const rawValueBytes = r.u64('raw_value_bytes')
  const dataBlocks = r.u32('data_blocks')
  const shard = r.u32('shard')
  const createdAtMs = r.u64('created_at_ms')
  const level = r.u8('level')
  const smallestKey = r.lengthPrefixed('smallest_key', MAX_KEY_BYTES)
  const largestKey = r.lengthPrefixed('largest_key', MAX_KEY_BYTES)
  const createdBy = r.lengthPrefixed('created_by', MAX_CREATED_BY_BYTES).toString('utf8')
  if (puts + deletes !== entries) r.fail(`puts ${puts} + deletes ${deletes} != entries ${entries}`, 0)
  if (withExpiry > entries) r.fail(`with_expiry ${withExpiry} exceeds entries ${entries}`, 24)
  if (minSeq > maxSeq) r.fail(`min_seq ${minSeq} exceeds max_seq ${maxSeq}`, 32)
  if (Buffer.compare(smallestKey, largestKey) > 0) r.fail('smallest_key sorts after largest_key', 81)
  return {
    entries, puts, deletes, withExpiry, minSeq, maxSeq, rawKeyBytes, rawValueBytes,
    dataBlocks, shard, createdAtMs, level, smallestKey, largestKey, createdBy,
  }
}
