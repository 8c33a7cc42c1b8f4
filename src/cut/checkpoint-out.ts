/**
 * The directory a checkpoint writes: making it, and recognising one that a
 * killed checkpoint left behind.
 *
 * A checkpoint writes CHECKPOINT-PARTIAL first (synced) and STORE last, then
 * removes the marker. So at every moment OUT is one of: missing or empty;
 * partial (the marker, no STORE: it does not open, NOT_A_STORE); complete
 * (STORE, maybe still the marker). A partial OUT holds only names a
 * checkpoint makes, and the next checkpoint into it clears it and starts over.
 */
import * as path from 'node:path'
import {ErrorCode, StrataError, invalidArgument, isNotFound} from '../errors.js'
import {CHECKPOINT_PARTIAL_FILE, LOCK_FILE, SCHEMAS_DIR, STORE_FILE, STORE_TMP_FILE, isShardDirName, joinPath} from '../layout/names.js'
import type {FileSystem} from '../vfs/fs.js'
import {syncParent, writeSynced} from '../vfs/durable.js'

/** The marker of a checkpoint in progress (or killed). */
export const PARTIAL_MARKER = CHECKPOINT_PARTIAL_FILE


/** Names a checkpoint may have written before it was killed. */
function isCheckpointName(name: string): boolean {
  return name === PARTIAL_MARKER || name === LOCK_FILE || name === STORE_TMP_FILE || name === SCHEMAS_DIR || isShardDirName(name)
}

/**
 * Makes `out` ready for a checkpoint of `source` (or a restore, which has
 * no source directory): creates it (and makes its entry durable), or clears
 * what a killed checkpoint or restore left in it; then writes the marker.
 * Throws ALREADY_EXISTS if `out` holds a store, INVALID_ARGUMENT if it holds
 * anything else or lies inside `source`.
 */
export function prepareOut(fs: FileSystem, source: string | undefined, out: string): void {
  const rel = source === undefined ? '..' : path.relative(path.resolve(source), path.resolve(out))
  if (source !== undefined && (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)))) {
    throw invalidArgument(`checkpoint directory ${out} is inside the store ${source}`, 'write the checkpoint outside the data directory')
  }
  if (fs.exists(out) && !fs.isDirectory(out)) throw invalidArgument(`${out} exists and is not a directory`, 'give a new or empty directory')
  if (!fs.exists(out)) {
    const created: string[] = []
    for (let d = path.resolve(out); !fs.exists(d) && d !== path.dirname(d); d = path.dirname(d)) created.push(d)
    fs.mkdir(out)
    for (const d of created) syncParent(fs, path.dirname(d))
  }
  const names = fs.readdir(out)
  if (names.includes(STORE_FILE)) {
    throw new StrataError(ErrorCode.ALREADY_EXISTS, `${out} already holds a strata store`, {file: out, hint: 'give a new or empty directory'})
  }
  if (names.length > 0) {
    const partial = names.includes(PARTIAL_MARKER)
    const foreign = names.filter((n) => !isCheckpointName(n))
    if (!partial || foreign.length > 0) {
      const shown = (foreign.length > 0 ? foreign : names).slice(0, 3).join(', ')
      throw invalidArgument(`${out} is not empty (it holds ${shown}${names.length > 3 ? ', …' : ''})`, 'give a new or empty directory')
    }
    clearPartial(fs, out, names)
  }
  writeSynced(fs, joinPath(out, PARTIAL_MARKER), Buffer.from('a store is being written here (checkpoint or restore); without STORE this is not a store\n', 'utf8'))
  fs.syncDir(out)
}

/** Removes what a killed checkpoint wrote in `out`, the marker last. */
function clearPartial(fs: FileSystem, out: string, names: string[]): void {
  for (const name of names) {
    const p = joinPath(out, name)
    if ((isShardDirName(name) || name === SCHEMAS_DIR) && fs.isDirectory(p)) {
      for (const f of fs.readdir(p)) fs.unlink(joinPath(p, f))
      fs.rmdir(p)
    } else if (name !== PARTIAL_MARKER) {
      fs.unlink(p)
    }
  }
  fs.syncDir(out)
  fs.unlink(joinPath(out, PARTIAL_MARKER))
  fs.syncDir(out)
}

/** Removes the marker of a finished checkpoint (STORE is durable); a missing marker is fine. */
export function finishOut(fs: FileSystem, out: string): void {
  try {
    fs.unlink(joinPath(out, PARTIAL_MARKER))
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
  fs.syncDir(out)
}
