/**
 * Small durable-write steps shared by everything that creates files and
 * directories: a new file written and synced in one go, and the sync of a
 * parent directory that may not be readable.
 */
import * as path from 'node:path'
import type {FileSystem} from './fs.js'

/** Writes `data` as the new file `path` and syncs it. Durable once its directory is synced too. */
export function writeSynced(fs: FileSystem, path: string, data: Uint8Array): void {
  const file = fs.create(path)
  try {
    file.append(data)
    file.sync()
  } finally {
    file.close()
  }
}

/**
 * Syncs `dir`, the parent of a directory just created, so that the new entry
 * is durable. A parent this process may not read (EACCES, EPERM) cannot be
 * synced and is skipped.
 */
export function syncParent(fs: FileSystem, dir: string): void {
  try {
    fs.syncDir(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EPERM') throw err
  }
}

/** Creates directory `dir` and any missing parents, and makes each new entry durable; an existing `dir` is left as it is. */
export function makeDirDurable(fs: FileSystem, dir: string): void {
  if (fs.exists(dir)) return
  const created: string[] = []
  for (let d = path.resolve(dir); !fs.exists(d) && d !== path.dirname(d); d = path.dirname(d)) created.push(d)
  fs.mkdir(dir)
  // Top-down: a new folder's entry is made durable after its parent's.
  for (const d of created.reverse()) syncParent(fs, path.dirname(d))
}
