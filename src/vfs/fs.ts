/**
 * The filesystem interface. Every byte strata reads or writes goes through an
 * implementation of `FileSystem`, so tests can substitute one that injects
 * crashes and I/O errors (see Pebble's vfs and LevelDB's fault-injection Env).
 *
 * The interface is synchronous on purpose: the engine's write path is a short
 * sequence of appends and syncs whose ordering is the durability protocol, and
 * a synchronous interface makes that ordering explicit and testable.
 *
 * Contract of every method: failures throw; the engine wraps them as IO errors.
 */

/** A file opened for reading at arbitrary offsets. */
export interface ReadableFile {
  /** Reads up to `length` bytes at `position` into `buffer[offset..]`; returns the count read (0 at EOF). */
  read(buffer: Buffer, offset: number, length: number, position: number): number
  /** Current size of the file in bytes. */
  size(): number
  close(): void
}

/** A file opened for appending. Nothing is durable until `sync()` returns. */
export interface WritableFile {
  /** Appends all of `data` at the end of the file. */
  append(data: Uint8Array): void
  /** Makes every appended byte durable (fdatasync). */
  sync(): void
  /**
   * `sync()` off the calling thread: makes durable every byte appended
   * before the call, and settles when that is done. The file must stay open
   * until the promise settles (closing it first fails the sync with EBADF,
   * or worse, lets the descriptor be reused). Optional: without it, callers
   * use `sync()`.
   */
  syncAsync?(): Promise<void>
  /** Bytes appended so far (including what the file held when opened). */
  size(): number
  close(): void
}

/** An exclusive lock on a file, taken with `FileSystem.tryLock`. */
export interface FileLock {
  /** Releases the lock. Idempotent. */
  release(): void
}

/** The filesystem operations the engine uses. */
export interface FileSystem {
  /** Opens an existing file for reading. Throws ENOENT if it is missing. */
  openRead(path: string): ReadableFile
  /** Creates a new file for appending; fails if it exists. */
  create(path: string): WritableFile
  /** Opens an existing file for appending, first truncating it to `truncateTo` bytes if given. */
  openAppend(path: string, truncateTo?: number): WritableFile
  /** Reads a whole file. */
  readFile(path: string): Buffer
  /** Atomically replaces `to` with `from`. Durable only after `syncDir` of the parent. */
  rename(from: string, to: string): void
  /** Removes a file. */
  unlink(path: string): void
  /** Creates a directory (no error if it exists). */
  mkdir(path: string): void
  /** Removes an empty directory. */
  rmdir(path: string): void
  /** Lists the names in a directory. */
  readdir(path: string): string[]
  /** Returns true if the path exists. */
  exists(path: string): boolean
  /** Returns true if the path is a directory. */
  isDirectory(path: string): boolean
  /** Size of a file in bytes. */
  fileSize(path: string): number
  /** Makes the directory's entries (creates, renames, deletes) durable. */
  syncDir(path: string): void
  /**
   * Gives the existing file `existing` a second name `newPath` (a hard link):
   * both names then reach the same bytes, and unlinking one leaves the other.
   * Fails with EXDEV across filesystems. Optional: a filesystem without hard
   * links omits it, and callers fall back to copying or report UNSUPPORTED.
   */
  link?(existing: string, newPath: string): void
  /**
   * The identity of the file at `path` (its device and inode): two names give
   * the same identity exactly when they reach the same file. Optional: a
   * filesystem without it omits it, and callers that compare files read them.
   */
  fileId?(path: string): string
  /**
   * Takes an exclusive lock on the file at `path` (created, empty, if missing)
   * without waiting; returns undefined when someone else holds it. A lock
   * excludes every other tryLock of the same file, whether from this process
   * or from any other process on the same kernel, and is released by
   * `release()` or when the holding process ends, however it ends (kill -9
   * included). Never a stale lock, so no lock needs breaking.
   */
  tryLock(path: string): FileLock | undefined
}
