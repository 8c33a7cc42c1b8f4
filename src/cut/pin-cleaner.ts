/**
 * Removes the pins whose owner is gone (a process killed while it held a cut).
 *
 * Called by every writer when it opens the store and by every new cut, both
 * under the writer lock: pins are only made under that lock, so a cleaner never
 * sees a pin that is being made. A pin whose owner is alive is never touched
 * (pin-owner.ts decides); its files stay until the owner releases it.
 */
import {joinPath} from '../store/files.js'
import type {FileSystem} from '../vfs/fs.js'
import {pinOwnerAlive} from './pin-owner.js'
import {PINS_DIR, removePinDir} from './pin.js'

/** What a clean-up did. */
export interface PinCleanup {
  /** Pins removed because their owner is gone. */
  readonly removed: number
  /** Pins kept because their owner is alive. */
  readonly kept: number
}

/**
 * Removes every dead pin of data directory `dir`. Best effort: a pin that
 * cannot be removed now (an I/O error) is left for the next cleaner, since
 * a leftover pin costs only disk space and must not stop a writer.
 * REQUIRES: the writer lock of `dir` is held.
 */
export function cleanDeadPins(fs: FileSystem, dir: string): PinCleanup {
  const pins = joinPath(dir, PINS_DIR)
  let names: string[]
  try {
    names = fs.readdir(pins)
  } catch {
    return {removed: 0, kept: 0}
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
      removed++
    } catch {
      // left for the next cleaner
    }
  }
  if (kept === 0) {
    // An empty pins folder is removed too (safe: pins are only made under the lock held here).
    try {
      fs.rmdir(pins)
    } catch {
      // not empty (a stray file), or already gone
    }
  }
  return {removed, kept}
}
