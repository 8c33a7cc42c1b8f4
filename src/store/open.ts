/**
 * Opening a store: reads STORE, takes the writer lock (unless read-only),
 * makes what a failed writer left durable, cleans the pins of killed
 * holders of cuts and settles a shard-rebalance it finds, then hands the directory to a StoreImpl.
 */
import {StrataError, invalidArgument, ioError} from '../errors.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {Entry} from '../record/format.js'
import type {OpenOptions, Store} from '../api.js'
import {readDescriptor, type StoreDescriptor} from './descriptor.js'
import {acquireWriterLock, type WriterLock} from './lock.js'
import {cleanDeadPins} from '../cut/pin-cleaner.js'
import {settleRebalance} from '../rebalance/settle.js'
import {checkSyncMode} from './sync-mode.js'
import {StoreImpl} from './store.js'
import type {ViewAt} from './shard.js'
import type {ShardSnapshot} from './shard-snapshot.js'

/** Opens the store in `dir`. */
export async function open(dir: string, options: OpenOptions = {}): Promise<Store> {
  const fs = options.fs ?? nodeFileSystem
  let desc = readDescriptor(fs, dir)
  const sync = options.sync ?? 'always'
  checkSyncMode(sync)
  let lock: WriterLock | undefined
  if (!options.readOnly) lock = await acquireWriterLock(fs, dir, options.lockTimeoutMs ?? 0)
  try {
    // Read STORE again under the lock: a shard-rebalance may have switched generations while this waited.
    if (lock !== undefined) desc = readDescriptor(fs, dir)
    // A writer builds on STORE, which an init whose last directory sync failed may
    // have left visible but not durable: make it durable before acknowledging anything.
    if (lock !== undefined) fs.syncDir(dir)
    // Pins of cuts whose holder was killed: this writer is the next to hold the lock.
    if (lock !== undefined) cleanDeadPins(fs, dir)
    // An unfinished shard-rebalance holds the store (BUSY); a committed one's cleanup is finished here.
    if (lock !== undefined) settleRebalance(fs, dir, desc)
    return new StoreImpl(dir, fs, desc, options, sync, lock)
  } catch (err) {
    // Never keep the lock of a store this call does not return.
    await lock?.release()
    throw err instanceof StrataError ? err : ioError('sync', dir, err)
  }
}

/**
 * @internal A read-only store over the shard folders below `dir` (a cut's pin
 * folder) with descriptor `desc`, each shard i read at `at[i]`, not at its
 * CURRENT. For src/cut/cut-view.ts.
 */
export function openViewAt(dir: string, desc: StoreDescriptor, at: readonly ViewAt[], options: OpenOptions = {}): Store {
  return new StoreImpl(dir, options.fs ?? nodeFileSystem, desc, {...options, readOnly: true}, 'always', undefined, at)
}

/**
 * @internal A read-only store over the shard folders of `desc`'s generation
 * in `dir`, whatever STORE says: a shard-rebalance reads the generation it
 * built this way before its commit, to prove it holds the old one's data.
 */
export function openGeneration(dir: string, desc: StoreDescriptor, options: OpenOptions = {}): Store {
  // Pinned: a failure in the new generation must fail the proof, never send the read to the old one.
  return new StoreImpl(dir, options.fs ?? nodeFileSystem, desc, {...options, readOnly: true}, 'always', undefined, undefined, true)
}

/**
 * @internal The newest version of `key` (a tombstone or an expired put
 * included), or undefined: a point read of the record itself, for library
 * features that need more than its value (a cut's carried digest).
 */
export function newestVersion(store: Store, key: Buffer): Entry | undefined {
  if (!(store instanceof StoreImpl)) throw invalidArgument('not a store returned by open()')
  return store.newestVersion(key)
}

/**
 * @internal The newest version of every key of shard `index` in [from, to),
 * tombstones and expired versions included, in key order: the per-shard
 * stream a scan merges, for library features that work shard by shard (the
 * digest). REQUIRES: `store` was returned by `open`, 0 <= index < shardCount.
 */
export function shardVersions(store: Store, index: number, from?: Buffer, to?: Buffer): Generator<Entry> {
  if (!(store instanceof StoreImpl)) throw invalidArgument('not a store returned by open()')
  return store.shardVersions(index, from, to)
}

/**
 * @internal Shard `index` of `store` as it is now, its tables held until the
 * snapshot is released: for whole-shard passes that read records in place
 * (ShardSnapshot.cursors). REQUIRES: as shardVersions.
 */
export function shardSnapshot(store: Store, index: number): ShardSnapshot {
  if (!(store instanceof StoreImpl)) throw invalidArgument('not a store returned by open()')
  return store.shardSnapshot(index)
}
