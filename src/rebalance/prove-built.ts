/**
 * The proof of a target shard by the thread that has just built it, record
 * by record, without hashing any record a second time.
 *
 * The read pass hashed every moved record once (the old generation's digest
 * includes it) and summed the hashes per target (`Plan.movedSum`); the
 * records themselves are the owned copies the build wrote. Here the new
 * tables are read back from disk in full (every block checked against its
 * checksum, inflated and decoded) and each record is compared, field by
 * field, with the one the plan holds for that place in key order. Only when
 * every record read back equals its original, none is missing and none is
 * extra, is the target's share of the digest taken as
 *
 *   staying sum of the old shard (kept shards only) + the moved records' sum,
 *
 * the sums of exactly the records now on disk; this is the same statement the
 * full read makes (prove.ts), reached by comparing bytes instead of hashing
 * them again. The kept-shard conditions of prove.ts apply unchanged: the old
 * tables are the very files the plan read (same device and inode), the WAL is
 * empty, every new record's sequence number is above the old shard's and its
 * keys are not the old shard's (puts) or exactly the keys that left it
 * (tombstones). A new shard must hold nothing but its new tables.
 *
 * Anything else (a condition that does not hold, a record that differs, a
 * table that does not read back) gives undefined: the verify step then reads
 * the shard whole through the engine and hashes it, so damage still refuses
 * the rebalance there, with the new generation removed. A failing read (not
 * damage) fails the run at once, with nothing committed, as it would there.
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {isLive, Kind, ValueCodec, type Entry} from '../record/format.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import {readCurrent} from '../manifest/current.js'
import type {TableMeta} from '../manifest/format.js'
import {TableReader} from '../sstable/reader.js'
import {WAL_HEADER_SIZE} from '../wal/format.js'
import {joinPath, shardDirName, tableFileName, walFileName} from '../layout/names.js'
import {shardOf} from '../util/hash.js'
import {compareKeys} from '../util/bytes.js'
import {mergeSorted} from '../store/merge.js'
import {Sum256} from '../digest/sum256.js'
import type {KeptShard} from './build-target.js'
import type {Plan} from './plan.js'

/** What proving a built target needs of the plan (the records of target `t` still held). */
export type BuiltProofPlan = Pick<Plan, 'from' | 'routed' | 'staying' | 'movedSum' | 'movedIn' | 'movedOut' | 'matrix'>

const EMPTY = Buffer.alloc(0)

/**
 * Target `t` of generation `next` in `dir`, just built by this thread from
 * `plan.movedIn[t]` and `plan.movedOut[t]`: its share of the new digest, or
 * undefined when it is to be read whole (see the file comment). `kept`: old
 * shard t when its tables are provably the ones the plan read; undefined for
 * a new shard (t ≥ plan.from) and for a kept shard that is not provable.
 */
export function proveBuilt(fs: FileSystem, dir: string, next: StoreDescriptor, t: number, kept: KeptShard | undefined, plan: BuiltProofPlan, at: number): Sum256 | undefined {
  if (t < plan.from && (kept === undefined || !plan.routed[t])) return undefined
  try {
    const fresh = freshTables(fs, joinPath(dir, shardDirName(t, next.shardGeneration)), kept)
    if (fresh === undefined || !sameRecords(fs, fresh, expected(plan, t), kept, plan.from, t, at)) return undefined
  } catch (err) {
    // A table that does not read back: the full read refuses the rebalance, cleaning up.
    // Any other failure (a failing read) fails the run here, as it would in the full read.
    if (err instanceof StrataError && err.code === ErrorCode.CORRUPTION) return undefined
    throw err
  }
  const sum = new Sum256()
  sum.addSum(plan.movedSum[t])
  if (kept !== undefined) sum.addSum(plan.staying[t])
  return sum
}

/**
 * The tables of the new shard in `shardDir` that are not kept shard `kept`'s
 * (all of them for a new shard), in manifest order, when its manifest names
 * every table of `kept` as the very file the plan read (same number, size,
 * level, sequence range and device and inode) and its WAL is empty;
 * undefined otherwise.
 */
export function freshTables(fs: FileSystem, shardDir: string, kept: KeptShard | undefined): {dir: string; tables: TableMeta[]} | undefined {
  const {manifest} = readCurrent(fs, shardDir)
  if (fs.fileSize(joinPath(shardDir, walFileName(manifest.walNumber))) !== WAL_HEADER_SIZE) return undefined
  const old = new Map((kept?.manifest.tables ?? []).map((m) => [m.fileNumber, m]))
  if (old.size > 0 && fs.fileId === undefined) return undefined
  const tables: TableMeta[] = []
  let linked = 0
  for (const m of manifest.tables) {
    const was = old.get(m.fileNumber)
    if (was === undefined) {
      tables.push(m)
      continue
    }
    const name = tableFileName(m.fileNumber)
    if (!sameTable(was, m) || fs.fileId!(joinPath(shardDir, name)) !== fs.fileId!(joinPath(kept!.dir, name))) return undefined
    linked++
  }
  return linked === old.size ? {dir: shardDir, tables} : undefined
}

function sameTable(a: TableMeta, b: TableMeta): boolean {
  return a.fileSize === b.fileSize && a.level === b.level && a.minSeq === b.minSeq && a.maxSeq === b.maxSeq && a.entries === b.entries
}

/**
 * What the new tables must hold, in key order: the records moving in and a
 * tombstone per key leaving; undefined if their numbers are not the plan's
 * counts (a record lost between the read pass and here).
 */
function expected(plan: BuiltProofPlan, t: number): Iterable<Entry> | undefined {
  let puts = 0
  let out = 0
  for (let s = 0; s < plan.from; s++) {
    if (s !== t) puts += plan.matrix.keys[s][t]
    else for (let u = 0; u < plan.matrix.keys[s].length; u++) if (u !== t) out += plan.matrix.keys[s][u]
  }
  const runs = plan.movedIn[t]
  if (runs.reduce((n, r) => n + r.length, 0) !== puts) return undefined
  // A kept shard shadows every key that left it (none when shrinking: keys leave only the removed shards).
  const leaving = t < plan.from ? plan.movedOut[t] : []
  if (leaving.length !== out) return undefined
  const tombstones = (function* (): Generator<Entry> {
    for (const key of leaving) yield {kind: Kind.DELETE, key, value: EMPTY, seq: 0}
  })()
  return mergeSorted<Entry>([...runs, tombstones], (a, b) => compareKeys(a.key, b.key))
}

/** True if the tables hold exactly `want`, in order, each record equal to its original (sequence numbers aside, which must be above the kept shard's). */
function sameRecords(fs: FileSystem, fresh: {dir: string; tables: TableMeta[]}, want: Iterable<Entry> | undefined, kept: KeptShard | undefined, from: number, t: number, at: number): boolean {
  if (want === undefined) return false
  const it = want[Symbol.iterator]()
  const lastSeq = kept?.lastSeq ?? 0
  let prev: Buffer | undefined
  for (const m of fresh.tables) {
    const reader = TableReader.open(fs, joinPath(fresh.dir, tableFileName(m.fileNumber)))
    try {
      for (const e of reader.entries()) {
        const w = it.next()
        if (w.done === true || !sameRecord(e, w.value) || e.seq <= lastSeq) return false
        if (prev !== undefined && compareKeys(prev, e.key) >= 0) return false
        prev = w.value.key
        if (e.kind === Kind.PUT && (!isLive(e, at) || (kept !== undefined && shardOf(e.key, from) === t))) return false
      }
    } finally {
      reader.close()
    }
  }
  return it.next().done === true
}

/** True if `a` and `b` are the same record in every field a reader or the digest sees: kind, key, stored value and codec, expiry, JSON flag, schema. */
function sameRecord(a: Entry, b: Entry): boolean {
  return (
    a.kind === b.kind &&
    a.expiresAt === b.expiresAt &&
    (a.json === true) === (b.json === true) &&
    (a.codec ?? ValueCodec.RAW) === (b.codec ?? ValueCodec.RAW) &&
    a.schema?.id === b.schema?.id &&
    a.schema?.version === b.schema?.version &&
    a.key.equals(b.key) &&
    a.value.equals(b.value)
  )
}
