/**
 * Who owns a pin, and whether that owner is still alive.
 *
 * Contract (the only thing the rest of the cut module relies on):
 * - `claimPin(fs, pinDir)` is called once, first, when a pin folder is made,
 *   by the process that will hold the pin; it records that process as owner.
 * - `pinOwnerAlive(fs, pinDir)` returns false only when the owner is certainly
 *   gone (exited, killed, or the folder was never claimed): then nobody reads
 *   the pin and it may be removed. Anything uncertain answers true, so a pin in
 *   use is never removed; the cost of a wrong "true" is a pin kept a while longer.
 *   An I/O error reading the claim is thrown, not guessed at.
 * - `releaseClaim(fs, pinDir)` is called last, when the owner removes its pin.
 *
 * Today's mechanism: the OWNER file holds the owner's pid and its start time
 * (field 22 of /proc/PID/stat, in clock ticks since boot), so a pid reused by
 * another process after a reboot or a wrap-around does not pass for the owner.
 * Where /proc is missing, the pid alone decides (signal 0). A kernel file lock
 * held by the owner for the pin's lifetime would answer the same question and
 * can replace this file without changing the contract.
 *
 * Limits: pids are those of this machine's pid namespace. A holder in another
 * pid namespace (another container sharing the data directory) looks dead here
 * and its pin may be removed under it; the writer lock has the same scope.
 */
import * as nodeFs from 'node:fs'
import {OWNER_FILE, joinPath} from '../layout/names.js'
import type {FileSystem} from '../vfs/fs.js'
import {isNotFound} from '../errors.js'


/** The start time of process `pid` (clock ticks since boot), 'zombie' for an exited unreaped process, undefined if it does not exist; null if /proc cannot tell. */
function startTimeOf(pid: number): string | 'zombie' | undefined | null {
  let text: string
  try {
    text = nodeFs.readFileSync(`/proc/${pid}/stat`, 'latin1')
  } catch (err) {
    if (isNotFound(err) && nodeFs.existsSync('/proc/self/stat')) return undefined
    return null
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  if (fields[0] === 'Z' || fields[0] === 'X') return 'zombie'
  return fields[19]
}

/** Records this process as the owner of the new pin folder `pinDir`. */
export function claimPin(fs: FileSystem, pinDir: string): void {
  const start = startTimeOf(process.pid)
  const file = fs.create(joinPath(pinDir, OWNER_FILE))
  try {
    file.append(Buffer.from(`${process.pid} ${typeof start === 'string' ? start : '-'}\n`, 'latin1'))
  } finally {
    file.close()
  }
}

/** False only if the owner of `pinDir` is certainly gone; see the module contract. */
export function pinOwnerAlive(fs: FileSystem, pinDir: string): boolean {
  let text: string
  try {
    text = fs.readFile(joinPath(pinDir, OWNER_FILE)).toString('latin1')
  } catch (err) {
    // Pins are claimed before anything else goes in, under the writer lock that
    // every cleaner also holds; an unclaimed folder is one whose maker died
    // mid-creation, or whose owner was removing it.
    if (isNotFound(err)) return false
    throw err
  }
  const m = /^(\d+) (\d+|-)\n$/.exec(text)
  // A torn OWNER file: written by a process killed while claiming the folder.
  if (m === null) return false
  const pid = Number(m[1])
  if (pid === process.pid) return m[2] === '-' || m[2] === startTimeOf(pid)
  const start = startTimeOf(pid)
  if (start === undefined || start === 'zombie') return false
  if (start === null || m[2] === '-') return signalZeroAlive(pid)
  return start === m[2]
}

/** Drops the claim on `pinDir` (its owner is removing it). A missing claim is fine. */
export function releaseClaim(fs: FileSystem, pinDir: string): void {
  try {
    fs.unlink(joinPath(pinDir, OWNER_FILE))
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}

function signalZeroAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}
