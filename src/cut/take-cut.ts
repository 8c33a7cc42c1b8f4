/**
 * Taking a cut of a store that this process does not hold open: acquire the
 * writer lock (waiting up to a timeout), read every shard's CURRENT, manifest
 * and WAL length, pin the files, release the lock. The lock is held only for
 * those reads and links, a few milliseconds for a store of a few hundred files.
 *
 * A process that holds the store open as its writer takes cuts with
 * `Store.cut()` instead, which does the same without taking the lock again.
 */
import {StrataError, ioError} from '../errors.js'
import {readDescriptor} from '../store/descriptor.js'
import {acquireWriterLock} from '../store/lock.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {pinCut, readShardState, shardCut, type ShardCut, type StoreCut} from './cut.js'
import {cleanDeadPins} from './pin-cleaner.js'

/** Options of `takeCut`. */
export interface TakeCutOptions {
  /** How long to wait for the writer lock before failing with BUSY. Default 0. */
  readonly lockTimeoutMs?: number
  readonly fs?: FileSystem
  /** Clock for the cut's takenAt. Default Date.now. */
  readonly now?: () => number
}

/** Takes and pins a cut of the store in `dir`. The caller must `release()` it. */
export async function takeCut(dir: string, options: TakeCutOptions = {}): Promise<StoreCut> {
  const fs = options.fs ?? nodeFileSystem
  readDescriptor(fs, dir) // NOT_A_STORE before waiting for a lock
  const lock = await acquireWriterLock(fs, dir, options.lockTimeoutMs ?? 0)
  try {
    // Read again under the lock: the shard set may have changed while this waited.
    const descriptor = readDescriptor(fs, dir)
    cleanDeadPins(fs, dir)
    const shards: ShardCut[] = []
    for (let i = 0; i < descriptor.shardCount; i++) shards.push(shardCut(i, readShardState(fs, dir, i, descriptor.shardGeneration)))
    return pinCut(fs, dir, descriptor, shards, (options.now ?? Date.now)())
  } catch (err) {
    throw err instanceof StrataError ? err : ioError('cut', dir, err)
  } finally {
    await lock.release()
  }
}
