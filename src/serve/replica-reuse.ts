/**
 * Applying a newer cut without downloading what the replica already holds.
 * A replica's data keys name one content for the life of its store (tables,
 * manifests and schema versions are immutable, and their file numbers are
 * never reused: src/replicate/keys.ts), so a whole-file object of the next
 * cut whose key and SHA-256 the served cut also lists is the file already
 * restored in the served cut's folder: it is hard-linked into the new folder
 * instead of downloaded. Likewise a WAL range both cuts list is read from
 * the served cut's WAL file (restore checks its size and SHA-256 before using
 * it), so only the WAL bytes written since are downloaded.
 *
 * A linked file was checked (size and SHA-256, or more) when its cut was
 * applied; it is checked again for size only. Without the served cut's
 * descriptor (removed by retention) every object is downloaded; without hard
 * links, every whole file.
 */
import {joinPath, replicaCutPath} from '../layout/names.js'
import type {ObjectStore} from '../objstore/object-store.js'
import {readCut} from '../replicate/cuts.js'
import type {ReuseObject} from '../restore/write-out.js'
import type {CutObject} from '../replicate/cut-descriptor.js'
import type {FileSystem} from '../vfs/fs.js'

/** How many objects (and bytes) a restore took from the served cut. */
export interface ReuseTally {
  objects: number
  bytes: number
}

/** A ReuseObject taking from the folder of served cut `servedId`, and its tally (objects linked or read); no reuse when that cut cannot be read. */
export async function reuseServedCut(fs: FileSystem, objects: ObjectStore, local: string, servedId: string): Promise<{reuse?: ReuseObject; tally: ReuseTally}> {
  const tally: ReuseTally = {objects: 0, bytes: 0}
  const hardLink = fs.link?.bind(fs)
  let shaOf: Map<string, string>
  try {
    shaOf = new Map((await readCut(objects, servedId)).objects.map((o) => [o.key, o.sha256]))
  } catch {
    return {tally}
  }
  const servedDir = replicaCutPath(local, servedId)
  const held = (o: CutObject): string | undefined => (shaOf.get(o.key) === o.sha256 ? joinPath(servedDir, ...o.path.split('/')) : undefined)
  const reuse: ReuseObject = {
    link(o, target) {
      const from = held(o)
      if (from === undefined || o.offset !== 0 || hardLink === undefined) return false
      try {
        if (fs.fileSize(from) !== o.size) return false
        hardLink(from, target)
      } catch {
        return false
      }
      tally.objects++
      tally.bytes += o.size
      return true
    },
    read(o) {
      const from = held(o)
      if (from === undefined) return undefined
      const bytes = Buffer.alloc(o.size)
      try {
        const file = fs.openRead(from)
        try {
          if (file.read(bytes, 0, o.size, o.offset) !== o.size) return undefined
        } finally {
          file.close()
        }
      } catch {
        return undefined
      }
      tally.objects++
      tally.bytes += o.size
      return bytes
    },
  }
  return {reuse, tally}
}
