/**
 * File locks for the real filesystem: flock(2) locks, taken through the
 * flock(1) program because Node has no flock API.
 *
 * A flock lock belongs to the open file description, not to the process that
 * asked for it. So the parent opens the file, hands a duplicate of the
 * descriptor to a short-lived `flock -n -x 3` child, and once the child has
 * exited 0 the lock stays with the parent's descriptor. The kernel releases
 * it when that descriptor is closed, which the kernel does itself when the
 * process dies (kill -9 included): no stale lock is ever left behind. Node
 * opens files close-on-exec, so later children of this process do not inherit
 * the descriptor and cannot keep the lock alive after it.
 *
 * The lock is per kernel: it excludes every process on the machine that locks
 * the same file, whatever its network, mount or pid namespace (containers
 * sharing a volume included). Limits: on NFS the kernel emulates flock with
 * byte-range locks owned by the locking process, which here is the child, so
 * the lock does not hold there; other network filesystems (SMB, FUSE) may not
 * lock across machines at all. Data directories belong on local filesystems.
 *
 * Cost: one fork and exec of flock(1) per attempt (a few milliseconds), plus
 * loading node:child_process on the first attempt, which is why it is loaded
 * then and not with this module: readers, `strata get` among them, never
 * lock and never pay for it. (Running the child asynchronously, to sync the
 * store directory meanwhile, was measured slower: the event-loop round trips
 * cost more than the overlap saves.)
 */
import * as fs from 'node:fs'
import {createRequire} from 'node:module'
import type {FileLock} from './fs.js'

type ChildProcessModule = typeof import('node:child_process')
let childProcess: ChildProcessModule | undefined
/** node:child_process, loaded on first use (synchronously: tryFlock is synchronous). */
function cp(): ChildProcessModule {
  return (childProcess ??= createRequire(import.meta.url)('node:child_process') as ChildProcessModule)
}

/** Where flock(1) is looked for: $PATH first, then the usual places for a stripped $PATH. */
const CANDIDATES = ['flock', '/usr/bin/flock', '/bin/flock', '/usr/local/bin/flock']

/** The flock(1) that worked last, so later attempts do not search again. */
let program: string | undefined

/** A system error carrying an errno-like code, as node:fs throws them. */
function lockError(code: string, message: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}, flock '${path}'`), {code, syscall: 'flock', path})
}

/** Runs `flock -n -x 3` with `fd` as descriptor 3: 0 if it took the lock, 1 if the lock is held. */
function runFlock(fd: number, path: string): number {
  const tried = program === undefined ? CANDIDATES : [program]
  for (const candidate of tried) {
    const r = cp().spawnSync(candidate, ['-n', '-x', '3'], {stdio: ['ignore', 'ignore', 'pipe', fd], timeout: 30_000})
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') continue
    if (r.error !== undefined) throw lockError('ENOLCK', `could not run flock(1): ${r.error.message}`, path)
    program = candidate
    const stderr = r.stderr.toString('utf8').trim()
    // Conflict with -n is exit 1 and silent (util-linux and busybox alike); anything else is a failure.
    if (r.status === 0 || (r.status === 1 && stderr === '')) return r.status
    throw lockError('ENOLCK', `flock(1) failed (${r.signal ?? `exit ${r.status}`})${stderr === '' ? '' : `: ${stderr}`}`, path)
  }
  throw lockError('ENOLCK', 'the flock(1) program (util-linux or busybox) is needed to lock the store and was not found on $PATH', path)
}

/** See FileSystem.tryLock. */
export function tryFlock(path: string): FileLock | undefined {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644)
  let status: number
  try {
    status = runFlock(fd, path)
  } catch (err) {
    fs.closeSync(fd)
    throw err
  }
  if (status !== 0) {
    fs.closeSync(fd)
    return undefined
  }
  let held = true
  return {
    release(): void {
      if (!held) return
      held = false
      fs.closeSync(fd)
    },
  }
}
