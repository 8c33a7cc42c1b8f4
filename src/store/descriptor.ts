/**
 * STORE, the data directory's descriptor. Kaitai spec: formats/strata_store.ksy.
 * Replaced atomically (write STORE.tmp, sync, rename, sync directory).
 *
 *   8 bytes  magic "STRATADS"
 *   u32      format_version   (StoreFormat; fixed position in every version)
 *   u32      shard_count      1 .. 1024
 *   u8       hash_id          (util/hash.ts HashId)
 *   u8       compression      (sstable BlockCompression) for new tables
 *   u16      reserved         0
 *   u32      shard_generation incremented by each shard-rebalance
 *   u32      block_size       target data block size for new tables
 *   u64      created_at_ms
 *   varint+bytes created_by  UTF-8, at most 1024 bytes, e.g. "strata 0.1.0"
 *   u32      crc32 of every byte before it
 *
 * Fixed in every version: the magic, the version at offset 8, and a crc32 of
 * every byte before it as the last 4 bytes. So a reader checks magic, then the
 * crc, then the version: a newer store is UNSUPPORTED whatever the rest of its
 * layout, and a damaged version field is corruption.
 */
import {ByteReader, ByteWriter} from '../util/coding.js'
import {framedVersion, sealFramed} from '../util/framed-file.js'
import {corruption, ErrorCode, StrataError} from '../errors.js'
import {HashId} from '../util/hash.js'
import {BlockCompression, COMPRESSION_NAMES, DEFAULT_BLOCK_SIZE} from '../sstable/format.js'
import type {FileSystem} from '../vfs/fs.js'
import {writeSynced} from '../vfs/durable.js'
import {isNotFound, ioError} from '../errors.js'
import {STORE_FILE, STORE_TMP_FILE, joinPath} from '../layout/names.js'
import {checkDirPath, notAStore} from './data-dir.js'

/** Store format versions, an append-only list. Written to disk; never change.
 *  - V1 (1): the layout above; per-shard WAL, SSTable and manifest format v1. */
export const StoreFormat = {
  V1: 1,
} as const
export const CURRENT_STORE_FORMAT = StoreFormat.V1

export const STORE_MAGIC = Buffer.from('STRATADS', 'latin1')
export const MAX_SHARDS = 1024

/** The decoded descriptor. */
export interface StoreDescriptor {
  readonly formatVersion: number
  readonly shardCount: number
  readonly hashId: number
  readonly compression: BlockCompression
  readonly shardGeneration: number
  readonly blockSize: number
  readonly createdAtMs: number
  readonly createdBy: string
}

const MAX_CREATED_BY = 1024

export function encodeDescriptor(d: StoreDescriptor): Buffer {
  if (Buffer.byteLength(d.createdBy) > MAX_CREATED_BY) throw new StrataError(ErrorCode.INVALID_ARGUMENT, `created_by is over ${MAX_CREATED_BY} bytes`)
  const w = new ByteWriter(128)
  w.bytes(STORE_MAGIC).u32(d.formatVersion).u32(d.shardCount).u8(d.hashId).u8(d.compression)
  w.u8(0).u8(0).u32(d.shardGeneration).u32(d.blockSize).u64(d.createdAtMs)
  w.lengthPrefixed(Buffer.from(d.createdBy, 'utf8'))
  return sealFramed(w)
}

export function decodeDescriptor(buf: Buffer, path: string): StoreDescriptor {
  // The trailing crc covers the version too (framed-file.ts): a version that fails it is damage, not a newer store.
  const formatVersion = framedVersion(buf, path, STORE_MAGIC, {what: 'descriptor', badMagic: 'bad descriptor magic (not a strata STORE file)'})
  if (formatVersion > CURRENT_STORE_FORMAT) {
    throw new StrataError(
      ErrorCode.UNSUPPORTED,
      `store format version ${formatVersion} is newer than this strata supports (${CURRENT_STORE_FORMAT})`,
      {file: path, offset: 8, hint: 'upgrade strata to open this store'},
    )
  }
  if (formatVersion === 0) throw corruption(path, 8, 'store format version 0 is not valid')
  if (buf.length < 4 + 36) throw corruption(path, buf.length, `descriptor is truncated (${buf.length} bytes)`)
  const r = new ByteReader(buf, path, 0, 12, buf.length - 4)
  const shardCount = r.u32('shard count')
  if (shardCount < 1 || shardCount > MAX_SHARDS) r.fail(`shard count ${shardCount} is outside 1..${MAX_SHARDS}`, 12)
  const hashId = r.u8('hash id')
  if (hashId !== HashId.FNV1A64_JUMP) {
    throw new StrataError(ErrorCode.UNSUPPORTED, `${path}: unknown key hash id ${hashId}`, {file: path, offset: 16})
  }
  const compression = r.u8('compression')
  if (COMPRESSION_NAMES[compression] === undefined) r.fail(`unknown compression ${compression}`, 17)
  if (r.u8() !== 0 || r.u8() !== 0) r.fail('reserved bytes are not zero', 18)
  const shardGeneration = r.u32('shard generation')
  const blockSize = r.u32('block size')
  if (blockSize < 256 || blockSize > 64 * 1024 * 1024) r.fail(`block size ${blockSize} is out of range`, 24)
  const createdAtMs = r.u64('created at')
  const createdBy = r.lengthPrefixed('created by', MAX_CREATED_BY).toString('utf8')
  if (r.remaining !== 0) r.fail(`${r.remaining} unexpected bytes before the checksum`)
  return {formatVersion, shardCount, hashId, compression: compression as BlockCompression, shardGeneration, blockSize, createdAtMs, createdBy}
}

/** A descriptor for a new store. */
export function newDescriptor(shardCount: number, compression: BlockCompression, createdBy: string, now: number): StoreDescriptor {
  return {
    formatVersion: CURRENT_STORE_FORMAT,
    shardCount,
    hashId: HashId.FNV1A64_JUMP,
    compression,
    shardGeneration: 0,
    blockSize: DEFAULT_BLOCK_SIZE,
    createdAtMs: now,
    createdBy,
  }
}

/**
 * Reads DIR/STORE. A path that cannot be a directory is INVALID_ARGUMENT; a
 * missing directory or STORE file is NOT_A_STORE (data-dir.ts says which
 * command helps); bad bytes are CORRUPTION; a newer format is UNSUPPORTED.
 */
export function readDescriptor(fs: FileSystem, dir: string): StoreDescriptor {
  checkDirPath(fs, dir)
  const path = joinPath(dir, STORE_FILE)
  let buf: Buffer
  try {
    if (!fs.isDirectory(dir)) throw notAStore(fs, dir)
    buf = fs.readFile(path)
  } catch (err) {
    if (err instanceof StrataError) throw err
    if (isNotFound(err)) throw notAStore(fs, dir)
    throw ioError('read', path, err)
  }
  try {
    return decodeDescriptor(buf, path)
  } catch (err) {
    if (!(err instanceof StrataError) || err.code !== ErrorCode.CORRUPTION) throw err
    throw new StrataError(err.code, err.message, {file: path, ...(err.offset === undefined ? {} : {offset: err.offset}), hint: `rebuild it from the shards with: strata repair --dir ${dir}`})
  }
}

/** Writes DIR/STORE atomically: temp file, sync, rename, sync directory. */
export function writeDescriptor(fs: FileSystem, dir: string, d: StoreDescriptor): void {
  const tmp = joinPath(dir, STORE_TMP_FILE)
  if (fs.exists(tmp)) fs.unlink(tmp)
  writeSynced(fs, tmp, encodeDescriptor(d))
  fs.rename(tmp, joinPath(dir, STORE_FILE))
  // Not syncParent: this is the store's own directory, whose sync must succeed
  // (fail-stop) before the new STORE counts as written.
  fs.syncDir(dir)
}
