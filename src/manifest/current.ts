/**
 * Reading and switching a shard's live manifest.
 *
 * Switch protocol (crash-safe at every step):
 *   1. write MANIFEST-N, fdatasync it
 *   2. write CURRENT.tmp naming it, fdatasync, rename over CURRENT
 *   3. fsync the shard directory
 * Only after step 3 may the caller delete files the old manifest listed.
 */
import {corruption, ioError, StrataError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {writeSynced} from '../vfs/durable.js'
import {CURRENT_FILE, CURRENT_TMP_FILE, currentContents, joinPath, manifestFileName, parseCurrentContents} from '../layout/names.js'
import {decodeManifest, encodeManifest} from './codec.js'
import type {Manifest} from './format.js'

/** The live manifest of a shard and its file number. */
export interface LiveManifest {
  readonly manifest: Manifest
  readonly manifestNumber: number
}

/** Reads CURRENT and the manifest it names. ENOENT errors propagate raw, so readers can retry. */
export function readCurrent(fs: FileSystem, shardDir: string): LiveManifest {
  const currentPath = joinPath(shardDir, CURRENT_FILE)
  const text = fs.readFile(currentPath).toString('latin1')
  const manifestNumber = parseCurrentContents(text)
  if (manifestNumber === undefined) throw corruption(currentPath, 0, `CURRENT does not name a manifest (${JSON.stringify(text.slice(0, 40))})`)
  const path = joinPath(shardDir, manifestFileName(manifestNumber))
  const manifest = decodeManifest(fs.readFile(path), path)
  return {manifest, manifestNumber}
}

/** Writes `manifest` as MANIFEST-`number` and makes it live. */
export function switchManifest(fs: FileSystem, shardDir: string, manifest: Manifest, number: number): void {
  const path = joinPath(shardDir, manifestFileName(number))
  const tmp = joinPath(shardDir, CURRENT_TMP_FILE)
  try {
    writeSynced(fs, path, encodeManifest(manifest))
    if (fs.exists(tmp)) fs.unlink(tmp)
    writeSynced(fs, tmp, currentContents(number))
    fs.rename(tmp, joinPath(shardDir, CURRENT_FILE))
    fs.syncDir(shardDir)
  } catch (err) {
    if (err instanceof StrataError) throw err
    throw ioError('switch manifest in', shardDir, err)
  }
}
