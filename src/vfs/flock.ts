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
 * Cost: one fork and exec of flock(1) per attempt, about 2 ms. The child is
 * run through Node's synchronous spawn binding, the very call that
 * child_process.spawnSync makes after normalising its arguments: loading
 * node:child_process itself costs more than the spawn (it pulls in net,
 * dgram and streams; 2.4 ms against 1.9 ms for the child here), and every
 * writer's open pays it. Where that binding is not offered (a Node that no
 * longer exposes it, or --pending-deprecation, under which reaching it would
 * print a warning), node:child_process is loaded on the first attempt
 * instead; readers, `strata get` among them, never lock and pay for neither.
 * (Running the child asynchronously, to sync the store directory meanwhile,
 * was measured slower: the event-loop round trips cost more than the overlap
 * saves.)
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

/** How one run of flock(1) ended: `missing` when the program was not found. */
interface FlockRun {
  missing: boolean
  /** Why it could not be run, if it could not (not found aside). */
  error?: string
  status: number | null
  signal: string | null
  stderr: string
}

/** The part of Node's synchronous spawn binding used here (what child_process.spawnSync calls). */
interface SpawnSyncBinding {
  spawn(options: object): {error?: number; status: number | null; signal: string | null; output: Array<Buffer | null> | null}
}

/** Where the children run: 'binding' (the fast path), 'child_process', or undetermined yet. */
let spawner: 'binding' | 'child_process' | undefined
let binding: SpawnSyncBinding | undefined

/** The spawn binding, when this Node offers it without a warning; undefined otherwise. */
function spawnBinding(): SpawnSyncBinding | undefined {
  if (spawner === undefined) {
    spawner = 'child_process'
    const pending = process.execArgv.includes('--pending-deprecation') || /(^|\s)--pending-deprecation\b/.test(process.env.NODE_OPTIONS ?? '')
    const get = (process as unknown as {binding?: (name: string) => unknown}).binding
    if (!pending && typeof get === 'function') {
      try {
        const b = get.call(process, 'spawn_sync') as Partial<SpawnSyncBinding> | undefined
        if (typeof b?.spawn === 'function') {
          binding = b as SpawnSyncBinding
          spawner = 'binding'
        }
      } catch {
        // Not offered: child_process it is.
      }
    }
  }
  return binding
}

/** Which way flock(1) is run in this process (for the tests): forcing 'child_process' turns the fast path off. */
export function flockSpawner(force?: 'child_process'): 'binding' | 'child_process' {
  if (force !== undefined) {
    spawner = force
    binding = undefined
  }
  spawnBinding()
  return spawner!
}

const ENOENT = -2
const TIMEOUT_MS = 30_000

/** Runs `program -n -x 3` with `fd` as its descriptor 3, stdin and stdout ignored, stderr captured. */
function runOnce(program: string, fd: number): FlockRun {
  const b = spawnBinding()
  if (b === undefined) {
    const r = cp().spawnSync(program, ['-n', '-x', '3'], {stdio: ['ignore', 'ignore', 'pipe', fd], timeout: TIMEOUT_MS})
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code
    return {missing: code === 'ENOENT', ...(r.error !== undefined ? {error: r.error.message} : {}), status: r.status, signal: r.signal, stderr: r.stderr?.toString('utf8') ?? ''}
  }
  // The options child_process.spawnSync hands the binding for these arguments.
  const envPairs: string[] = []
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) envPairs.push(`${k}=${v}`)
  const r = b.spawn({
    file: program,
    args: [program, '-n', '-x', '3'],
    envPairs,
    stdio: [{type: 'ignore'}, {type: 'ignore'}, {type: 'pipe', readable: false, writable: true}, {type: 'fd', fd}],
    timeout: TIMEOUT_MS,
    maxBuffer: 1024 * 1024,
    killSignal: 15,
    detached: false,
    windowsHide: false,
    windowsVerbatimArguments: false,
  })
  const stderr = r.output?.[2]?.toString('utf8') ?? ''
  if (r.error !== undefined && r.error !== 0) {
    return {missing: r.error === ENOENT, error: `spawn ${program} failed (errno ${r.error})`, status: r.status, signal: r.signal, stderr}
  }
  return {missing: false, status: r.status, signal: r.signal, stderr}
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
    const r = runOnce(candidate, fd)
    if (r.missing) continue
    if (r.error !== undefined) throw lockError('ENOLCK', `could not run flock(1): ${r.error}`, path)
    program = candidate
    const stderr = r.stderr.trim()
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
