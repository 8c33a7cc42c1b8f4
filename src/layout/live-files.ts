/**
 * The live files of a shard: what its live manifest names (the manifest
 * itself, its WAL and its tables). Everything else in a shard directory is
 * obsolete once a manifest switch is durable: the writer deletes it (at open,
 * after a crash), cuts pin exactly these, verify and checkpoint read these.
 */
import {manifestFileName, tableFileName, walFileName} from './names.js'

/** What of a manifest names files. */
export interface ManifestFiles {
  readonly walNumber: number
  readonly tables: readonly {readonly fileNumber: number}[]
}

/**
 * The names of the live files of a shard whose live manifest is
 * MANIFEST-`manifestNumber`: manifest, WAL, tables in manifest order. A WAL
 * number of 0 names no WAL (file numbers start at 1).
 */
export function liveFileNames(manifestNumber: number, manifest: ManifestFiles): string[] {
  const wal = manifest.walNumber === 0 ? [] : [walFileName(manifest.walNumber)]
  return [manifestFileName(manifestNumber), ...wal, ...manifest.tables.map((t) => tableFileName(t.fileNumber))]
}
