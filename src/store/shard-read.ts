/**
 * A shard's reads: the newest version of a key, every stored version of it
 * (for explain), and the shard's numbers (for stats).
 */
import {isNotFound} from '../errors.js'
import {Kind, type Entry} from '../record/format.js'
import type {KeyHash} from '../util/hash.js'
import {compareKeys} from '../util/bytes.js'
import type {ShardStats} from '../api.js'
import {decodeWal, readWalPrefix, type WalContents} from '../wal/reader.js'
import type {Manifest} from '../manifest/format.js'
import {joinPath, walFileName} from '../layout/names.js'
import type {Memtable} from './memtable.js'
import type {LevelSet} from './levels.js'
import type {KeyVersion, ShardContext} from './shard-types.js'

/** Newest version of `key` in this shard (tombstones included), or undefined. */
export function findEntry(memtable: Memtable, levels: LevelSet, key: Buffer, h: KeyHash): Entry | undefined {
  const m = memtable.get(key)
  if (m !== undefined) return m
  // Newest first: level 0 (newest table first), then one table per level.
  for (const t of levels.l0) {
    if (compareKeys(key, t.meta.smallestKey) < 0 || compareKeys(key, t.meta.largestKey) > 0) continue
    const e = t.reader.get(key, h)
    if (e !== undefined) return e
  }
  for (let L = 1; L < levels.levels.length; L++) {
    if (levels.levels[L].length === 0) continue
    const e = levels.find(L, key)?.reader.get(key, h)
    if (e !== undefined) return e
  }
  return undefined
}

/**
 * Every stored version of `key` in this shard, newest first: each WAL
 * record that wrote it, then each table holding it. Reads the WAL again.
 */
export function keyVersions(ctx: ShardContext, manifest: Manifest, levels: LevelSet, key: Buffer, h: KeyHash, walLimit?: number): KeyVersion[] {
  const {fs, dir} = ctx
  const out: KeyVersion[] = []
  const walPath = joinPath(dir, walFileName(manifest.walNumber))
  let wal: WalContents | undefined
  try {
    wal = decodeWal(readWalPrefix(fs, walPath, walLimit), walPath, manifest.lastSeq)
  } catch (err) {
    // The WAL was flushed away since this view was opened: its versions are in the tables read below.
    if (!isNotFound(err)) throw err
  }
  for (const b of wal?.batches ?? []) {
    for (const e of b.entries) if (e.key.equals(key)) out.push({source: 'wal', file: walPath, offset: b.offset, entry: e})
  }
  out.reverse()
  for (const t of levels.all()) {
    if (!t.reader.mayContain(h)) continue
    const e = t.reader.get(key, h)
    if (e === undefined) continue
    const block = t.reader.blocks.search(key)
    const offset = block < t.reader.blocks.length ? t.reader.blocks.blockOffset(block) : 0
    out.push({source: 'sstable', file: t.reader.path, offset, level: t.meta.level, entry: e})
  }
  return out.sort((a, b) => b.entry.seq - a.entry.seq)
}

/** Numbers for `stats`. */
export function shardStats(ctx: ShardContext, set: LevelSet, memtables: readonly Memtable[], walBytes: number, lastSeq: number): ShardStats {
  const all = set.all()
  const levels = []
  if (set.l0.length > 0) levels.push({level: 0, tables: set.l0.length, bytes: set.bytes(0)})
  for (let L = 1; L < set.levels.length; L++) {
    if (set.levels[L].length > 0) levels.push({level: L, tables: set.levels[L].length, bytes: set.bytes(L)})
  }
  return {
    shard: ctx.index,
    tables: all.length,
    tableBytes: all.reduce((s, t) => s + t.meta.fileSize, 0),
    tableEntries: all.reduce((s, t) => s + t.meta.entries, 0),
    tombstones: all.reduce((s, t) => s + t.reader.properties.deletes, 0) + memtables.reduce((s, m) => s + countTombstones(m), 0),
    walBytes: walBytes,
    memtableEntries: memtables.reduce((s, m) => s + m.size, 0),
    memtableBytes: memtables.reduce((s, m) => s + m.bytes, 0),
    lastSeq: lastSeq,
    levels,
  }
}

function countTombstones(m: Memtable): number {
  let n = 0
  for (const e of m.entries()) if (e.kind === Kind.DELETE) n++
  return n
}
