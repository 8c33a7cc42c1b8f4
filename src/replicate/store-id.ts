/**
 * The store's identity (DIR/STORE-ID): 32 random hex digits that bind a
 * replica to the store it was made from, so that replicating another store
 * into the same destination is refused instead of mixing two histories.
 *
 * Made lazily by the first replicate of a store (stores made before this
 * existed have none), exclusively: written to a temporary name, synced, and
 * hard-linked into place only if no identity exists, so two replicators
 * starting at once agree on one. A checkpoint or a restore does not copy it:
 * the new directory is a new store, with a new identity when first
 * replicated. A `cp -r` of a data directory copies it, and the copy then
 * counts as the same store: replicate a copy only after removing its STORE-ID.
 */
import {randomBytes} from 'node:crypto'
import {ErrorCode, StrataError, ioError, isNotFound} from '../errors.js'
import {STORE_ID_FILE, joinPath, storeIdTmpName} from '../layout/names.js'
import type {FileSystem} from '../vfs/fs.js'
import {writeSynced} from '../vfs/durable.js'

const ID = /^[0-9a-f]{32}$/

/** The identity of the store in `dir`, made now if it has none. */
export function storeIdentity(fs: FileSystem, dir: string): string {
  const file = joinPath(dir, STORE_ID_FILE)
  try {
    const existing = readId(fs, file)
    if (existing !== undefined) return existing
    const tmp = joinPath(dir, storeIdTmpName(process.pid))
    if (fs.exists(tmp)) fs.unlink(tmp)
    writeSynced(fs, tmp, Buffer.from(randomBytes(16).toString('hex') + '\n', 'latin1'))
    try {
      if (fs.link !== undefined) fs.link(tmp, file)
      else if (!fs.exists(file)) fs.rename(tmp, file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    if (fs.exists(tmp)) fs.unlink(tmp)
    fs.syncDir(dir)
    const id = readId(fs, file)
    if (id === undefined) throw new StrataError(ErrorCode.IO, `${file}: written but not readable`, {file})
    return id
  } catch (err) {
    throw err instanceof StrataError ? err : ioError('store identity', file, err)
  }
}

function readId(fs: FileSystem, file: string): string | undefined {
  let text: string
  try {
    text = fs.readFile(file).toString('latin1').trim()
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
  if (!ID.test(text)) throw new StrataError(ErrorCode.CORRUPTION, `${file} does not hold a store identity`, {file, hint: `remove ${file}: the next replicate makes a new one (and needs a new destination)`})
  return text
}
