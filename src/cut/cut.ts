/**
 * A cut: one instant of a whole store. For every shard: its manifest, its
 * WAL and the WAL's length, and its last sequence number, all taken under the
 * writer lock, so no shard moves while the others are read. The cut's files
 * are pinned (pin.ts) until `release()`, so they stay readable whatever
 * compactions run meanwhile, in this process or another.
 *
 * Reading a shard at the cut: the tables its manifest lists, plus the WAL's
 * records in [0, walLength) with a sequence number above manifest.lastSeq.
 * Bytes of the WAL past walLength were appended after the cut.
 */
import {ErrorCode, StrataError, ioError} from '../errors.js'
import {readCurrent} from '../manifest/current.js'
import type {Manifest} from '../manifest/format.js'
import {joinPath, shardDirName, walFileName} from '../layout/names.js'
import {liveFileNames} from '../layout/live-files.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import type {FileSystem} from '../vfs/fs.js'
import {decodeWal} from '../wal/reader.js'
import {createPin} from './pin.js'

/** One shard at a cut. */
export interface ShardCut {
  readonly shard: number
  readonly manifestNumber: number
  readonly manifest: Manifest
  /** Bytes of the WAL (manifest.walNumber) at the cut: whole records only. */
  readonly walLength: number
  /** The highest sequence number in the shard at the cut. */
  readonly lastSeq: number
  /** Names, in the shard's directory, of every file of the cut: manifest, WAL, tables. */
  readonly files: readonly string[]
}

/** A held cut of a store. Release it when done: its files are pinned until then. */
export interface StoreCut {
  /** The store's data directory. */
  readonly dir: string
  readonly descriptor: StoreDescriptor
  /** When the cut was taken (ms since the epoch). */
  readonly takenAt: number
  readonly shards: readonly ShardCut[]
  /** The pin folder holding the cut's files. */
  readonly pinDir: string
  /** Path of file `name` of shard `shard` as of the cut (in the pin folder): readable until release(). */
  path(shard: number, name: string): string
  /** True once release() was called: the cut can no longer be read. */
  readonly released: boolean
  /** Unpins the cut's files. Idempotent. */
  release(): void
}

/** The state of one shard as the writer knows it, to build a ShardCut from. */
export interface ShardState {
  readonly manifestNumber: number
  readonly manifest: Manifest
  readonly walLength: number
  readonly lastSeq: number
}

/** The ShardCut of shard `shard` in state `s`. */
export function shardCut(shard: number, s: ShardState): ShardCut {
  const files = liveFileNames(s.manifestNumber, s.manifest)
  return {shard, manifestNumber: s.manifestNumber, manifest: s.manifest, walLength: s.walLength, lastSeq: s.lastSeq, files}
}

/**
 * Reads the state of shard `index` of `dir` from its files: CURRENT, the
 * manifest, and the WAL up to its last whole record (a torn tail left by a
 * killed writer is not part of the cut; the next writer cuts it off too).
 * REQUIRES: the writer lock is held and no writer has this shard open.
 */
export function readShardState(fs: FileSystem, dir: string, index: number, generation: number): ShardState {
  const shardDir = joinPath(dir, shardDirName(index, generation))
  try {
    const {manifest, manifestNumber} = readCurrent(fs, shardDir)
    if (manifest.shard !== index) throw new StrataError(ErrorCode.CORRUPTION, `${shardDir}: manifest belongs to shard ${manifest.shard}`, {file: shardDir})
    const walPath = joinPath(shardDir, walFileName(manifest.walNumber))
    const wal = decodeWal(fs.readFile(walPath), walPath, manifest.lastSeq)
    const walLast = wal.batches.length > 0 ? wal.batches.at(-1)!.entries.at(-1)!.seq : 0
    return {manifestNumber, manifest, walLength: wal.validLength, lastSeq: Math.max(manifest.lastSeq, walLast)}
  } catch (err) {
    throw err instanceof StrataError ? err : ioError('read shard', shardDir, err)
  }
}

/**
 * Pins the files of `shards` and returns the held cut.
 * REQUIRES: the writer lock of `dir` is held, and `shards` is its state now.
 */
export function pinCut(fs: FileSystem, dir: string, descriptor: StoreDescriptor, shards: readonly ShardCut[], now: number): StoreCut {
  const pin = createPin(fs, dir, shards.map((s) => ({shard: s.shard, files: s.files})), descriptor.shardGeneration)
  return {
    dir,
    descriptor,
    takenAt: now,
    shards,
    pinDir: pin.dir,
    path: (shard, name) => pin.path(shard, name),
    get released() {
      return pin.released
    },
    release: () => pin.release(),
  }
}
