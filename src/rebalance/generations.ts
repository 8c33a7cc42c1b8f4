/**
 * The shard folders of generations other than STORE's: what a rebalance is
 * building (before its commit) or has left behind (after it). Removing them
 * is the cleanup of a committed rebalance and the work of `--abort`.
 *
 * Folders are removed in ascending shard order, each one file by file and
 * then the folder, and the data directory is synced at the end: a crash in
 * between leaves a generation whose lowest shards are missing, which nothing
 * reads (readers open STORE's generation only) and the next cleanup finishes.
 */
import {ioError, isNotFound} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {joinPath, parseShardDir} from '../layout/names.js'

/** Names of the shard folders in `dir` whose generation `keep` rejects, ascending by shard. */
export function foldersOutside(fs: FileSystem, dir: string, keep: (generation: number) => boolean): string[] {
  let names: string[]
  try {
    names = fs.readdir(dir)
  } catch (err) {
    throw ioError('list', dir, err)
  }
  return names
    .map((n) => ({n, p: parseShardDir(n)}))
    .filter((x) => x.p !== undefined && !keep(x.p.generation))
    .sort((a, b) => a.p!.shard - b.p!.shard || a.p!.generation - b.p!.generation)
    .map((x) => x.n)
}

/** Removes shard folder `path` and everything in it; a missing folder or file is fine. */
export function removeFolder(fs: FileSystem, path: string): void {
  let files: string[]
  try {
    files = fs.readdir(path)
  } catch (err) {
    if (isNotFound(err)) return
    throw ioError('list', path, err)
  }
  try {
    for (const f of files) {
      try {
        fs.unlink(joinPath(path, f))
      } catch (err) {
        if (!isNotFound(err)) throw err
      }
    }
    fs.rmdir(path)
  } catch (err) {
    if (!isNotFound(err)) throw ioError('delete', path, err)
  }
}

/** Removes every shard folder of `dir` not of generation `live`, then syncs `dir`; returns how many. */
export function removeOtherGenerations(fs: FileSystem, dir: string, live: number): number {
  const names = foldersOutside(fs, dir, (g) => g === live)
  for (const n of names) removeFolder(fs, joinPath(dir, n))
  if (names.length > 0) fs.syncDir(dir)
  return names.length
}
