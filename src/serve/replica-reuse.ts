/**
 * Applying a newer cut without downloading what the replica already holds.
 * A replica's data keys name one content for the life of its store (tables,
 * manifests and schema versions are immutable, and their file numbers are
 * never reused: src/replicate/keys.ts), so a whole-file object of the next
 * cut whose key and SHA-256 the served cut also lists is the file already
 * restored in the served cut's folder. It is hard-linked into the new folder
 * instead of downloaded; WAL ranges are always downloaded.
 *
 * The linked file was checked (size and SHA-256, or more) when its cut was
 * applied; it is checked again for size only. Without the served cut's
 * descriptor (removed by retention) or without hard links, every object is
 * downloaded.
 */
import {joinPath, replicaCutPath} from '../layout/names.js'
import type {ObjectStore} from '../objstore/object-store.js'
import {readCut} from '../replicate/cuts.js'
import type {ReuseObject} from '../restore/write-out.js'
import type {FileSystem} from '../vfs/fs.js'

/** How many objects (and bytes) a restore took from the served cut. */
export interface ReuseTally {
  objects: number
  bytes: number
}

/** A ReuseObject linking from the folder of served cut `servedId`, and its tally; no reuse when that cut cannot be read. */
export async function reuseServedCut(fs: FileSystem, objects: ObjectStore, local: string, servedId: string): Promise<{reuse?: ReuseObject; tally: ReuseTally}> {
  const tally: ReuseTally = {objects: 0, bytes: 0}
  const link = fs.link?.bind(fs)
  if (link === undefined) return {tally}
  let shaOf: Map<string, string>
  try {
    shaOf = new Map((await readCut(objects, servedId)).objects.map((o) => [o.key, o.sha256]))
  } catch {
    return {tally}
  }
  const servedDir = replicaCutPath(local, servedId)
  const reuse: ReuseObject = (o, target) => {
    if (o.offset !== 0 || shaOf.get(o.key) !== o.sha256) return false
    const held = joinPath(servedDir, ...o.path.split('/'))
    try {
      if (fs.fileSize(held) !== o.size) return false
      link(held, target)
    } catch {
      return false
    }
    tally.objects++
    tally.bytes += o.size
    return true
  }
  return {reuse, tally}
}
