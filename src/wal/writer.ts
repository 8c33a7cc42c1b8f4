import {ByteWriter} from '../util/coding.js'
import {crc32} from '../util/crc.js'
import {invalidArgument} from '../errors.js'
import type {FileSystem, WritableFile} from '../vfs/fs.js'
import {encodeEntry} from '../record/codec.js'
import type {Entry} from '../record/format.js'
import {
  CURRENT_WAL_FORMAT,
  MAX_WAL_RECORD_BYTES,
  WAL_HEADER_SIZE,
  WAL_MAGIC,
  WAL_RECORD_HEADER_SIZE,
  WalRecordType,
} from './format.js'

/** Encodes the WAL file header. */
export function encodeWalHeader(shard: number): Buffer {
  const w = new ByteWriter(WAL_HEADER_SIZE)
  w.bytes(WAL_MAGIC).u32(CURRENT_WAL_FORMAT).u32(shard)
  w.u32(crc32(w.finish()))
  return Buffer.from(w.finish())
}

/**
 * Frames `payload` as one WAL record: crc, length, type, payload. The crc
 * covers length, type and payload.
 */
export function frameRecord(w: ByteWriter, type: number, payload: Uint8Array): Buffer {
  w.reset()
  w.u32(0).u32(payload.length).u8(type).bytes(payload)
  const out = w.finish()
  out.writeUInt32LE(crc32(out.subarray(4)), 0)
  return out
}

/**
 * Appends batches to one WAL file. Nothing appended is durable until `sync()`.
 * REQUIRES: a single writer per file (the store's LOCK guarantees it).
 */
export class WalWriter {
  private readonly scratch = new ByteWriter(64 * 1024)
  /** The error of the first failed sync, if one failed. */
  private syncError: unknown

  private constructor(private readonly file: WritableFile, readonly path: string) {}

  /** Creates a new WAL with its header and syncs it. The caller syncs the directory. */
  static create(fs: FileSystem, path: string, shard: number): WalWriter {
    const file = fs.create(path)
    try {
      file.append(encodeWalHeader(shard))
      file.sync()
    } catch (err) {
      file.close()
      throw err
    }
    return new WalWriter(file, path)
  }

  /** Reopens an existing WAL for appending, cutting it to `validLength` (dropping a torn tail). */
  static reopen(fs: FileSystem, path: string, validLength: number): WalWriter {
    const file = fs.openAppend(path, validLength)
    return new WalWriter(file, path)
  }

  /**
   * Appends one atomic batch. REQUIRES: entries non-empty, sequence numbers
   * strictly increasing and above every earlier one in this log.
   */
  appendBatch(entries: readonly Entry[]): void {
    const w = this.scratch
    w.reset()
    w.u32(0).u32(0).u8(WalRecordType.BATCH).u32(entries.length)
    for (const e of entries) encodeEntry(w, e)
    const out = w.finish()
    const payloadLength = out.length - WAL_RECORD_HEADER_SIZE
    if (payloadLength > MAX_WAL_RECORD_BYTES) {
      throw invalidArgument(`batch of ${payloadLength} bytes exceeds the ${MAX_WAL_RECORD_BYTES}-byte limit of one log record`)
    }
    out.writeUInt32LE(payloadLength, 4)
    out.writeUInt32LE(crc32(out.subarray(4)), 0)
    this.file.append(out)
    if (w.length > 4 * 1024 * 1024) this.scratch.reset()
  }

  /**
   * Makes every appended batch durable. Fail-stop: once a sync has failed,
   * every later sync throws that error without trying again, because a retried
   * fsync can succeed without the lost pages ever reaching the disk.
   */
  sync(): void {
    if (this.syncError !== undefined) throw this.syncError
    try {
      this.file.sync()
    } catch (err) {
      this.syncError = err
      throw err
    }
  }

  size(): number {
    return this.file.size()
  }

  close(): void {
    this.file.close()
  }
}
