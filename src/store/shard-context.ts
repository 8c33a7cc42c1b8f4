/**
 * What a store hands each of its shards: the shard's directory and the
 * store-wide settings and shared resources (block cache, descriptor budget,
 * compaction policy), resolved once from the open options.
 */
import {invalidArgument} from '../errors.js'
import {descriptorLimit, nodeFileSystem} from '../vfs/node-fs.js'
import {DEFAULT_MAX_OPEN_FILES, MIN_MAX_OPEN_FILES, OpenFiles} from '../vfs/open-files.js'
import type {FileSystem} from '../vfs/fs.js'
import type {OpenOptions} from '../api.js'
import {BlockCache} from '../sstable/block-cache.js'
import {VERSION} from '../version.js'
import type {StoreDescriptor} from './descriptor.js'
import {joinPath, shardDirName} from '../layout/names.js'
import {DEFAULT_POLICY, type CompactionPolicy} from './compaction.js'
import type {ShardContext} from './shard-types.js'

const DEFAULT_WAL_FLUSH_BYTES = 4 * 1024 * 1024
const DEFAULT_CACHE_BYTES = 8 * 1024 * 1024

/** The context of shard `index` of the store in `dir`. */
export function shardContext(fs: FileSystem, dir: string, index: number, desc: StoreDescriptor, now: () => number, policy: CompactionPolicy, cache?: BlockCache, files?: OpenFiles): ShardContext {
  return {
    fs,
    dir: joinPath(dir, shardDirName(index, desc.shardGeneration)),
    index,
    compression: desc.compression,
    blockSize: desc.blockSize,
    createdBy: `strata ${VERSION}`,
    now,
    policy,
    ...(cache ? {cache} : {}),
    ...(files ? {files} : {}),
  }
}

/**
 * Whether a writer over `fs` runs flushes and compactions in the background
 * (OpenOptions.background): by default exactly when `fs` is the real
 * filesystem, the only one the worker thread can write through (README,
 * "Background work").
 */
export function backgroundWork(options: OpenOptions, fs: FileSystem): boolean {
  if (options.readOnly === true) return false
  const real = fs === nodeFileSystem
  if (options.background === true && !real) throw invalidArgument('background: true needs the real filesystem; a store over another FileSystem runs its flushes and compactions inline')
  return options.background ?? real
}

/** The store-wide settings of `options`, checked, with their defaults. */
export function storeSettings(options: OpenOptions): {now: () => number; walFlushBytes: number; policy: CompactionPolicy; cache: BlockCache; files: OpenFiles} {
  const now = options.now ?? Date.now
  const walFlushBytes = options.walFlushBytes ?? DEFAULT_WAL_FLUSH_BYTES
  const trigger = options.compactionTrigger ?? DEFAULT_POLICY.l0Trigger
  if (!Number.isInteger(trigger) || trigger < 1) throw invalidArgument(`compactionTrigger must be a positive integer, got ${trigger}`)
  const policy = {...DEFAULT_POLICY, l0Trigger: trigger, ...(options.levelBaseBytes !== undefined ? {baseLevelBytes: options.levelBaseBytes, targetFileBytes: Math.max(64 * 1024, Math.floor(options.levelBaseBytes / 4))} : {})}
  const cacheBytes = options.cacheSizeBytes ?? DEFAULT_CACHE_BYTES
  if (!Number.isSafeInteger(cacheBytes) || cacheBytes < 0) throw invalidArgument(`cacheSizeBytes must be a non-negative integer, got ${cacheBytes}`)
  const cache = new BlockCache(cacheBytes)
  const maxOpenFiles = options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES
  if (!Number.isSafeInteger(maxOpenFiles) || maxOpenFiles < MIN_MAX_OPEN_FILES) {
    throw invalidArgument(`maxOpenFiles must be an integer of at least ${MIN_MAX_OPEN_FILES}, got ${maxOpenFiles}`)
  }
  return {now, walFlushBytes, policy, cache, files: new OpenFiles(maxOpenFiles, descriptorLimit)}
}
