/**
 * Reading a cut as files, for the dump library's decoders (src/dump/latest.ts
 * and history.ts take shard snapshots): each shard's manifest, WAL and tables
 * as of the cut, read from the cut's pin folder.
 *
 * The WAL is given as its first `walLength` bytes: the pinned WAL is the
 * writer's own file, which may have grown since the cut. There is no CURRENT
 * among the files (a cut names its manifest itself); the decoders do not need one.
 */
import type {DumpFile, ShardSnapshot} from '../dump/source.js'
import {StrataError, ioError} from '../errors.js'
import {manifestFileName, shardDirName, tableFileName, walFileName} from '../layout/names.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {FileSystem} from '../vfs/fs.js'
import {readWalPrefix} from '../wal/reader.js'
import type {ShardCut, StoreCut} from './cut.js'
import {checkHeld} from './cut-view.js'

/** Each shard of held cut `cut` as the files of a snapshot, in shard order. */
export function* cutShardSnapshots(cut: StoreCut, fs: FileSystem = nodeFileSystem): Generator<ShardSnapshot> {
  for (const s of cut.shards) {
    checkHeld(cut)
    yield cutShardSnapshot(cut, s, fs)
  }
}

/** Shard `s` of `cut`: its manifest, its WAL (the length at the cut), then its tables in file-number order, like a live shard's. */
function cutShardSnapshot(cut: StoreCut, s: ShardCut, fs: FileSystem): ShardSnapshot {
  const prefix = `${shardDirName(s.shard, cut.descriptor.shardGeneration)}/`
  const walName = walFileName(s.manifest.walNumber)
  const files: DumpFile[] = []
  const tables = s.manifest.tables.map((t) => t.fileNumber).sort((a, b) => a - b).map((n) => [tableFileName(n), 'sst'] as const)
  for (const [name, kind] of [[manifestFileName(s.manifestNumber), 'manifest'] as const, [walName, 'wal'] as const, ...tables]) {
    const path = cut.path(s.shard, name)
    try {
      const bytes = kind === 'wal' ? readWalPrefix(fs, path, s.walLength) : fs.readFile(path)
      files.push({path, name: `${prefix}${name}`, kind, shard: s.shard, bytes})
    } catch (err) {
      throw err instanceof StrataError ? err : ioError('read', path, err)
    }
  }
  return {shard: s.shard, files}
}
