/**
 * The vocabulary of FaultFileSystem (fault-fs.ts): the calls it counts, the
 * power-loss modes it simulates, the faults it injects, and the Node-shaped
 * system errors it throws.
 */

/** Every call the fault filesystem counts; handle methods are prefixed by their handle kind. */
export const FS_CALL_KINDS = [
  'openRead', 'create', 'openAppend', 'readFile', 'rename', 'unlink', 'mkdir', 'rmdir', 'readdir',
  'exists', 'isDirectory', 'fileSize', 'syncDir', 'lock',
  'read', 'readSize', 'readClose', 'append', 'sync', 'writeClose',
] as const
export type FsCallKind = (typeof FS_CALL_KINDS)[number]

/** The calls that change what a crash would keep: crash points lie just before them. */
export const MUTATING_KINDS: ReadonlySet<FsCallKind> = new Set<FsCallKind>(['create', 'openAppend', 'rename', 'unlink', 'mkdir', 'rmdir', 'syncDir', 'append', 'sync', 'lock'])

/**
 * What a power loss does to a file's unsynced tail (the bytes appended after
 * its last sync):
 * - 'none': nothing is lost (a process crash, kill -9: the page cache survives);
 * - 'drop': the tail is gone, the file ends at its synced length;
 * - 'zero': the tail reads as zeros (the size reached the disk, the data did not);
 * - 'garbage': the tail reads as random bytes;
 * - 'partial': a random prefix of the tail survives, the file ends there;
 * - 'torn-zero' / 'torn-garbage': the tail survives up to a random 512-byte
 *   sector boundary, and the rest of it reads as zeros / random bytes;
 * - 'mixed': each file independently gets one of drop, zero, garbage, partial.
 * A file cut below its synced length since its last sync keeps its synced contents.
 */
export type CrashMode = 'none' | 'drop' | 'zero' | 'garbage' | 'partial' | 'torn-zero' | 'torn-garbage' | 'mixed'

export const CRASH_MODES: readonly CrashMode[] = ['none', 'drop', 'zero', 'garbage', 'partial', 'torn-zero', 'torn-garbage', 'mixed']

/** Options of a simulated power loss. */
export interface CrashOptions {
  readonly mode: CrashMode
  /** Seeds the random choices (tail lengths, garbage bytes, kept directory changes). Default 1. */
  readonly seed?: number
  /**
   * Unsynced directory changes: 'undo' (default) reverts every one (a created
   * file vanishes, a rename reverts, an unlinked file is back with its synced
   * contents); 'prefix' keeps a random prefix of them in the order they were made.
   * With mode 'none' every change is kept.
   */
  readonly dirChanges?: 'undo' | 'prefix'
}

/** An injected error. */
export interface FaultSpec {
  /** Fail the at-th counted call from now on (1-based). */
  readonly at: number
  /** Calls that count (and fail); default: every kind. */
  readonly kinds?: readonly FsCallKind[]
  /** Only calls on paths matching this count. */
  readonly path?: RegExp
  /**
   * Default 'EIO'. 'ENOENT' plays a file another process deleted between a
   * reader's listing and its open (a writer's switch under a read-only view).
   */
  readonly code?: 'EIO' | 'ENOSPC' | 'ENOENT'
  /** Keep failing every counted call after the first failure. Default false. */
  readonly sticky?: boolean
  /** A failing append first writes this fraction (0..1) of its data. Default 0. */
  readonly partialWrite?: number
}

/** A fault that fired: which call, on which path. */
export interface FiredFault {
  readonly kind: FsCallKind
  readonly path: string
  readonly code: string
  /** The filesystem's call counter when it fired. */
  readonly call: number
}

/** Options of a new FaultFileSystem. */
export interface FaultFsOptions {
  /** Order of `readdir` names: 'sorted' (default), or 'reverse' to catch code that relies on an order. */
  readonly readdirOrder?: 'sorted' | 'reverse'
}

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [-2, 'no such file or directory'],
  EIO: [-5, 'i/o error'],
  EBADF: [-9, 'bad file descriptor'],
  EEXIST: [-17, 'file already exists'],
  ENOTDIR: [-20, 'not a directory'],
  EISDIR: [-21, 'illegal operation on a directory'],
  EINVAL: [-22, 'invalid argument'],
  ENOSPC: [-28, 'no space left on device'],
  ENOTEMPTY: [-39, 'directory not empty'],
}

/** An Error shaped like Node's system errors (code, errno, syscall, path). */
export function sysError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const [errno, text] = ERRNO[code] ?? [-5, code]
  const err = new Error(`${code}: ${text}, ${syscall} '${path}'`) as NodeJS.ErrnoException
  err.code = code
  err.errno = errno
  err.syscall = syscall
  err.path = path
  return err
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
