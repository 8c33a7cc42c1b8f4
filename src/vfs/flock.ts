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
 * then and not when this module is: readers, `strata get` among them, never
 * lock and never pay for it. tryFlockAsync runs the same child without
 * blocking, so a caller can do other work (open.ts: the directory sync) while
 * the child runs.
 */
import * as fs from 'node:fs'
import {createRequire} from 'node:module'
import type {ChildProcess} from 'node:child_process'
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

/** How one run of flock(1) ended. */
interface FlockRun {
  readonly error?: NodeJS.ErrnoException
  readonly status: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
}

const FLOCK_ARGS = ['-n', '-x', '3']
const FLOCK_TIMEOUT_MS = 30_000

/** 0 if the run took the lock, 1 if the lock is held, 'missing' if `candidate` is not there; throws otherwise. */
function judge(r: FlockRun, candidate: string, path: string): 0 | 1 | 'missing' {
  if (r.error?.code === 'ENOENT') return 'missing'
  if (r.error !== undefined) throw lockError('ENOLCK', `could not run flock(1): ${r.error.message}`, path)
  program = candidate
  const stderr = r.stderr.trim()
  // Conflict with -n is exit 1 and silent (util-linux and busybox alike); anything else is a failure.
  if (r.status === 0 || (r.status === 1 && stderr === '')) return r.status
  throw lockError('ENOLCK', `flock(1) failed (${r.signal ?? `exit ${r.status}`})${stderr === '' ? '' : `: ${stderr}`}`, path)
}

function notFound(path: string): NodeJS.ErrnoException {
  return lockError('ENOLCK', 'the flock(1) program (util-linux or busybox) is needed to lock the store and was not found on $PATH', path)
}

/** Runs `flock -n -x 3` with `fd` as descriptor 3: 0 if it took the lock, 1 if the lock is held. */
function runFlock(fd: number, path: string): 0 | 1 {
  for (const candidate of program === undefined ? CANDIDATES : [program]) {
    const r = cp().spawnSync(candidate, FLOCK_ARGS, {stdio: ['ignore', 'ignore', 'pipe', fd], timeout: FLOCK_TIMEOUT_MS})
    const status = judge({...(r.error ? {error: r.error as NodeJS.ErrnoException} : {}), status: r.status, signal: r.signal, stderr: r.stderr?.toString('utf8') ?? ''}, candidate, path)
    if (status !== 'missing') return status
  }
  throw notFound(path)
}

/** runFlock without blocking: the child runs while the caller's code does. */
async function runFlockAsync(fd: number, path: string): Promise<0 | 1> {
  for (const candidate of program === undefined ? CANDIDATES : [program]) {
    const r = await new Promise<FlockRun>((resolve) => {
      let child: ChildProcess
      try {
        child = cp().spawn(candidate, FLOCK_ARGS, {stdio: ['ignore', 'ignore', 'pipe', fd], timeout: FLOCK_TIMEOUT_MS})
      } catch (err) {
        resolve({error: err as NodeJS.ErrnoException, status: null, signal: null, stderr: ''})
        return
      }
      let stderr = ''
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      child.once('error', (error: NodeJS.ErrnoException) => resolve({error, status: null, signal: null, stderr}))
      child.once('close', (status, signal) => resolve({status, signal, stderr}))
    })
    const status = judge(r, candidate, path)
    if (status !== 'missing') return status
  }
  throw notFound(path)
}

/** Opens (creating) the file to lock; its descriptor carries the lock once flock(1) exits 0. */
function openLockFile(path: string): number {
  return fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644)
}

/** See FileSystem.tryLock. */
export function tryFlock(path: string): FileLock | undefined {
  const fd = openLockFile(path)
  let status: 0 | 1
  try {
    status = runFlock(fd, path)
  } catch (err) {
    fs.closeSync(fd)
    throw err
  }
  return held(fd, status)
}

/** See FileSystem.tryLockAsync. */
export async function tryFlockAsync(path: string): Promise<FileLock | undefined> {
  const fd = openLockFile(path)
  let status: 0 | 1
  try {
    status = await runFlockAsync(fd, path)
  } catch (err) {
    fs.closeSync(fd)
    throw err
  }
  return held(fd, status)
}

/** The lock on `fd` if flock(1) took it (status 0); otherwise closes `fd`. */
function held(fd: number, status: 0 | 1): FileLock | undefined {
  if (status !== 0) {
    fs.closeSync(fd)
    return undefined
  }
  let locked = true
  return {
    release(): void {
      if (!locked) return
      locked = false
      fs.closeSync(fd)
    },
  }
}
