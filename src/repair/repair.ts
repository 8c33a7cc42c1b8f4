/**
 * `repair`: rebuilds a missing or damaged STORE descriptor from the shard
 * directories, when they are consistent (examine.ts), and never deletes data.
 *
 * What STORE holds and where a rebuilt one takes it from:
 *   shard count       the shard directories (shard-0000 … without a gap),
 *                     confirmed by every key hashing to the shard it is in;
 *                     `shards` makes the caller's expectation a condition
 *   hash id           the only one there is (fnv1a64-jump), confirmed likewise
 *   compression       `compression`, default zlib: it is how new tables are
 *                     written; every table records its own blocks' compression
 *   format version    the current one
 *   block size        the default (4096); only new tables use it
 *   shard generation  0 (the shard directories have no generation in their names)
 *   created at / by   now / "strata VERSION (repair)"
 *
 * Steps, under the writer lock: examine every shard; move a damaged STORE
 * aside as STORE.damaged-<ms> (kept, never deleted); write the new STORE
 * atomically (temp file, sync, rename, directory sync). A crash at any step
 * leaves a directory that repair handles again. An intact STORE is left as it
 * is; one of a newer format is refused (UNSUPPORTED), never rewritten.
 */
import {ErrorCode, StrataError, invalidArgument, ioError} from '../errors.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {HashId} from '../util/hash.js'
import {COMPRESSION_NAMES, type BlockCompression, type CompressionName} from '../sstable/format.js'
import {VERSION} from '../version.js'
import {MAX_SHARDS, decodeDescriptor, newDescriptor, writeDescriptor, type StoreDescriptor} from '../store/descriptor.js'
import {INIT_MARKER, STORE_FILE, damagedStoreName, isShardDirName, joinPath} from '../layout/names.js'
import {checkDirPath, notAStore} from '../store/data-dir.js'
import {acquireWriterLock} from '../store/lock.js'
import {examineShard, generationOf, shardCountOf, type ShardFinding} from './examine.js'

/** Options of repairStore. */
export interface RepairOptions {
  /** Report what would be done; write nothing and take no lock. */
  readonly dryRun?: boolean
  /** The shard count the store is known to have; repair refuses if the directories say otherwise. */
  readonly shards?: number
  /** Compression of new tables in the rebuilt STORE. Default zlib. */
  readonly compression?: CompressionName
  readonly fs?: FileSystem
}

/** What repair found and did. JSON shape of `strata repair --format json`. */
export interface RepairReport {
  readonly dir: string
  /** 'rebuilt': STORE was (or, with dryRun, would be) written; 'none': STORE was intact. */
  readonly action: 'rebuilt' | 'none'
  readonly dryRun: boolean
  /** Why: "STORE is missing", "STORE is damaged: …" or "STORE is intact". */
  readonly reason: string
  /** The descriptor written (or found intact). */
  readonly store: {readonly shards: number; readonly hash: string; readonly compression: CompressionName; readonly formatVersion: number; readonly blockSize: number; readonly shardGeneration: number}
  /** Fields that could not be recovered from the shards and took their documented defaults. Never null. */
  readonly defaults: readonly string[]
  /** Where the damaged STORE was moved, when it was. */
  readonly damagedStoreKeptAs?: string
  readonly shards: readonly ShardFinding[]
}

type StoreState = {kind: 'missing'} | {kind: 'damaged'; why: string} | {kind: 'intact'; desc: StoreDescriptor}

/** Reads STORE as repair sees it. UNSUPPORTED (a newer format) and I/O failures throw. */
function storeState(fs: FileSystem, dir: string): StoreState {
  const path = joinPath(dir, STORE_FILE)
  if (!fs.exists(path)) return {kind: 'missing'}
  let buf: Buffer
  try {
    buf = fs.readFile(path)
  } catch (err) {
    throw ioError('read', path, err)
  }
  try {
    return {kind: 'intact', desc: decodeDescriptor(buf, path)}
  } catch (err) {
    if (err instanceof StrataError && err.code === ErrorCode.CORRUPTION) return {kind: 'damaged', why: err.message}
    throw err
  }
}

function summary(d: StoreDescriptor): RepairReport['store'] {
  return {
    shards: d.shardCount,
    hash: d.hashId === HashId.FNV1A64_JUMP ? 'fnv1a64-jump' : `unknown(${d.hashId})`,
    compression: COMPRESSION_NAMES[d.compression],
    formatVersion: d.formatVersion,
    blockSize: d.blockSize,
    shardGeneration: d.shardGeneration,
  }
}

/** Rebuilds DIR/STORE from the shard directories; see the module comment. */
export async function repairStore(dir: string, options: RepairOptions = {}): Promise<RepairReport> {
  const fs = options.fs ?? nodeFileSystem
  const {shards: expected, compression = 'zlib'} = options
  if (expected !== undefined && !(Number.isInteger(expected) && expected >= 1 && expected <= MAX_SHARDS)) throw invalidArgument(`shard count must be an integer from 1 to ${MAX_SHARDS}, got ${expected}`)
  if (!COMPRESSION_NAMES.includes(compression)) throw invalidArgument(`compression must be ${COMPRESSION_NAMES.join(', ')}, got ${compression}`)
  checkDirPath(fs, dir)
  if (!fs.isDirectory(dir)) throw notAStore(fs, dir)
  const dryRun = options.dryRun === true
  // Refuse what is not a store before the lock, which would create LOCK in it.
  refuseNonStore(fs, dir, listNames(fs, dir), storeState(fs, dir))
  const lock = dryRun ? undefined : await acquireWriterLock(fs, dir, 0)
  try {
    return examineAndWrite(fs, dir, dryRun, expected, compression, options.compression !== undefined)
  } finally {
    await lock?.release()
  }
}

function listNames(fs: FileSystem, dir: string): string[] {
  try {
    return fs.readdir(dir)
  } catch (err) {
    throw ioError('list', dir, err)
  }
}

/** An unfinished init, or a directory without STORE and without shards: nothing to rebuild a store from (NOT_A_STORE). */
function refuseNonStore(fs: FileSystem, dir: string, names: readonly string[], state: StoreState): void {
  if (names.includes(INIT_MARKER) && state.kind !== 'intact') throw notAStore(fs, dir)
  if (!names.some((n) => isShardDirName(n)) && state.kind === 'missing') throw notAStore(fs, dir)
}

function examineAndWrite(fs: FileSystem, dir: string, dryRun: boolean, expected: number | undefined, compression: CompressionName, compressionGiven: boolean): RepairReport {
  const names = listNames(fs, dir)
  const state = storeState(fs, dir)
  refuseNonStore(fs, dir, names, state)
  const generation = state.kind === 'intact' ? state.desc.shardGeneration : generationOf(names)
  const count = shardCountOf(names, dir, generation)
  if (state.kind === 'intact') {
    if (state.desc.shardCount !== count) {
      throw new StrataError(ErrorCode.CORRUPTION, `STORE is intact and says ${state.desc.shardCount} shards, but there are ${count} shard directories; repair does not rewrite an intact STORE`, {file: joinPath(dir, STORE_FILE), hint: `see what is damaged with: strata verify --dir ${dir}`})
    }
    if (expected !== undefined && expected !== count) {
      throw new StrataError(ErrorCode.CORRUPTION, `STORE is intact and says ${count} shards, not ${expected}`, {file: joinPath(dir, STORE_FILE)})
    }
    return {dir, action: 'none', dryRun, reason: 'STORE is intact', store: summary(state.desc), defaults: [], shards: []}
  }
  if (expected !== undefined && expected !== count) {
    throw new StrataError(ErrorCode.CORRUPTION, `found ${count} shard directories, but the store has ${expected} shards: shard directories are missing or extra`, {file: dir})
  }
  const shards: ShardFinding[] = []
  for (let i = 0; i < count; i++) shards.push(examineShard(fs, dir, i, count, generation))
  const desc = {...newDescriptor(count, COMPRESSION_NAMES.indexOf(compression) as BlockCompression, `strata ${VERSION} (repair)`, Date.now()), shardGeneration: generation}
  // The generation comes from the folders' names when a rebalance made one.
  const defaults = [...(compressionGiven ? [] : ['compression']), 'blockSize', ...(generation === 0 ? ['shardGeneration'] : []), 'createdAt']
  const reason = state.kind === 'missing' ? 'STORE is missing' : `STORE is damaged: ${state.why}`
  let keptAs: string | undefined
  if (!dryRun) {
    try {
      if (state.kind === 'damaged') {
        keptAs = damagedStoreName(Date.now())
        fs.rename(joinPath(dir, STORE_FILE), joinPath(dir, keptAs))
        fs.syncDir(dir)
      }
      writeDescriptor(fs, dir, desc)
    } catch (err) {
      throw ioError('write', joinPath(dir, STORE_FILE), err)
    }
  }
  return {dir, action: 'rebuilt', dryRun, reason, store: summary(desc), defaults, ...(keptAs === undefined ? {} : {damagedStoreKeptAs: keptAs}), shards}
}
