/**
 * `init`: creates an empty store in a new or empty directory, and never
 * deletes or overwrites anything it did not itself start writing.
 *
 * Protocol (crash-safe at every step):
 *   1. create the directory (and make its entry durable in its parents);
 *   2. create INIT-IN-PROGRESS and sync the directory: from here on the
 *      directory says that an init owns it;
 *   3. take the writer lock (LOCK) and check the directory again under it;
 *   4. remove what an earlier, crashed init left (only its own kinds of file);
 *   5. create the shard directories, each with an empty WAL and a manifest;
 *   6. write the descriptor into INIT-IN-PROGRESS, sync it, rename it to
 *      STORE and sync the directory: the one commit point.
 * A directory holding INIT-IN-PROGRESS (and otherwise only LOCK and shard
 * directories of the shape step 5 writes) is an init that did not finish,
 * and the next init starts over in it; any other content is refused, a store
 * whose STORE is missing included (its shards are for `repair`, data-dir.ts).
 */
import * as path from 'node:path'
import {ErrorCode, StrataError, invalidArgument, ioError} from '../errors.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {syncParent} from '../vfs/durable.js'
import type {CreateOptions} from '../api.js'
import {COMPRESSION_NAMES, type BlockCompression} from '../sstable/format.js'
import {WAL_HEADER_SIZE} from '../wal/format.js'
import {VERSION} from '../version.js'
import {MAX_SHARDS, encodeDescriptor, newDescriptor} from './descriptor.js'
import {CURRENT_FILE, CURRENT_TMP_FILE, INIT_MARKER, LOCK_FILE, STORE_FILE, isShardDirName, joinPath, manifestFileName, walFileName} from '../layout/names.js'
import {acquireWriterLock} from './lock.js'
import {checkDirPath} from './data-dir.js'
import {Shard} from './shard.js'
import {DEFAULT_POLICY} from './compaction.js'
import {shardContext} from './shard-context.js'

/** The files step 5 writes in a shard directory (with CURRENT.tmp while switching). The WAL holds its header only. */
const INIT_SHARD_FILES = new Set([walFileName(1), manifestFileName(2), CURRENT_FILE, CURRENT_TMP_FILE])

/** Creates an empty store in `dir` (created if missing; must be new, empty, or an unfinished init). */
export async function createStore(dir: string, options: CreateOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeFileSystem
  const shards = options.shards ?? 4
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) throw invalidArgument(`shard count must be an integer from 1 to ${MAX_SHARDS}, got ${shards}`)
  const compression = options.compression ?? 'lz'
  const code = COMPRESSION_NAMES.indexOf(compression)
  if (code < 0) throw invalidArgument(`compression must be ${COMPRESSION_NAMES.join(', ')}, got ${compression}`)
  checkDirPath(fs, dir)
  makeDirectory(fs, dir)
  checkContents(fs, dir)
  const marker = joinPath(dir, INIT_MARKER)
  let createdMarker = false
  try {
    if (!fs.exists(marker)) {
      try {
        fs.create(marker).close()
        createdMarker = true
      } catch (err) {
        // Another init created it a moment ago: the lock decides which of us goes on.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
    }
    fs.syncDir(dir)
  } catch (err) {
    throw ioError('init', dir, err)
  }
  const lock = await acquireWriterLock(fs, dir, 0)
  try {
    if (fs.exists(joinPath(dir, STORE_FILE))) {
      // Another init finished meanwhile; take back only what this one wrote.
      if (createdMarker && fs.exists(marker)) fs.unlink(marker)
      throw alreadyExists(dir)
    }
    checkContents(fs, dir)
    for (const name of fs.readdir(dir)) if (isShardDirName(name)) removeInitShard(fs, joinPath(dir, name))
    const desc = newDescriptor(shards, code as BlockCompression, `strata ${VERSION}`, Date.now())
    for (let i = 0; i < shards; i++) Shard.create(shardContext(fs, dir, i, desc, Date.now, DEFAULT_POLICY))
    const file = fs.openAppend(marker, 0)
    try {
      file.append(encodeDescriptor(desc))
      file.sync()
    } finally {
      file.close()
    }
    fs.rename(marker, joinPath(dir, STORE_FILE))
    fs.syncDir(dir)
  } catch (err) {
    throw err instanceof StrataError ? err : ioError('init', dir, err)
  } finally {
    await lock.release()
  }
}

function alreadyExists(dir: string): StrataError {
  return new StrataError(ErrorCode.ALREADY_EXISTS, `${dir} already holds a strata store`, {file: dir})
}

/** Creates `dir` and makes the entries of the directories this created durable in their parents. */
function makeDirectory(fs: FileSystem, dir: string): void {
  const created: string[] = []
  for (let d = path.resolve(dir); !fs.exists(d) && d !== path.dirname(d); d = path.dirname(d)) created.push(d)
  try {
    fs.mkdir(dir)
    for (const d of created) syncParent(fs, path.dirname(d))
  } catch (err) {
    throw ioError('create directory', dir, err)
  }
}


/** Refuses a directory that is neither empty nor an unfinished init (see the module comment). */
function checkContents(fs: FileSystem, dir: string): void {
  let names: string[]
  try {
    names = fs.readdir(dir)
  } catch (err) {
    throw ioError('list', dir, err)
  }
  if (names.includes(STORE_FILE)) throw alreadyExists(dir)
  if (names.length === 0) return
  const shardDirs = names.filter((n) => isShardDirName(n))
  if (names.includes(INIT_MARKER)) {
    const other = names.filter((n) => n !== INIT_MARKER && n !== LOCK_FILE && !isShardDirName(n))
    const foreign = shardDirs.find((n) => !isInitShard(fs, joinPath(dir, n)))
    if (other.length === 0 && foreign === undefined) return
    throw invalidArgument(
      `${dir} holds an unfinished init, but also ${other.length > 0 ? describe(other) : `${foreign}, which holds data init does not write`}`,
      'move the data away, or remove the directory if it is not needed',
    )
  }
  if (shardDirs.length > 0) {
    throw new StrataError(ErrorCode.INVALID_ARGUMENT, `${dir} holds shard directories but no STORE file: a store whose descriptor is missing, not an empty directory`, {
      file: dir,
      hint: `rebuild its STORE with: strata repair --dir ${dir}`,
    })
  }
  throw invalidArgument(`${dir} is not empty (it holds ${describe(names)})`, 'init a store in a new or empty directory')
}

function describe(names: readonly string[]): string {
  return `${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`
}

/** True when the shard directory holds only what step 5 writes: no tables, and a WAL without records. */
function isInitShard(fs: FileSystem, shardDir: string): boolean {
  if (!fs.isDirectory(shardDir)) return false
  for (const name of fs.readdir(shardDir)) {
    if (!INIT_SHARD_FILES.has(name)) return false
    if (name === walFileName(1) && fs.fileSize(joinPath(shardDir, name)) > WAL_HEADER_SIZE) return false
  }
  return true
}

/** Removes a shard directory a crashed init left; checked by isInitShard under the lock. */
function removeInitShard(fs: FileSystem, shardDir: string): void {
  for (const f of fs.readdir(shardDir)) fs.unlink(joinPath(shardDir, f))
  fs.rmdir(shardDir)
}
