/**
 * The writer lock: one writing process per store.
 *
 * DIR/LOCK is locked with FileSystem.tryLock (file-lock.ts): on the real disk
 * a flock(2) lock, which excludes every process on the same kernel, whatever
 * namespaces it runs in (containers sharing the volume included), and which
 * the kernel drops when the holder exits for any reason, kill -9 included,
 * so a crashed writer never leaves a stale lock behind. The holder records
 * its pid in LOCK to be named in BUSY errors, and empties LOCK on release.
 *
 * Limits: the lock holds between processes of one machine on a local
 * filesystem. It does not hold on NFS, nor between machines sharing a
 * network filesystem: a data directory belongs on a local filesystem.
 */
import {ErrorCode, StrataError, ioError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {LOCK_FILE, joinPath} from '../layout/names.js'
import {lockHolder, tryLockFile, type HeldFileLock} from './file-lock.js'

/** A held writer lock. */
export interface WriterLock {
  release(): Promise<void>
}

function attempt(fs: FileSystem, path: string, doing?: string): HeldFileLock | undefined {
  try {
    return tryLockFile(fs, path, doing)
  } catch (err) {
    throw ioError('lock', path, err)
  }
}

/**
 * Acquires the writer lock of `dir`, waiting up to `timeoutMs` (polling).
 * Throws BUSY naming the holder's pid (as recorded in LOCK), and what it is
 * doing when it said (`doing`, e.g. "shard-rebalance"), when time runs out.
 */
export async function acquireWriterLock(fs: FileSystem, dir: string, timeoutMs: number, doing?: string): Promise<WriterLock> {
  const path = joinPath(dir, LOCK_FILE)
  const deadline = Date.now() + Math.max(0, timeoutMs)
  let delay = 2
  for (;;) {
    const held = attempt(fs, path, doing)
    if (held) {
      return {
        release: async () => {
          try {
            held.release()
          } catch (err) {
            throw ioError('unlock', path, err)
          }
        },
      }
    }
    if (Date.now() >= deadline) {
      const h = await holderOf(fs, path)
      const holder = h === undefined ? '' : ` (held by pid ${h.pid}${h.doing === undefined ? '' : `, a running strata ${h.doing}`})`
      throw new StrataError(ErrorCode.BUSY, `store ${dir} is locked by another writer${holder}`, {
        file: dir,
        hint: timeoutMs > 0 ? 'try again later, or raise --lock-timeout' : 'wait for the other writer, or pass --lock-timeout',
      })
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))))
    delay = Math.min(delay * 2, 50)
  }
}

/** The holder; a holder that has just taken the lock may not have written it yet, so look a few times. */
async function holderOf(fs: FileSystem, path: string): Promise<{pid: number; doing?: string} | undefined> {
  for (let i = 0; ; i++) {
    const h = lockHolder(fs, path)
    if (h !== undefined || i >= 3) return h
    await new Promise((r) => setTimeout(r, 10))
  }
}
