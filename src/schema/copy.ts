/**
 * The registry copied into another store's directory (a checkpoint): every
 * version file byte for byte, each synced, then the folder. Version files
 * are immutable once renamed into place, so a copy taken at any moment is a
 * valid registry; a .tmp file (an unfinished registration) is not copied.
 */
import type {FileSystem} from '../vfs/fs.js'
import {syncParent, writeSynced} from '../vfs/durable.js'
import {joinPath, parseSchemaFileName, SCHEMAS_DIR} from '../layout/names.js'

/** Copies the registry of the store in `from` into `to` (nothing when it has none); returns the files copied. */
export function copyRegistry(fs: FileSystem, from: string, to: string): number {
  const src = joinPath(from, SCHEMAS_DIR)
  if (!fs.exists(src)) return 0
  const dst = joinPath(to, SCHEMAS_DIR)
  fs.mkdir(dst)
  let n = 0
  for (const name of fs.readdir(src)) {
    if (parseSchemaFileName(name) === undefined) continue
    writeSynced(fs, joinPath(dst, name), fs.readFile(joinPath(src, name)))
    n++
  }
  fs.syncDir(dst)
  syncParent(fs, to)
  return n
}
