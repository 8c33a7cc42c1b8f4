import {ByteWriter} from '../util/coding.js'
import {crc32} from '../util/crc.js'
import {invalidArgument} from '../errors.js'
import type {FileSystem, WritableFile} from '../vfs/fs.js'
import type {FileHolder, OpenFiles} from '../vfs/open-files.js'
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
 *
 * With a descriptor budget (`OpenFiles`), the writer may be parked when idle:
 * its descriptor is closed after its bytes are synced, and reopened for the
 * next append, so a store that touched many shards does not hold a WAL
 * descriptor per shard. A failed sync is remembered: every later `sync`
 * fails too (fail-stop), however the failure was met.
 */
export class WalWriter implements FileHolder {
  private readonly scratch = new ByteWriter(64 * 1024)
  private file: WritableFile | undefined
  private bytes = 0
  /** Counts appends (and a cut); `durableChanges` is its value at the last sync that covered them. */
  private changes = 0
  private durableChanges = 0
  private failed: unknown
  /** Descriptors with an asynchronous sync in flight, and how many each. */
  private readonly pending = new Map<WritableFile, number>()
  /** Descriptors given up (parked, closed, replaced) while a sync on them is in flight: closed when it settles. */
  private readonly closeWhenSettled = new Set<WritableFile>()

  private constructor(
    readonly path: string,
    private readonly fs: FileSystem,
    private readonly files: OpenFiles | undefined,
  ) {}

  /** Creates a new WAL with its header and syncs it. The caller syncs the directory. */
  static create(fs: FileSystem, path: string, shard: number, files?: OpenFiles): WalWriter {
    const w = new WalWriter(path, fs, files)
    const file = w.openWith(() => fs.create(path))
    try {
      file.append(encodeWalHeader(shard))
      file.sync()
    } catch (err) {
      w.close()
      throw err
    }
    w.bytes = file.size()
    return w
  }

  /** Reopens an existing WAL for appending, cutting it to `validLength` (dropping a torn tail); the cut is durable after `sync`. */
  static reopen(fs: FileSystem, path: string, validLength: number, files?: OpenFiles): WalWriter {
    const w = new WalWriter(path, fs, files)
    w.bytes = w.openWith(() => fs.openAppend(path, validLength)).size()
    w.changes = 1
    return w
  }

  private openWith(open: () => WritableFile): WritableFile {
    this.file = this.files ? this.files.open(this, open) : open()
    return this.file
  }

  /**
   * Appends one atomic batch. REQUIRES: entries non-empty, sequence numbers
   * strictly increasing and above every earlier one in this log.
   *
   * Returns the entries as encoded (record/codec.ts), one after another: a
   * view valid until the next append. With `starts`, each entry's offset in
   * it is pushed there.
   */
  appendBatch(entries: readonly Entry[], starts?: number[]): Buffer {
    const w = this.scratch
    w.reset()
    w.u32(0).u32(0).u8(WalRecordType.BATCH).u32(entries.length)
    const first = w.length
    for (const e of entries) {
      starts?.push(w.length - first)
      encodeEntry(w, e)
    }
    const out = w.finish()
    const payloadLength = out.length - WAL_RECORD_HEADER_SIZE
    if (payloadLength > MAX_WAL_RECORD_BYTES) {
      throw invalidArgument(`batch of ${payloadLength} bytes exceeds the ${MAX_WAL_RECORD_BYTES}-byte limit of one log record`)
    }
    out.writeUInt32LE(payloadLength, 4)
    out.writeUInt32LE(crc32(out.subarray(4)), 0)
    this.handle().append(out)
    this.bytes += out.length
    this.changes++
    return out.subarray(first)
  }

  /**
   * Appends records framed by another log of the same shard: a rotation
   * carries over the records written after a background flush froze its
   * memtable. REQUIRES: whole records, whose sequence numbers are above
   * every earlier one in this log.
   */
  appendRecords(framed: Uint8Array): void {
    if (framed.length === 0) return
    this.handle().append(framed)
    this.bytes += framed.length
    this.changes++
  }

  /**
   * Makes every appended byte durable. Fail-stop: once a sync has failed,
   * every later sync throws that error without trying again, because a retried
   * fsync can succeed without the lost pages ever reaching the disk.
   */
  sync(): void {
    if (this.failed !== undefined) throw this.failed
    const target = this.changes
    if (this.durableChanges >= target) return
    try {
      this.handle().sync()
    } catch (err) {
      this.failed = err
      throw err
    }
    this.durableChanges = target
  }

  /**
   * `sync()` off the event loop (group commit): settles once every byte
   * appended before the call is durable, while appends and other syncs go
   * on. The descriptor it syncs is kept open until it settles, even if the
   * writer is parked or closed meanwhile. Fail-stop as `sync()`.
   */
  async syncAsync(): Promise<void> {
    if (this.failed !== undefined) throw this.failed
    const target = this.changes
    if (this.durableChanges >= target) return
    const f = this.handle()
    if (f.syncAsync === undefined) return this.sync()
    this.pending.set(f, (this.pending.get(f) ?? 0) + 1)
    try {
      await f.syncAsync()
    } catch (err) {
      this.failed ??= err
    } finally {
      this.settled(f)
    }
    // A failure of any sync, this one or one that ended meanwhile, fails every later one.
    if (this.failed !== undefined) throw this.failed
    this.durableChanges = Math.max(this.durableChanges, target)
  }

  /** One sync on `f` settled: close `f` if it was given up and this was its last. */
  private settled(f: WritableFile): void {
    const n = (this.pending.get(f) ?? 1) - 1
    if (n > 0) return void this.pending.set(f, n)
    this.pending.delete(f)
    if (this.closeWhenSettled.delete(f)) {
      try {
        f.close()
      } catch {
        // The descriptor is gone either way; its bytes' durability was decided by the syncs.
      }
    }
  }

  /** Closes `f` now, or once the syncs in flight on it settle. */
  private release(f: WritableFile): void {
    if (this.pending.has(f)) this.closeWhenSettled.add(f)
    else f.close()
  }

  /** Bytes in the file. */
  size(): number {
    return this.bytes
  }

  /** FileHolder: syncs (a sync that fails keeps the descriptor and is remembered), then closes the descriptor. */
  park(): boolean {
    const f = this.file
    if (f === undefined) return true
    try {
      this.sync()
      this.file = undefined
      this.release(f)
    } catch {
      return this.file === undefined
    }
    return true
  }

  close(): void {
    const f = this.file
    this.file = undefined
    this.files?.closed(this)
    if (f !== undefined) this.release(f)
  }

  private handle(): WritableFile {
    const f = this.file
    if (f !== undefined) {
      this.files?.touch(this)
      return f
    }
    return this.openWith(() => this.fs.openAppend(this.path))
  }
}
