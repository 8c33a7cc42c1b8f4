/**
 * Encodes and decodes the index block (layout in format.ts): one entry per
 * data block, in file order:
 *
 *   varint key_len  bytes last_key  u64 offset  u32 size
 */
import {MAX_KEY_BYTES} from '../record/format.js'
import {ByteReader, ByteWriter} from '../util/coding.js'
import {BLOCK_TRAILER_SIZE, type BlockHandle} from './format.js'

/** One data block as the index names it. */
export interface IndexEntry {
  /** The largest key in the block. */
  readonly lastKey: Buffer
  readonly handle: BlockHandle
}

/** Appends one index entry. */
export function encodeIndexEntry(w: ByteWriter, e: IndexEntry): void {
  w.lengthPrefixed(e.lastKey).u64(e.handle.offset).u32(e.handle.size)
}

/**
 * Decodes an index block and checks it: at least one entry, last keys
 * non-empty and strictly increasing, and blocks laid end to end (each with
 * its trailer) from offset 0 to exactly `dataEnd`.
 * `offset` is the block's file offset, for errors.
 */
export function decodeIndex(contents: Buffer, file: string, offset: number, dataEnd: number): IndexEntry[] {
  const r = new ByteReader(contents, file, offset)
  const out: IndexEntry[] = []
  let expect = 0
  while (r.remaining > 0) {
    const at = r.pos
    const lastKey = r.lengthPrefixed('index key', MAX_KEY_BYTES)
    if (lastKey.length === 0) r.fail('empty index key', at)
    if (out.length > 0 && Buffer.compare(lastKey, out[out.length - 1].lastKey) <= 0) r.fail('index keys out of order', at)
    const handleAt = r.pos
    const handle = {offset: r.u64('block offset'), size: r.u32('block size')}
    if (handle.offset !== expect) r.fail(`data block at ${handle.offset}, expected ${expect}`, handleAt)
    expect = handle.offset + handle.size + BLOCK_TRAILER_SIZE
    if (expect > dataEnd) r.fail(`data block [${handle.offset}, ${expect}) runs past the data region (${dataEnd})`, handleAt)
    out.push({lastKey, handle})
  }
  if (out.length === 0) r.fail('index block is empty', 0)
  if (expect !== dataEnd) r.fail(`data blocks end at ${expect}, but the filter block starts at ${dataEnd}`, r.pos)
  return out
}
