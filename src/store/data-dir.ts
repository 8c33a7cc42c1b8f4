/**
 * What a data directory path names: the checks made on `dir` before a store
 * is opened, created, verified or repaired, and the diagnosis of a directory
 * that is not a store, which tells a new directory (create a store with
 * `init`), an unfinished init (run it again) and a store that lost its STORE
 * (`repair`, never `init`) apart.
 *
 * A data directory:  STORE  LOCK  shard-NNNN/…  and, only while `init` runs
 * (or after it crashed), INIT-IN-PROGRESS, written by init before anything
 * else and renamed to STORE as its last step (init.ts).
 */
import * as path from 'node:path'
import {ErrorCode, StrataError, invalidArgument} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {CHECKPOINT_PARTIAL_FILE, INIT_MARKER, isShardDirName} from '../layout/names.js'

/**
 * Throws INVALID_ARGUMENT when `dir` cannot name a data directory: the empty
 * string, a path that exists and is not a directory, or one below a file.
 * A path that does not exist (yet) passes.
 */
export function checkDirPath(fs: FileSystem, dir: string): void {
  if (dir === '') throw invalidArgument('the data directory path is empty', 'give the path of a data directory')
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.isDirectory(d)) return
    // Only listing tells a file (ENOTDIR) from a failed stat: a failing disk is not bad input.
    if (fs.exists(d) && isFile(fs, d)) {
      const what = d === dir ? `${dir} is not a directory` : `${dir}: ${d} is not a directory`
      throw new StrataError(ErrorCode.INVALID_ARGUMENT, what, {file: d, hint: 'give the path of a data directory, not of a file'})
    }
    if (path.dirname(d) === d) return
  }
}

function isFile(fs: FileSystem, p: string): boolean {
  try {
    fs.readdir(p)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOTDIR'
  }
}

/** The names in `dir`, or undefined when it cannot be listed. */
function list(fs: FileSystem, dir: string): string[] | undefined {
  try {
    return fs.readdir(dir)
  } catch {
    return undefined
  }
}

/**
 * The NOT_A_STORE error for `dir`, which has no STORE file: its message and
 * hint say what the directory holds and the command that helps.
 */
export function notAStore(fs: FileSystem, dir: string): StrataError {
  const error = (why: string, hint: string): StrataError => new StrataError(ErrorCode.NOT_A_STORE, `${dir} is not a strata store (${why})`, {file: dir, hint})
  if (!fs.isDirectory(dir)) return error('no such directory', `create one with: strata init --dir ${dir}`)
  const names = list(fs, dir) ?? []
  if (names.includes(INIT_MARKER)) return error('its init did not finish', `run the init again: strata init --dir ${dir}`)
  if (names.includes(CHECKPOINT_PARTIAL_FILE)) return error('it holds an unfinished checkpoint', 'run the same strata checkpoint command again to redo it, or remove the directory')
  const shards = names.filter((n) => isShardDirName(n))
  if (shards.length > 0) {
    return error(
      `no STORE file, but ${shards.length} shard director${shards.length === 1 ? 'y' : 'ies'}: the store's descriptor is missing`,
      `rebuild it from the shards with: strata repair --dir ${dir}`,
    )
  }
  if (names.length === 0) return error('empty directory', `create one with: strata init --dir ${dir}`)
  return error('no STORE file', 'give the data directory of a store; init creates one only in a new or empty directory')
}
