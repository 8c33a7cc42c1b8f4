/**
 * A checkpoint: a consistent copy of a store at one cut, in a new directory
 * that is itself a store.
 *
 * Tables and manifests never change once written, so they are hard-linked
 * from the cut's pin when OUT is on the same filesystem (copied otherwise);
 * each WAL is copied up to its length at the cut. OUT gets a fresh STORE with
 * the source's shard count, hash, shard generation and table options.
 *
 * Commit point: STORE, written after every other file and directory of OUT is
 * durable. A checkpoint killed before it leaves OUT without STORE (it does not
 * open: NOT_A_STORE) and marked partial, and the next checkpoint into it
 * starts over (checkpoint-out.ts). The source is only read, apart from the pin
 * folder, which is removed at the end or by the next writer if this is killed.
 */
import {ErrorCode, StrataError, ioError} from '../errors.js'
import {writeDescriptor, type StoreDescriptor} from '../store/descriptor.js'
import {CURRENT_FILE, LOCK_FILE, currentContents, joinPath, shardDirName, walFileName} from '../layout/names.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {VERSION} from '../version.js'
import {finishOut, prepareOut} from './checkpoint-out.js'
import type {StoreCut} from './cut.js'
import {copyPrefix, linkOrCopy} from './file-copy.js'
import {writeSynced} from '../vfs/durable.js'
import {copyRegistry} from '../schema/copy.js'
import {takeCut} from './take-cut.js'

/** Options of `checkpoint`. */
export interface CheckpointOptions {
  /** How long to wait for the writer lock to take the cut. Default 0. */
  readonly lockTimeoutMs?: number
  readonly fs?: FileSystem
  /** Called after each file is placed, with the files done and the total. */
  readonly onProgress?: (done: number, total: number) => void
  /**
   * Copy every file, even where a hard link would do: OUT then shares no
   * inode with the source (to move it to another disk later, or so that a
   * damaged source block cannot reach the copy). Default false.
   */
  readonly copy?: boolean
}

/** What a checkpoint wrote for one shard. */
export interface CheckpointShard {
  readonly shard: number
  /** The shard's last sequence number at the cut. */
  readonly seq: number
  readonly files: number
  readonly bytes: number
  readonly linked: number
  readonly copied: number
  /** Bytes of the WAL copied (its length at the cut). */
  readonly walBytes: number
}

/** What a checkpoint wrote. */
export interface CheckpointReport {
  readonly dir: string
  readonly out: string
  /** When the cut was taken (ms since the epoch). */
  readonly takenAt: number
  readonly files: number
  readonly bytes: number
  /** Files hard-linked to the source's (tables, manifests). */
  readonly linked: number
  /** Files copied (WALs, CURRENT, and every file when linking is not possible). */
  readonly copied: number
  readonly shards: readonly CheckpointShard[]
}

/** Writes a checkpoint of the store in `dir` into `out` (new or empty). OUT is durable when this returns. */
export async function checkpoint(dir: string, out: string, options: CheckpointOptions = {}): Promise<CheckpointReport> {
  const fs = options.fs ?? nodeFileSystem
  const cut = await takeCut(dir, {fs, ...(options.lockTimeoutMs === undefined ? {} : {lockTimeoutMs: options.lockTimeoutMs})})
  try {
    return writeCheckpoint(fs, cut, out, options.onProgress, options.copy === true)
  } finally {
    cut.release()
  }
}

/** Writes held cut `cut` as the store `out`. */
export function writeCheckpoint(fs: FileSystem, cut: StoreCut, out: string, onProgress?: (done: number, total: number) => void, copy = false): CheckpointReport {
  try {
    prepareOut(fs, cut.dir, out)
    const total = cut.shards.reduce((n, s) => n + s.files.length + 1, 0)
    let done = 0
    const shards: CheckpointShard[] = []
    for (const s of cut.shards) {
      const shardDir = joinPath(out, shardDirName(s.shard, cut.descriptor.shardGeneration))
      fs.mkdir(shardDir)
      let bytes = 0
      let linked = 0
      let copied = 0
      const walName = walFileName(s.manifest.walNumber)
      for (const name of s.files) {
        if (name === walName) {
          const n = copyPrefix(fs, cut.path(s.shard, name), joinPath(shardDir, name), s.walLength)
          if (n !== s.walLength) throw new StrataError(ErrorCode.IO, `${cut.path(s.shard, name)}: WAL holds ${n} bytes, fewer than its ${s.walLength} at the cut`, {file: cut.path(s.shard, name)})
          bytes += n
          copied++
        } else {
          const r = linkOrCopy(fs, cut.path(s.shard, name), joinPath(shardDir, name), copy)
          bytes += r.bytes
          if (r.how === 'linked') linked++
          else copied++
        }
        onProgress?.(++done, total)
      }
      const current = currentContents(s.manifestNumber)
      writeSynced(fs, joinPath(shardDir, CURRENT_FILE), current)
      bytes += current.length
      copied++
      onProgress?.(++done, total)
      fs.syncDir(shardDir)
      shards.push({shard: s.shard, seq: s.lastSeq, files: s.files.length + 1, bytes, linked, copied, walBytes: s.walLength})
    }
    // The value-schema registry: the cut's stamped records name its versions.
    copyRegistry(fs, cut.dir, out)
    writeSynced(fs, joinPath(out, LOCK_FILE), Buffer.alloc(0))
    fs.syncDir(out)
    // The commit point: everything above is durable, so STORE may name it.
    writeDescriptor(fs, out, checkpointDescriptor(cut.descriptor, Date.now()))
    finishOut(fs, out)
    const sum = (f: (s: CheckpointShard) => number): number => shards.reduce((a, s) => a + f(s), 0)
    return {
      dir: cut.dir,
      out,
      takenAt: cut.takenAt,
      files: sum((s) => s.files),
      bytes: sum((s) => s.bytes),
      linked: sum((s) => s.linked),
      copied: sum((s) => s.copied),
      shards,
    }
  } catch (err) {
    throw err instanceof StrataError ? err : ioError('checkpoint into', out, err)
  }
}

/** OUT's descriptor: the source's layout and options, a new creation time and creator. */
function checkpointDescriptor(source: StoreDescriptor, now: number): StoreDescriptor {
  return {...source, createdAtMs: now, createdBy: `strata ${VERSION} checkpoint`}
}
