/**
 * Writes one SSTable (layout in format.ts) from entries in strictly
 * increasing key order:
 *
 *   data_block* filter_block properties_block index_block footer
 *
 * A data block is cut once its uncompressed size reaches `blockSize`, so a
 * single entry larger than that makes one big block. Output is buffered and
 * appended in chunks of about WRITE_CHUNK_BYTES. `finish()` syncs and closes
 * the file; making its directory entry durable (syncDir) is the caller's job.
 */
import * as zlib from 'node:zlib'
import {lzCompress} from '../codec/lz-block.js'
import {Flag, Kind, type Entry} from '../record/format.js'
import {entryProblem} from '../record/limits.js'
import {compareRanges} from '../util/bytes.js'
import {ByteWriter, copyBytes, copyRange} from '../util/coding.js'
import {trustedLayoutAt, type EntryLayout} from '../record/codec.js'
import {crc32} from '../util/crc.js'
import {hashKey, type KeyHash} from '../util/hash.js'
import {invalidArgument, ioError} from '../errors.js'
import type {FileSystem, WritableFile} from '../vfs/fs.js'
import {buildBloom} from './bloom.js'
import {BlockBuilder} from './block-builder.js'
import {encodeFooter} from './footer.js'
import {encodeIndexEntry} from './index-block.js'
import {encodeIndexOffsets} from './index-offsets.js'
import {encodeProperties, MAX_CREATED_BY_BYTES} from './properties.js'
import {
  BlockCompression, CURRENT_TABLE_FORMAT, DEFAULT_BLOCK_SIZE, DEFAULT_BLOOM_BITS_PER_KEY, MIN_COMPRESSION_SAVING,
  TableFormat, type BlockHandle, type TableProperties,
} from './format.js'

/** zlib level for data blocks: fast, most of the gain on key-value data. */
const DEFLATE_LEVEL = 3

/** Bytes buffered before one append to the file. */
export const WRITE_CHUNK_BYTES = 256 * 1024
/** Largest `blockSize` option, so a reader's inflate limit always suffices. */
export const MAX_BLOCK_SIZE = 64 * 1024 * 1024

/** How to build a table. */
export interface TableBuilderOptions {
  /** Target uncompressed data block size; default DEFAULT_BLOCK_SIZE. */
  readonly blockSize?: number
  /** Data block compression; default NONE. */
  readonly compression?: BlockCompression
  /** Bloom filter bits per key; default DEFAULT_BLOOM_BITS_PER_KEY; 0 writes an empty (always-true) filter. */
  readonly bloomBitsPerKey?: number
  readonly shard: number
  /** LSM level the table is written for; default 0. */
  readonly level?: number
  /** Who wrote the table (e.g. "strata 0.1.0 flush"). */
  readonly createdBy: string
  /** Clock for created_at_ms; default Date.now. */
  readonly now?: () => number
  /** Format version to write; default CURRENT_TABLE_FORMAT (older ones for compatibility tests). */
  readonly format?: TableFormat
}

/** Builds one table file; see the module comment. */
export class TableBuilder {
  private readonly file: WritableFile
  private readonly blockSize: number
  private readonly compression: BlockCompression
  /** Consecutive data blocks compression failed to shrink, and blocks still to store without trying. */
  private failedCompressions = 0
  private skipCompression = 0
  private readonly bitsPerKey: number
  private readonly block = new BlockBuilder()
  private readonly out = new ByteWriter(WRITE_CHUNK_BYTES + 64 * 1024)
  private readonly index = new ByteWriter(4096)
  /** Where each index entry starts (v2 writes them after the entries). */
  private readonly indexOffsets: number[] = []
  private readonly hashes: KeyHash[] = []
  private state: 'open' | 'finishing' | 'closed' = 'open'
  /** Bytes emitted so far (written or buffered in `out`). */
  private offset = 0
  private dataBlocks = 0
  private smallestKey: Buffer | undefined
  /** The last key added: its bytes in a reused scratch buffer (the caller may reuse its own), and its length (-1: none yet). */
  private last = Buffer.allocUnsafe(64)
  private lastLength = -1
  private count = 0
  private puts = 0
  private withExpiry = 0
  private minSeq = Number.MAX_SAFE_INTEGER
  private maxSeq = 0
  private rawKeyBytes = 0
  private rawValueBytes = 0
  /** Scratch for addEncoded. */
  private readonly layout: EntryLayout = {kind: Kind.PUT, flags: 0, seq: 0, keyStart: 0, keyEnd: 0, valueLength: 0, end: 0}

  /** Validates the options and creates `path` (which must not exist). */
  constructor(private readonly fs: FileSystem, readonly path: string, private readonly options: TableBuilderOptions) {
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE
    this.compression = options.compression ?? BlockCompression.NONE
    this.bitsPerKey = options.bloomBitsPerKey ?? DEFAULT_BLOOM_BITS_PER_KEY
    const level = options.level ?? 0
    check(Number.isInteger(this.blockSize) && this.blockSize >= 1 && this.blockSize <= MAX_BLOCK_SIZE, `bad block size ${this.blockSize}`)
    check(this.compression === BlockCompression.NONE || this.compression === BlockCompression.ZLIB || this.compression === BlockCompression.LZ, `unknown compression ${this.compression}`)
    check(this.bitsPerKey >= 0 && this.bitsPerKey <= 1000, `bad bloom bits per key ${this.bitsPerKey}`)
    check(Number.isInteger(options.shard) && options.shard >= 0 && options.shard <= 0xffff_ffff, `bad shard ${options.shard}`)
    check(Number.isInteger(level) && level >= 0 && level <= 255, `bad level ${level}`)
    check(Buffer.byteLength(options.createdBy) <= MAX_CREATED_BY_BYTES, 'created_by is too long')
    check(options.format === undefined || (Number.isInteger(options.format) && options.format >= TableFormat.V1 && options.format <= CURRENT_TABLE_FORMAT), `unknown table format ${options.format}`)
    try {
      this.file = fs.create(path)
    } catch (err) {
      throw ioError('create', path, err)
    }
  }

  /** Entries added so far. */
  get entries(): number {
    return this.count
  }

  /** Approximate file size if the table were finished now (before filter and footer). */
  estimatedSize(): number {
    return this.offset + this.block.estimatedSize() + this.index.length
  }

  /**
   * Adds an entry. Throws INVALID_ARGUMENT (and adds nothing) for a bad entry.
   * REQUIRES: e.key sorts strictly after the previous key; `finish()` not called.
   */
  /** The last key added, as a view of the scratch buffer (valid until the next add). */
  private lastKeyView(): Buffer {
    return this.last.subarray(0, this.lastLength)
  }

  add(e: Entry): void {
    if (this.state !== 'open') throw invalidArgument(`table builder for ${this.path} is finished`)
    // Messages are built only on failure: this runs for every entry of every table.
    const problem = entryProblem(e)
    if (problem !== undefined) fail(problem)
    if (!(this.lastLength < 0 || compareRanges(e.key, 0, e.key.length, this.last, 0, this.lastLength) > 0)) fail('table keys must be added in strictly increasing order')
    this.block.add(e)
    if (e.key.length > this.last.length) this.last = Buffer.allocUnsafe(Math.max(e.key.length, 2 * this.last.length))
    copyBytes(e.key, this.last, 0)
    this.lastLength = e.key.length
    this.smallestKey ??= Buffer.from(e.key) // a copy: the caller may reuse its buffer
    this.hashes.push(hashKey(e.key))
    this.count++
    if (e.kind === Kind.PUT) this.puts++
    if (e.expiresAt !== undefined) this.withExpiry++
    this.minSeq = Math.min(this.minSeq, e.seq)
    this.maxSeq = Math.max(this.maxSeq, e.seq)
    this.rawKeyBytes += e.key.length
    this.rawValueBytes += e.value.length
    if (this.block.estimatedSize() >= this.blockSize) this.flushBlock()
  }

  /**
   * Adds the entry encoded at `at` in `b` (record/codec.ts), copying its
   * bytes as they are: the table is the one `add` builds from the entry they
   * decode to, with no Entry made. For records this process encoded or a
   * WAL decode checked (a flush's run): nothing is validated but key order.
   * REQUIRES: as `add`; a whole encoded entry starts at `at`.
   */
  addEncoded(b: Uint8Array, at: number): void {
    if (this.state !== 'open') throw invalidArgument(`table builder for ${this.path} is finished`)
    const e = this.layout
    trustedLayoutAt(b, at, e)
    const {keyStart, keyEnd} = e
    const keyLength = keyEnd - keyStart
    if (!(this.lastLength < 0 || compareRanges(b, keyStart, keyEnd, this.last, 0, this.lastLength) > 0)) fail('table keys must be added in strictly increasing order')
    this.block.addEncoded(b, at, e.end)
    if (keyLength > this.last.length) this.last = Buffer.allocUnsafe(Math.max(keyLength, 2 * this.last.length))
    copyRange(b, keyStart, keyEnd, this.last, 0)
    this.lastLength = keyLength
    this.smallestKey ??= Buffer.from(this.lastKeyView())
    this.hashes.push(hashKey(b, keyStart, keyEnd))
    this.count++
    if (e.kind === Kind.PUT) this.puts++
    if (e.flags & Flag.HAS_EXPIRY) this.withExpiry++
    this.minSeq = Math.min(this.minSeq, e.seq)
    this.maxSeq = Math.max(this.maxSeq, e.seq)
    this.rawKeyBytes += keyLength
    this.rawValueBytes += e.valueLength
    if (this.block.estimatedSize() >= this.blockSize) this.flushBlock()
  }

  /**
   * Writes the last data block, filter, properties, index and footer, then
   * syncs and closes the file. On failure call `abandon()`.
   * REQUIRES: at least one entry was added (else INVALID_ARGUMENT).
   */
  finish(): {fileSize: number; properties: TableProperties} {
    if (this.state !== 'open') throw invalidArgument(`table builder for ${this.path} is finished`)
    if (this.count === 0) throw invalidArgument('a table needs at least one entry')
    this.state = 'finishing'
    if (this.block.entries > 0) this.flushBlock()
    const bloom = this.bitsPerKey > 0 ? buildBloom(this.hashes, this.bitsPerKey) : Buffer.alloc(0)
    const filter = this.writeBlock(bloom, BlockCompression.NONE)
    const properties: TableProperties = {
      entries: this.count,
      puts: this.puts,
      deletes: this.count - this.puts,
      withExpiry: this.withExpiry,
      minSeq: this.minSeq,
      maxSeq: this.maxSeq,
      rawKeyBytes: this.rawKeyBytes,
      rawValueBytes: this.rawValueBytes,
      dataBlocks: this.dataBlocks,
      shard: this.options.shard,
      createdAtMs: (this.options.now ?? Date.now)(),
      level: this.options.level ?? 0,
      smallestKey: this.smallestKey!,
      largestKey: Buffer.from(this.lastKeyView()),
      createdBy: this.options.createdBy,
    }
    const props = this.writeBlock(encodeProperties(properties), BlockCompression.NONE)
    const version = this.options.format ?? CURRENT_TABLE_FORMAT
    if (version !== TableFormat.V1) encodeIndexOffsets(this.index, this.indexOffsets)
    const index = this.writeBlock(this.index.finish(), BlockCompression.NONE)
    this.emit(encodeFooter({filter, properties: props, index, version}))
    this.flushOut()
    this.io('sync', () => this.file.sync())
    this.state = 'closed'
    this.io('close', () => this.file.close())
    return {fileSize: this.offset, properties}
  }

  /** Closes (if still open) and deletes the file. */
  abandon(): void {
    if (this.state !== 'closed') {
      this.state = 'closed'
      try {
        this.file.close()
      } catch {
        // The file is being discarded; a close failure changes nothing.
      }
    }
    this.io('unlink', () => this.fs.unlink(this.path))
  }

  /** Compresses (if worth it) and writes the pending data block, and indexes it. */
  private flushBlock(): void {
    const raw = this.block.finish()
    let contents = raw
    let compression: BlockCompression = BlockCompression.NONE
    if (this.compression !== BlockCompression.NONE && this.skipCompression === 0) {
      const packed = compressBlock(raw, this.compression)
      if (packed !== undefined) {
        contents = packed
        compression = this.compression
        this.failedCompressions = 0
      } else {
        // Incompressible data tends to come in runs: after each miss, try again
        // only after twice as many blocks (up to 64), so such tables stop paying for compression.
        this.failedCompressions = Math.min(this.failedCompressions + 1, 6)
        this.skipCompression = 2 ** this.failedCompressions
      }
    } else if (this.skipCompression > 0) {
      this.skipCompression--
    }
    this.indexOffsets.push(this.index.length)
    encodeIndexEntry(this.index, {lastKey: this.lastKeyView(), handle: this.writeBlock(contents, compression)})
    this.dataBlocks++
    this.block.reset()
  }

  /** Emits contents followed by the trailer: u8 compression, u32 crc32(contents ++ compression). */
  private writeBlock(contents: Buffer, compression: BlockCompression): BlockHandle {
    const handle = {offset: this.offset, size: contents.length}
    const trailer = Buffer.allocUnsafe(5)
    trailer[0] = compression
    trailer.writeUInt32LE(crc32(trailer.subarray(0, 1), crc32(contents)), 1)
    this.emit(contents)
    this.emit(trailer)
    return handle
  }

  private emit(data: Buffer): void {
    this.offset += data.length
    if (data.length >= WRITE_CHUNK_BYTES) {
      this.flushOut()
      this.io('write', () => this.file.append(data))
    } else {
      this.out.bytes(data)
      if (this.out.length >= WRITE_CHUNK_BYTES) this.flushOut()
    }
  }

  private flushOut(): void {
    if (this.out.length === 0) return
    this.io('write', () => this.file.append(this.out.finish()))
    this.out.reset()
  }

  private io(op: string, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      throw ioError(op, this.path, err)
    }
  }
}

/** `raw` compressed with `compression` (ZLIB or LZ), or undefined unless that saves MIN_COMPRESSION_SAVING. */
function compressBlock(raw: Buffer, compression: BlockCompression): Buffer | undefined {
  const limit = Math.floor(raw.length * (1 - MIN_COMPRESSION_SAVING))
  if (compression === BlockCompression.LZ) return lzCompress(raw, limit)
  const z = zlib.deflateSync(raw, {level: DEFLATE_LEVEL})
  return z.length <= limit ? z : undefined
}

/** Throws INVALID_ARGUMENT with `message` unless `ok`. */
function check(ok: boolean, message: string): void {
  if (!ok) throw invalidArgument(message)
}

/** Throws INVALID_ARGUMENT with `message`. */
function fail(message: string): never {
  throw invalidArgument(message)
}
