/**
 * Pins: the files of a cut kept readable while the cut is held.
 *
 *   DIR/pins/<id>/OWNER                 the holder (see pin-owner.ts)
 *   DIR/pins/<id>/shard-NNNN[.gG]/<file>  a hard link to each file of the cut (folders named for STORE's generation)
 *
 * A hard link is a second name for the same file: when a compaction or a
 * flush in any process unlinks the shard directory's name, the data stays
 * reachable through the pin until the pin is removed. So compaction needs no
 * knowledge of cuts, and a cut costs one link per file, not a copy.
 *
 * Pins are not part of the store's data: nothing in a pin is named by a
 * manifest, a power loss may leave any part of one (they are never synced),
 * and a pin whose owner is gone is removed by `cleanDeadPins` (pin-cleaner.ts).
 */
import {randomBytes} from 'node:crypto'
import {ErrorCode, StrataError, ioError, isNotFound} from '../errors.js'
import {OWNER_FILE, PINS_DIR, joinPath, pinDirPath, shardDirName} from '../layout/names.js'
import type {FileSystem} from '../vfs/fs.js'
import {claimPin, releaseClaim} from './pin-owner.js'

/** The files of one shard to pin: names inside DIR/shard-NNNN. */
export interface PinRequest {
  readonly shard: number
  readonly files: readonly string[]
}

/** A pin folder this process made and holds. */
export interface Pin {
  readonly id: string
  /** The pin folder. */
  readonly dir: string
  /** The pinned copy of `name` of shard `shard`. */
  path(shard: number, name: string): string
  /** True once release() was called: the pinned files may be gone. */
  readonly released: boolean
  /** Removes the pin folder. Idempotent. */
  release(): void
}

/**
 * Makes a pin holding `requests` in data directory `dir`.
 * REQUIRES: the store's writer lock is held (no file of the request is being
 * replaced while it is linked, and no cleaner runs meanwhile).
 * Throws UNSUPPORTED when the filesystem has no hard links.
 */
export function createPin(fs: FileSystem, dir: string, requests: readonly PinRequest[], generation = 0): Pin {
  const link = fs.link?.bind(fs)
  if (link === undefined) throw new StrataError(ErrorCode.UNSUPPORTED, 'cannot pin files: the filesystem has no hard links')
  const id = `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}`
  const pinDir = pinDirPath(dir, id)
  const path = (shard: number, name: string): string => joinPath(pinDir, shardDirName(shard, generation), name)
  try {
    makePinDir(fs, pinDir)
    claimPin(fs, pinDir)
    for (const r of requests) {
      fs.mkdir(joinPath(pinDir, shardDirName(r.shard, generation)))
      for (const name of r.files) link(joinPath(dir, shardDirName(r.shard, generation), name), path(r.shard, name))
    }
  } catch (err) {
    try {
      removePinDir(fs, pinDir)
    } catch {
      // Left for the next cleaner: this process is alive, but the folder's files were not all made.
    }
    throw err instanceof StrataError ? err : ioError('pin files in', pinDir, err)
  }
  let released = false
  return {
    id,
    dir: pinDir,
    path,
    get released() {
      return released
    },
    release() {
      if (released) return
      released = true
      try {
        removePinDir(fs, pinDir)
      } catch (err) {
        throw ioError('remove pin', pinDir, err)
      }
      // The last pin out removes the pins folder, so a store with no cut held has none.
      try {
        fs.rmdir(joinPath(dir, PINS_DIR))
      } catch (err) {
        // Other pins remain, or another process removed it.
        if (!isNotFound(err) && !isNotEmpty(err)) throw ioError('remove', joinPath(dir, PINS_DIR), err)
      }
    },
  }
}

/**
 * Makes DIR/pins/<id>. A releasing holder may remove an empty DIR/pins
 * between the two mkdirs (it does not hold the lock): then make it again.
 */
function makePinDir(fs: FileSystem, pinDir: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.mkdir(pinDir)
      return
    } catch (err) {
      if (!isNotFound(err) || attempt >= 5) throw err
    }
  }
}

/**
 * Removes a pin folder: its shard folders first, the owner's claim last, so a
 * folder is claimed for as long as any of its files are there. Names already
 * gone (another remover got there first) are skipped.
 */
export function removePinDir(fs: FileSystem, pinDir: string): void {
  for (const name of listOrEmpty(fs, pinDir)) {
    const p = joinPath(pinDir, name)
    if (!fs.isDirectory(p)) continue
    for (const f of listOrEmpty(fs, p)) ignoreMissing(() => fs.unlink(joinPath(p, f)))
    ignoreMissing(() => fs.rmdir(p))
  }
  for (const name of listOrEmpty(fs, pinDir)) {
    if (name !== OWNER_FILE) ignoreMissing(() => fs.unlink(joinPath(pinDir, name)))
  }
  releaseClaim(fs, pinDir)
  ignoreMissing(() => fs.rmdir(pinDir))
}

/** True for the error of removing a directory that still has entries. */
export function isNotEmpty(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code
  return code === 'ENOTEMPTY' || code === 'EEXIST'
}

function listOrEmpty(fs: FileSystem, path: string): string[] {
  try {
    return fs.readdir(path)
  } catch (err) {
    if (isNotFound(err)) return []
    throw err
  }
}

function ignoreMissing(op: () => void): void {
  try {
    op()
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}
