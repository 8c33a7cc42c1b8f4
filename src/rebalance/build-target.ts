/**
 * Building one shard folder of the new generation, from nothing each time
 * (a resumed rebalance deletes a half-built folder and starts it again):
 *
 *  1. A kept shard (one that exists in both generations) gets a hard link to
 *     every table of its old folder (a synced copy where links are not
 *     possible): the keys that stay are not rewritten.
 *  2. One new level-0 table holds the records moving in (every field kept:
 *     value bytes and codec, expiry, JSON flag, schema reference) and, in a
 *     kept shard of a growing store, a tombstone for each key moving out, so
 *     that its old copies in the linked tables are shadowed. Both get
 *     sequence numbers above everything in the shard, so they win over any
 *     older copy of their key (one left shadowed by an earlier rebalance
 *     included). A later compaction drops the tombstones and what they
 *     shadow (at the bottom level nothing older remains to hide).
 *  3. An empty WAL, then the manifest naming exactly these tables and CURRENT
 *     (switchManifest syncs both and the folder: the one sync of the folder,
 *     which makes every entry in it durable at once).
 *
 * The moved-in keys and the shadowed keys of one target are disjoint: a key
 * routes to one shard only.
 */
import type {FileSystem} from '../vfs/fs.js'
import {Kind, type Entry} from '../record/format.js'
import {compareKeys} from '../util/bytes.js'
import {joinPath, manifestFileName, shardDirName, tableFileName, walFileName} from '../layout/names.js'
import type {Manifest, TableMeta} from '../manifest/format.js'
import {switchManifest} from '../manifest/current.js'
import {WalWriter} from '../wal/writer.js'
import {mergeSorted} from '../store/merge.js'
import {buildTables} from '../store/table-build.js'
import {shardContext} from '../store/shard-context.js'
import {DEFAULT_POLICY} from '../store/compaction.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import {linkOrCopy} from '../cut/file-copy.js'
import {removeFolder} from './generations.js'
import type {Run} from './moved-run.js'

/** The old shard a kept target starts from: its folder and its flushed state. */
export interface KeptShard {
  readonly dir: string
  readonly manifest: Manifest
  /** Highest sequence number in the old shard (its WAL is empty: it was flushed). */
  readonly lastSeq: number
}

/** What building a target wrote. */
export interface BuiltTarget {
  readonly shard: number
  readonly linkedTables: number
  readonly copiedTables: number
  /** Bytes of new files: the new table, the WAL header, the manifest and CURRENT, and copied tables. */
  readonly bytesWritten: number
  readonly keysIn: number
  readonly tombstones: number
}

const EMPTY = Buffer.alloc(0)

/**
 * Builds shard `shard` of generation `desc.shardGeneration` in `dir`.
 * `movedIn`: the records moving in, one key-ordered run per source.
 * `movedOut`: the keys leaving a kept shard, in key order.
 * REQUIRES: the writer lock is held; `kept`'s files do not change meanwhile.
 */
export function buildTarget(fs: FileSystem, dir: string, desc: StoreDescriptor, shard: number, kept: KeptShard | undefined, movedIn: readonly Run<Entry>[], movedOut: Run<Buffer>): BuiltTarget {
  const ctx = shardContext(fs, dir, shard, desc, Date.now, DEFAULT_POLICY)
  const target = joinPath(dir, shardDirName(shard, desc.shardGeneration))
  removeFolder(fs, target)
  // The folder's entry in DIR becomes durable with the journal write that records it complete
  // (or with STORE's at the commit): a target the journal does not record is rebuilt anyway.
  fs.mkdir(target)
  let bytesWritten = 0
  let linkedTables = 0
  let copiedTables = 0
  const tables: TableMeta[] = []
  if (kept !== undefined) {
    for (const t of kept.manifest.tables) {
      const name = tableFileName(t.fileNumber)
      const r = linkOrCopy(fs, joinPath(kept.dir, name), joinPath(target, name))
      if (r.how === 'linked') linkedTables++
      else {
        copiedTables++
        bytesWritten += r.bytes
      }
      tables.push(t)
    }
  }
  let next = kept?.manifest.nextFileNumber ?? 1
  let seq = kept?.lastSeq ?? 0
  const tombstones = (function* (): Generator<Entry> {
    for (const key of movedOut) yield {kind: Kind.DELETE, key, value: EMPTY, seq: 0}
  })()
  const ordered = mergeSorted<Entry>([...movedIn, tombstones], (a, b) => compareKeys(a.key, b.key))
  let keysIn = 0
  const renumbered = (function* (): Generator<Entry> {
    for (const e of ordered) {
      if (e.kind === Kind.PUT) keysIn++
      yield {...e, seq: ++seq}
    }
  })()
  const built = buildTables(ctx, () => next++, renumbered, 0, 'shard-rebalance')
  for (const t of built) {
    t.reader.close()
    bytesWritten += t.meta.fileSize
  }
  const walNumber = next++
  const wal = WalWriter.create(fs, joinPath(target, walFileName(walNumber)), shard)
  bytesWritten += wal.size()
  wal.close()
  // No sync of the folder here: switchManifest's sync of it makes the tables' and the WAL's
  // entries durable with CURRENT's, and a target is recorded complete only after that.
  const manifestNumber = next++
  const manifest: Manifest = {shard, nextFileNumber: next, lastSeq: seq, walNumber, tables: [...built.map((t) => t.meta), ...tables]}
  switchManifest(fs, target, manifest, manifestNumber)
  bytesWritten += fs.fileSize(joinPath(target, manifestFileName(manifestNumber))) + 16
  return {shard, linkedTables, copiedTables, bytesWritten, keysIn, tombstones: movedOut.length}
}
