/**
 * What the shard directories of a data directory say about the store, for
 * `repair`: how many shards there are, whether each one opens and reads
 * through to its last record, and whether every key sits in the shard the
 * key hash assigns it for that shard count. Read-only.
 *
 * The shard count is the number of shard directories, which must be
 * shard-0000 … shard-(N-1) with no gap. Jump hash makes one thing about it
 * unprovable: the keys of shards 0 … N-1 are placed the same for N and N+1
 * shards except those that moved to shard N, so a lost *last* shard
 * directory leaves a smaller store that places its keys consistently. The
 * caller's expected shard count (--shards) closes that gap.
 */
import {ErrorCode, StrataError, ioError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {shardOf} from '../util/hash.js'
import {isLive} from '../record/format.js'
import {BlockCompression} from '../sstable/format.js'
import {newDescriptor} from '../store/descriptor.js'
import {joinPath, parseShardDir, parseShardDirName, shardDirName} from '../layout/names.js'
import {Shard} from '../store/shard.js'
import {shardContext} from '../store/shard-context.js'
import {DEFAULT_POLICY} from '../store/compaction.js'

/** One shard as found. */
export interface ShardFinding {
  readonly shard: number
  /** Live tables its manifest lists. */
  readonly tables: number
  /** Bytes of its live WAL up to the last complete record. */
  readonly walBytes: number
  /** Keys it holds (newest version of each, tombstones included). */
  readonly keys: number
}

function damage(message: string, file: string): StrataError {
  return new StrataError(ErrorCode.CORRUPTION, message, {file, hint: `see what is damaged with: strata verify --dir ${file}`})
}

/** The shard count the directories of `generation` imply; throws CORRUPTION for a gap, NOT_A_STORE-free: callers handle "none". */
export function shardCountOf(names: readonly string[], dir: string, generation = 0): number {
  const indices = names.map((n) => parseShardDirName(n, generation)).filter((i) => i !== undefined).sort((a, b) => a - b)
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] !== i) {
      throw new StrataError(ErrorCode.CORRUPTION, `${joinPath(dir, shardDirName(i, generation))} is missing: the shard directories are not ${shardDirName(0, generation)} … ${shardDirName(indices.length - 1, generation)} without a gap`, {file: dir})
    }
  }
  return indices.length
}

/**
 * The shard generation to rebuild STORE for when STORE cannot say: the
 * lowest generation whose folders run from shard 0 without a gap. A
 * shard-rebalance builds generation g+1 beside g and deletes g only after
 * its commit, from shard 0 up: so the lowest complete generation is the old
 * one before the commit and the new one once the old is being removed, and
 * both hold the same data. 0 when there are no shard folders.
 */
export function generationOf(names: readonly string[]): number {
  const generations = [...new Set(names.map((n) => parseShardDir(n)?.generation).filter((g) => g !== undefined))].sort((a, b) => a - b)
  for (const g of generations) {
    try {
      shardCountOf(names, '', g)
      return g
    } catch {
      // A generation with a gap: a rebalance's partial one.
    }
  }
  return generations[0] ?? 0
}

/**
 * Opens shard `index` of `shards` read-only and reads every key: each must
 * hash to this shard. Throws CORRUPTION (the shard's own damage, or a key in
 * the wrong shard) or IO.
 */
export function examineShard(fs: FileSystem, dir: string, index: number, shards: number, generation = 0): ShardFinding {
  const desc = {...newDescriptor(shards, BlockCompression.NONE, 'repair', 0), shardGeneration: generation}
  const shardDir = joinPath(dir, shardDirName(index, generation))
  const now = Date.now()
  let shard: Shard
  try {
    shard = Shard.openView(shardContext(fs, dir, index, desc, Date.now, DEFAULT_POLICY))
  } catch (err) {
    if (err instanceof StrataError && err.code === ErrorCode.CORRUPTION) throw damage(`${shardDirName(index, generation)} does not open: ${err.message}`, dir)
    throw err instanceof StrataError ? err : ioError('open shard', shardDir, err)
  }
  let keys = 0
  let misplaced: {key: Buffer; home: number} | undefined
  let walBytes: number
  let tables: number
  try {
    for (const e of shard.entries()) {
      keys++
      const home = shardOf(e.key, shards)
      // A shard a rebalance kept may hold keys that moved out, shadowed by tombstones (verify/shadowed-keys.ts).
      if (home !== index && (generation === 0 || isLive(e, now))) {
        misplaced = {key: e.key, home}
        break
      }
    }
    ;({walBytes, tables} = shard.stats())
  } catch (err) {
    if (err instanceof StrataError && err.code === ErrorCode.CORRUPTION) throw damage(`${shardDirName(index, generation)} does not read through: ${err.message}`, dir)
    throw err instanceof StrataError ? err : ioError('read shard', shardDir, err)
  } finally {
    shard.close()
  }
  if (misplaced !== undefined) {
    const key = JSON.stringify(misplaced.key.subarray(0, 40).toString('latin1'))
    throw damage(`${shardDirName(index, generation)} holds key ${key}, which belongs to shard ${misplaced.home} of ${shards}: these shard directories are not a store of ${shards} shards`, dir)
  }
  return {shard: index, tables, walBytes, keys}
}
