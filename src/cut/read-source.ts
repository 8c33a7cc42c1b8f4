/**
 * What the whole-store readers (the digest, the NDJSON export) read: the
 * store in a directory, a held cut of one, or a store already open. A
 * directory is opened read-only (no lock, no change to it) and a cut through
 * its view; both are closed by `release`. A store passed in is left open.
 */
import type {Store} from '../api.js'
import type {FileSystem} from '../vfs/fs.js'
import {open} from '../store/open.js'
import type {StoreCut} from './cut.js'
import {isStoreCut, openCut} from './cut-view.js'

/** A directory, a held cut, or an open store. */
export type ReadSource = string | StoreCut | Store

/** `source` as an open store, and how to let go of it. */
export interface OpenedSource {
  readonly store: Store
  /** Closes the store if it was opened here; a no-op for a store passed in. */
  release(): Promise<void>
}

/** Opens `source` for reading; see the file comment. */
export async function openReadSource(source: ReadSource, fs?: FileSystem): Promise<OpenedSource> {
  const fsOption = fs ? {fs} : {}
  const owned = typeof source === 'string' ? await open(source, {readOnly: true, ...fsOption}) : isStoreCut(source) ? openCut(source, fsOption) : undefined
  return {store: owned ?? (source as Store), release: async () => owned?.close()}
}
