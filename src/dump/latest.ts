/**
 * The newest live version of every key of a store, decoded from its files
 * by the Kaitai parsers (not by the engine), in bytewise key order.
 *
 * Within a shard, sequence numbers are unique and the highest one is the
 * newest version, wherever it lives (WAL or any table). A key whose newest
 * version is a tombstone, or has expired by `now`, is left out. Shards hold
 * disjoint keys, so they are interleaved by key alone.
 *
 * Memory: every shard's live files are held as bytes while the merge runs,
 * but each table has at most one decoded data block at a time, and the
 * WAL's records (the memtable) are the only entries held decoded.
 */
import {ErrorCode, StrataError} from '../errors.js'
import {parseManifest} from '../kaitai/index.js'
import {checkCrc, type Problems} from './checks.js'
import {mergeSorted} from '../store/merge.js'
import {isLiveRecord, tableRecords, walRecords, type DumpRecord} from './records.js'
import type {ShardSnapshot} from './source.js'
import {openTable} from './sstable.js'
import {decodeWalFile, type TornTail} from './wal.js'

/** Options for `latestRecords`. */
export interface LatestOptions {
  /** Clock for expiry, ms since the epoch. */
  readonly now: number
  readonly problems: Problems
  /** Told about each WAL that ends in a torn tail (an append in progress). */
  readonly onTornTail?: (file: string, tail: TornTail) => void
}

const byKey = (a: DumpRecord, b: DumpRecord): number => Buffer.compare(a.key, b.key)
const byKeyNewestFirst = (a: DumpRecord, b: DumpRecord): number => Buffer.compare(a.key, b.key) || b.seq - a.seq

/**
 * Every stored version of every key of one shard, in key order and, within a
 * key, newest first (the order of the sources' merge). CORRUPTION if two
 * versions of a key share a sequence number.
 */
export function* shardVersions(snap: ShardSnapshot, options: Omit<LatestOptions, 'now'>): Generator<DumpRecord> {
  const sources: Iterable<DumpRecord>[] = []
  for (const f of snap.files) {
    if (f.kind === 'manifest') {
      const m = parseManifest(f.bytes, f.path)
      options.problems.crc(f.path, 'manifest', checkCrc(m.checkedSpan, m.crc, f.bytes.length - 4))
    } else if (f.kind === 'wal') {
      const view = decodeWalFile(f.bytes, f.path, options.problems)
      if (view.tornTail) options.onTornTail?.(f.path, view.tornTail)
      sources.push([...walRecords(view, f.path, snap.shard)].sort(byKeyNewestFirst))
    } else if (f.kind === 'sst') {
      sources.push(tableRecords(openTable(f.bytes, f.path, options.problems), options.problems, snap.shard))
    }
  }
  let last: DumpRecord | undefined
  for (const r of mergeSorted(sources, byKeyNewestFirst)) {
    if (last !== undefined && r.seq === last.seq && last.key.equals(r.key)) {
      throw new StrataError(ErrorCode.CORRUPTION, `${r.file}: sequence number ${r.seq} is used twice in shard ${snap.shard}`, {file: r.file, offset: r.offset})
    }
    last = r
    yield r
  }
}

/** The newest version of each key of one shard (tombstones and expired ones included), in key order. */
export function* newestVersions(snap: ShardSnapshot, options: Omit<LatestOptions, 'now'>): Generator<DumpRecord> {
  let last: Buffer | undefined
  for (const r of shardVersions(snap, options)) {
    if (last !== undefined && last.equals(r.key)) continue
    last = r.key
    yield r
  }
}

/** The newest live version of every key across `shards`, in key order. */
export function* latestRecords(shards: Iterable<ShardSnapshot>, options: LatestOptions): Generator<DumpRecord> {
  const perShard = [...shards].map((s) => (function* () {
    for (const r of newestVersions(s, options)) if (isLiveRecord(r, options.now)) yield r
  })())
  yield* mergeSorted(perShard, byKey)
}
