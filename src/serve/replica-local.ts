/**
 * A read replica's local directory (`serve --replica-of SRC --dir LOCAL`):
 * not a store, but the stores restored from SRC's cuts and a small state
 * file naming the one served (names in src/layout/names.ts):
 *
 *   LOCAL/REPLICA-STATE    {"format": "strata-replica-state", "version": 1,
 *                           "source": SRC (sourceIdentity), "cut": id, "takenAt": ms}
 *   LOCAL/cuts/<id>/       the store restored from cut <id>
 *
 * REPLICA-STATE is replaced (written as .tmp, synced, renamed) only after the
 * cut it names is a complete store (restore writes STORE last), so a server
 * killed at any moment restarts on a whole cut; every other folder under
 * cuts/ is a cut being applied or one no longer served, and is removed.
 */
import {ErrorCode, StrataError, invalidArgument} from '../errors.js'
import {REPLICA_CUTS_DIR, REPLICA_STATE_FILE, REPLICA_STATE_TMP_FILE, STORE_FILE, joinPath, parseReplicaCutName, replicaCutPath} from '../layout/names.js'
import {makeDirDurable, writeSynced} from '../vfs/durable.js'
import type {FileSystem} from '../vfs/fs.js'
import {isS3Url} from '../objstore/open.js'
import * as path from 'node:path'
import {fileURLToPath} from 'node:url'

const STATE_FORMAT = 'strata-replica-state'
const STATE_VERSION = 1

/** How REPLICA-STATE names a source: an s3:// URL as given, a directory (or file:// URL) as its absolute path, so a restart may name it either way. */
export function sourceIdentity(url: string): string {
  if (isS3Url(url)) return url
  return path.resolve(/^file:/i.test(url) ? fileURLToPath(url) : url)
}

/** What REPLICA-STATE records: the replica followed and the cut served. */
export interface ReplicaState {
  readonly source: string
  readonly cut: string
  /** When the cut was taken on the primary, ms since the epoch. */
  readonly takenAt: number
}

/**
 * Makes `local` ready for a replica of `source` and returns the state of an
 * earlier run to resume from (undefined when there is none, or its cut is
 * not a complete store). INVALID_ARGUMENT when `local` holds anything else,
 * a store included, or follows another replica.
 */
export function prepareLocal(fs: FileSystem, local: string, url: string): ReplicaState | undefined {
  const source = sourceIdentity(url)
  if (fs.exists(local) && !fs.isDirectory(local)) throw invalidArgument(`${local} exists and is not a directory`, 'give a new or empty directory for the replica')
  makeDirDurable(fs, local)
  const names = fs.readdir(local)
  const foreign = names.filter((n) => n !== REPLICA_STATE_FILE && n !== REPLICA_STATE_TMP_FILE && n !== REPLICA_CUTS_DIR)
  if (foreign.length > 0) {
    const what = names.includes(STORE_FILE) ? 'a strata store' : foreign.slice(0, 3).join(', ')
    throw invalidArgument(`${local} holds ${what}, not a read replica's files`, 'give a new or empty directory, or the one an earlier serve --replica-of used')
  }
  if (!fs.exists(joinPath(local, REPLICA_CUTS_DIR))) {
    fs.mkdir(joinPath(local, REPLICA_CUTS_DIR))
    fs.syncDir(local)
  }
  if (!names.includes(REPLICA_STATE_FILE)) return undefined
  const state = readState(fs, local)
  if (state.source !== source) {
    throw invalidArgument(`${local} is a replica of ${state.source}, not of ${source}`, 'give a new or empty directory for this source')
  }
  return fs.exists(joinPath(replicaCutPath(local, state.cut), STORE_FILE)) ? state : undefined
}

function readState(fs: FileSystem, local: string): ReplicaState {
  const file = joinPath(local, REPLICA_STATE_FILE)
  let d: any
  try {
    d = JSON.parse(fs.readFile(file).toString('utf8'))
  } catch {
    d = undefined
  }
  if (typeof d !== 'object' || d === null || d.format !== STATE_FORMAT || d.version !== STATE_VERSION || typeof d.source !== 'string' || parseReplicaCutName(String(d.cut)) === undefined || !Number.isSafeInteger(d.takenAt)) {
    throw new StrataError(ErrorCode.CORRUPTION, `${file} is not a replica state`, {file, hint: 'empty the directory and start the replica again'})
  }
  return {source: d.source, cut: d.cut, takenAt: d.takenAt}
}

/** Records `state` durably: the cut it names is served from now on, after a restart too. */
export function writeState(fs: FileSystem, local: string, state: ReplicaState): void {
  const body = {format: STATE_FORMAT, version: STATE_VERSION, ...state}
  writeSynced(fs, joinPath(local, REPLICA_STATE_TMP_FILE), Buffer.from(JSON.stringify(body) + '\n', 'utf8'))
  fs.rename(joinPath(local, REPLICA_STATE_TMP_FILE), joinPath(local, REPLICA_STATE_FILE))
  fs.syncDir(local)
}

/** Removes every folder under LOCAL/cuts/ but cut `keep`'s. */
export function removeCutsExcept(fs: FileSystem, local: string, keep: string): void {
  for (const name of fs.readdir(joinPath(local, REPLICA_CUTS_DIR))) {
    if (name !== keep) removeTree(fs, joinPath(local, REPLICA_CUTS_DIR, name))
  }
  fs.syncDir(joinPath(local, REPLICA_CUTS_DIR))
}

/** Removes the folder of cut `id`, if any. */
export function removeCut(fs: FileSystem, local: string, id: string): void {
  const dir = replicaCutPath(local, id)
  if (!fs.exists(dir)) return
  removeTree(fs, dir)
  fs.syncDir(joinPath(local, REPLICA_CUTS_DIR))
}

/** Removes `p` and everything under it (a restored store is two levels deep). */
function removeTree(fs: FileSystem, p: string): void {
  if (!fs.isDirectory(p)) return fs.unlink(p)
  for (const name of fs.readdir(p)) removeTree(fs, joinPath(p, name))
  fs.rmdir(p)
}
