/**
 * The tables a migration builds before they replace their shard:
 * DIR/schemas/MIGRATION-TABLES/shard-NNNN/NNNNNN.sst, outside the shard
 * folders, so that a writer's open (which removes the files of a shard
 * folder that no manifest names) leaves them alone between a kill and the
 * resume. The journal lists the tables of each shard whose chunk is
 * durable; any other table found here is a leftover of a chunk a kill
 * interrupted, and is removed before the shard's pass goes on. The folder
 * goes when the run ends or is aborted.
 */
import {ioError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {makeDirDurable, syncParent} from '../vfs/durable.js'
import {MIGRATION_TABLES_DIR, SCHEMAS_DIR, joinPath, migrationTablesPath, parseFileName, tableFileName} from '../layout/names.js'
import {removeFolder} from '../rebalance/generations.js'

/** The path of table `n` built for shard `shard`. */
export function stagedTablePath(dir: string, shard: number, n: number): string {
  return joinPath(migrationTablesPath(dir, shard), tableFileName(n))
}

/**
 * Makes shard `shard`'s folder of built tables exist, durably, holding only
 * the tables `keep` names (the leftovers of an interrupted chunk removed).
 */
export function prepareStaging(fs: FileSystem, dir: string, shard: number, keep: readonly number[]): void {
  const folder = migrationTablesPath(dir, shard)
  try {
    makeDirDurable(fs, folder)
    const kept = new Set(keep)
    let removed = 0
    for (const name of fs.readdir(folder)) {
      const p = parseFileName(name)
      if (p?.kind === 'sst' && kept.has(p.number)) continue
      fs.unlink(joinPath(folder, name))
      removed++
    }
    if (removed > 0) fs.syncDir(folder)
  } catch (err) {
    throw ioError('prepare', folder, err)
  }
}

/** Removes shard `shard`'s built tables (they replaced it, or its pass starts again). */
export function removeStaged(fs: FileSystem, dir: string, shard: number): void {
  removeFolder(fs, migrationTablesPath(dir, shard))
}

/** Removes every built table and their folder (the run is over or aborted). */
export function removeStaging(fs: FileSystem, dir: string): void {
  const top = joinPath(dir, SCHEMAS_DIR, MIGRATION_TABLES_DIR)
  try {
    if (!fs.exists(top)) return
    for (const name of fs.readdir(top)) removeFolder(fs, joinPath(top, name))
    fs.rmdir(top)
    syncParent(fs, joinPath(dir, SCHEMAS_DIR))
  } catch (err) {
    throw ioError('remove', top, err)
  }
}
