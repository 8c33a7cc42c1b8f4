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
 * Mechanism: the owner holds a kernel file lock (file-lock.ts: flock on the
 * real disk) on the pin's OWNER file for as long as it holds the pin. The
 * kernel drops the lock when the owner exits or is killed, so "the lock on
 * OWNER is held" is "the owner is alive", with no pid to be reused and no
 * pid namespace to get wrong: a holder in another container sharing the data
 * directory holds the same lock. OWNER's contents (the holder's pid) only
 * inform a reader.
 */
import {OWNER_FILE, joinPath} from '../layout/names.js'
import type {FileSystem} from '../vfs/fs.js'
import {isNotFound, ErrorCode, StrataError} from '../errors.js'
import {isFileLockHeld, tryLockFile, type HeldFileLock} from '../store/file-lock.js'

/** The OWNER locks this process holds, by pin folder. */
const claims = new Map<string, HeldFileLock>()

/** Records this process as the owner of the new pin folder `pinDir`: takes the lock on its OWNER file and keeps it. */
export function claimPin(fs: FileSystem, pinDir: string): void {
  const path = joinPath(pinDir, OWNER_FILE)
  const lock = tryLockFile(fs, path)
  // The folder is new and its name unique: nobody else can hold its OWNER.
  if (lock === undefined) throw new StrataError(ErrorCode.BUSY, `${path}: another process holds the new pin folder's owner lock`, {file: path})
  claims.set(pinDir, lock)
}

/** False only if the owner of `pinDir` is certainly gone; see the module contract. */
export function pinOwnerAlive(fs: FileSystem, pinDir: string): boolean {
  const path = joinPath(pinDir, OWNER_FILE)
  // Pins are claimed before anything else goes in, under the writer lock that
  // every cleaner also holds; an unclaimed folder is one whose maker died
  // mid-creation, or whose owner was removing it. (Probing the lock of a
  // missing file would create it.)
  if (!fs.exists(path)) return false
  try {
    return isFileLockHeld(fs, path)
  } catch (err) {
    // Removed between the two calls: its owner was removing it.
    if (isNotFound(err)) return false
    throw err
  }
}

/** Drops the claim on `pinDir` (its owner is removing it). A missing claim is fine. */
export function releaseClaim(fs: FileSystem, pinDir: string): void {
  const lock = claims.get(pinDir)
  if (lock !== undefined) {
    claims.delete(pinDir)
    lock.release()
  }
  try {
    fs.unlink(joinPath(pinDir, OWNER_FILE))
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}
