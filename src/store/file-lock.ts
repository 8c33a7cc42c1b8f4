/**
 * Process-held file locks with a recorded holder: the liveness primitive of
 * the store. A lock is held exactly as long as the process that took it
 * lives (FileSystem.tryLock: flock(2) on the real disk, released by the
 * kernel on exit or kill -9), so "is this lock held?" answers "is its holder
 * alive?" without pids, timestamps or stale-lock breaking. The writer lock
 * (lock.ts) stands on it; so can anything else a live process must hold.
 *
 * The holder writes its pid (and, if it says, what it is doing: "1234 shard-rebalance")
 * into the locked file once it has the lock, and
 * empties the file before releasing it, so that a process that finds the lock
 * taken can name the holder. The pid is informative only: exclusion comes
 * from the lock, never from the file's contents.
 */
import type {FileLock, FileSystem} from '../vfs/fs.js'

/** A held lock on one file, with this process recorded as its holder. */
export interface HeldFileLock {
  readonly path: string
  /** Empties the file (forgetting the holder), then releases the lock, even if emptying fails. */
  release(): void
}

/** Replaces the contents of `path` (not synced: the holder need not survive a power loss). */
function overwrite(fs: FileSystem, path: string, text: string): void {
  const file = fs.openAppend(path, 0)
  try {
    if (text.length > 0) file.append(Buffer.from(text, 'latin1'))
  } finally {
    file.close()
  }
}

/**
 * Takes the lock on `path` without waiting and records this process as its
 * holder; undefined if another holder has it. Filesystem failures throw.
 */
export function tryLockFile(fs: FileSystem, path: string, doing?: string): HeldFileLock | undefined {
  const lock: FileLock | undefined = fs.tryLock(path)
  if (lock === undefined) return undefined
  try {
    overwrite(fs, path, `${process.pid}${doing === undefined ? '' : ` ${doing.replace(/\s+/g, ' ')}`}\n`)
  } catch (err) {
    lock.release()
    throw err
  }
  let held = true
  return {
    path,
    release(): void {
      if (!held) return
      held = false
      try {
        overwrite(fs, path, '')
      } finally {
        lock.release()
      }
    },
  }
}

/** True when some process (this one included) holds the lock on `path`. Creates the file if missing. */
export function isFileLockHeld(fs: FileSystem, path: string): boolean {
  const probe = fs.tryLock(path)
  if (probe === undefined) return true
  probe.release()
  return false
}

/** The pid the holder of `path` recorded, or undefined (none yet, or unreadable). */
export function lockHolderPid(fs: FileSystem, path: string): number | undefined {
  return lockHolder(fs, path)?.pid
}

/** The pid the holder of `path` recorded and what it said it is doing, or undefined (none yet, or unreadable). */
export function lockHolder(fs: FileSystem, path: string): {pid: number; doing?: string} | undefined {
  try {
    const m = /^(\d+)(?: ([^\n]+))?\n$/.exec(fs.readFile(path).toString('latin1'))
    if (!m) return undefined
    return m[2] === undefined ? {pid: Number(m[1])} : {pid: Number(m[1]), doing: m[2]}
  } catch {
    return undefined
  }
}
