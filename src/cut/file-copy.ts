/**
 * Putting a file into a new directory durably: a hard link when the file is
 * immutable and on the same filesystem, a synced copy otherwise, or a synced
 * copy of a prefix (a WAL up to its length at a cut).
 *
 * A linked file's bytes were synced by the writer that made it (tables and
 * manifests are synced before anything names them); a copy is synced here.
 * Either way the new name is durable only after the caller syncs the directory.
 */
import type {FileSystem} from '../vfs/fs.js'

/** How a file got into its new place. */
export type Placement = 'linked' | 'copied'

const COPY_CHUNK = 1024 * 1024

/** Errors of link() that mean "copy instead": another filesystem, or no hard links there. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK'])

/**
 * Places immutable file `from` at `to` (which must not exist): a hard link if
 * the filesystem allows one, else a synced copy. Returns which, and the size.
 */
export function linkOrCopy(fs: FileSystem, from: string, to: string, copy = false): {how: Placement; bytes: number} {
  if (!copy && fs.link !== undefined) {
    try {
      fs.link(from, to)
      return {how: 'linked', bytes: fs.fileSize(to)}
    } catch (err) {
      if (!NO_LINK.has((err as NodeJS.ErrnoException).code ?? '')) throw err
    }
  }
  return {how: 'copied', bytes: copyPrefix(fs, from, to, Infinity)}
}

/**
 * Copies the first `length` bytes of `from` (all of it if shorter) to the new
 * file `to` and syncs it. Returns the bytes copied.
 */
export function copyPrefix(fs: FileSystem, from: string, to: string, length: number): number {
  const src = fs.openRead(from)
  try {
    const dst = fs.create(to)
    try {
      const end = Math.min(length, src.size())
      const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(1, end)))
      let at = 0
      while (at < end) {
        const n = src.read(buf, 0, Math.min(buf.length, end - at), at)
        if (n === 0) break
        dst.append(buf.subarray(0, n))
        at += n
      }
      dst.sync()
      return at
    } finally {
      dst.close()
    }
  } finally {
    src.close()
  }
}
