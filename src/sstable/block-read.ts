/**
 * Reading one block of an SSTable from its file: one read of the block and
 * its trailer (compression byte, crc), the crc checked, a zlib or lz block
 * decompressed within a bound. Corruption names the file and byte offset; a
 * failed read is an IO error.
 */
import * as zlib from 'node:zlib'
import {lzDecompress} from '../codec/lz-block.js'
import {MAX_KEY_BYTES, MAX_VALUE_BYTES} from '../record/format.js'
import {crc32} from '../util/crc.js'
import {corruption, invalidArgument, ioError} from '../errors.js'
import type {ReadableFile} from '../vfs/fs.js'
import type {BlockCache} from './block-cache.js'
import {MAX_BLOCK_SIZE} from './builder.js'
import {BLOCK_TRAILER_SIZE, BlockCompression, type BlockHandle} from './format.js'

/** Largest inflated data block accepted: a full block plus one largest entry, with slack. */
export const MAX_INFLATED_BLOCK_BYTES = MAX_BLOCK_SIZE + MAX_VALUE_BYTES + MAX_KEY_BYTES + 1024 * 1024

/** Reads exactly `length` bytes at `position`; a short read means the file is truncated. REQUIRES: length was checked against the file size. */
export function readExact(file: ReadableFile, path: string, position: number, length: number, pool?: BlockCache): Buffer {
  const buf = pool === undefined ? Buffer.allocUnsafe(length) : pool.takeBuffer(length)
  let n: number
  try {
    n = file.read(buf, 0, length, position)
  } catch (err) {
    throw ioError('read', path, err)
  }
  if (n !== length) throw corruption(path, position + n, `file ends after ${n} of ${length} bytes`)
  return buf
}

/**
 * Reads a block's contents and trailer in one read, checks the crc and
 * inflates a zlib block. The file's blocks must end by `limit` (the footer's
 * offset): a handle past it is INVALID_ARGUMENT. With `pool`, the read buffer
 * comes from the block cache's pool (and a compressed one goes back to it).
 */
export function readBlockAt(file: ReadableFile, path: string, limit: number, handle: BlockHandle, pool?: BlockCache): {contents: Buffer; compression: BlockCompression} {
  const {offset, size} = handle
  const ok = Number.isSafeInteger(offset) && Number.isSafeInteger(size) && offset >= 0 && size >= 0
  if (!ok || offset + size + BLOCK_TRAILER_SIZE > limit) {
    throw invalidArgument(`${path}: block handle [${offset}, +${size}) is outside the table`)
  }
  const buf = readExact(file, path, offset, size + BLOCK_TRAILER_SIZE, pool)
  const {contents, compression} = checkedBlock(buf, offset, path, handle)
  if (compression === BlockCompression.NONE) return {contents, compression}
  if (compression !== BlockCompression.ZLIB && compression !== BlockCompression.LZ) throw corruption(path, offset + size, `unknown block compression ${compression}`)
  let inflated: Buffer
  try {
    inflated = compression === BlockCompression.LZ
      ? lzDecompress(contents, MAX_INFLATED_BLOCK_BYTES)
      : zlib.inflateSync(contents, {maxOutputLength: MAX_INFLATED_BLOCK_BYTES})
  } catch (err) {
    throw corruption(path, offset, `bad ${compression === BlockCompression.LZ ? 'lz' : 'zlib'} block (${(err as Error).message})`)
  }
  pool?.giveBack(buf) // nothing refers to the compressed bytes any more
  return {contents: inflated, compression}
}

/**
 * The block `handle` names, checked against its trailer crc, from `buf`,
 * which holds the file's bytes from file offset `bufAt` and the whole block
 * with its trailer. Contents are a view of `buf`, as stored (not inflated).
 */
export function checkedBlock(buf: Buffer, bufAt: number, path: string, handle: BlockHandle): {contents: Buffer; compression: BlockCompression} {
  const {offset, size} = handle
  const at = offset - bufAt
  const stored = buf.readUInt32LE(at + size + 1)
  const actual = crc32(buf.subarray(at, at + size + 1))
  if (stored !== actual) throw corruption(path, offset, `block crc mismatch (stored ${stored}, computed ${actual})`)
  return {contents: buf.subarray(at, at + size), compression: buf[at + size] as BlockCompression}
}
