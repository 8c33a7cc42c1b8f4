/**
 * Removes the pins whose owner is gone (a process killed while it held a cut).
 *
 * Called by every writer when it opens the store and by every new cut, both
 * under the writer lock: pins are only made under that lock, so a cleaner never
 * sees a pin that is being made. A pin whose owner is alive is never touched
 * (pin-owner.ts decides); its files stay until the owner releases it.
 */
import {ioError, isNotFound} from '../errors.js'
import {PINS_DIR, joinPath} from '../layout/names.js'
import type {FileSystem} from '../vfs/fs.js'
import {pinOwnerAlive} from './pin-owner.js'
import {isNotEmpty, removePinDir} from './pin.js'

/** What a clean-up did. */
export interface PinCleanup {
  /** Pins removed because their owner is gone. */
  readonly removed: number
  /** Pins kept because their owner is alive. */
  readonly kept: number
}

/**
 * Removes every dead pin of data directory `dir`. An I/O error propagates
 * (a writer that cannot list or change its data directory stops before it
 * acknowledges anything); a pin already gone is not an error.
 * REQUIRES: the writer lock of `dir` is held.
 */
export function cleanDeadPins(fs: FileSystem, dir: string): PinCleanup {
  const pins = joinPath(dir, PINS_DIR)
  let names: string[]
  try {
    names = fs.readdir(pins)
  } catch (err) {
    if (isNotFound(err)) return {removed: 0, kept: 0}
    throw ioError('list', pins, err)
  }
  let removed = 0
  let kept = 0
  for (const name of names) {
    const pinDir = joinPath(pins, name)
    if (!fs.isDirectory(pinDir)) continue
    if (pinOwnerAlive(fs, pinDir)) {
      kept++
      continue
    }
    try {
      removePinDir(fs, pinDir)
    } catch (err) {
      throw ioError('remove pin', pinDir, err)
    }
    removed++
  }
  if (kept === 0) {
    // An empty pins folder is removed too (safe: pins are only made under the lock held here).
    try {
      fs.rmdir(pins)
    } catch (err) {
      if (!isNotFound(err) && !isNotEmpty(err)) throw ioError('remove', pins, err)
    }
  }
  return {removed, kept}
}
