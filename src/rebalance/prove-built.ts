/**
 * The proof of a target shard by the thread that has just built it, record
 * by record, without hashing any record a second time.
 *
 * The read pass hashed every moved record once (the old generation's digest
 * includes it) and summed the hashes per target (`Plan.movedSum`); the
 * records themselves are the packed copies the build wrote. Here the new
 * tables are read back from disk in full (every block checked against its
 * checksum and inflated, the index and restart structure checked as an
 * iteration checks them) and each entry is compared, byte for byte in the
 * record encoding, with the one the plan holds for that place in key order
 * (the runs merged as they lie, with no record decoded into objects: this
 * read-back was a sixth of a rebalance's CPU when it decoded both sides).
 * Only when every record read back equals its original, none is missing and
 * none is extra, is the target's share of the digest taken as
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
import {Flag, Kind, type Entry} from '../record/format.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import {readCurrent} from '../manifest/current.js'
import type {TableMeta} from '../manifest/format.js'
import {TableReader} from '../sstable/reader.js'
import {WAL_HEADER_SIZE} from '../wal/format.js'
import {joinPath, shardDirName, tableFileName, walFileName} from '../layout/names.js'
import {shardOf} from '../util/hash.js'
import {compareRanges} from '../util/bytes.js'
import {ByteReader, varintAt, varintEndAt} from '../util/coding.js'
import {CursorHeap} from '../util/heap.js'
import {Sum256} from '../digest/sum256.js'
import type {KeptShard} from './build-target.js'
import type {Plan} from './plan.js'
import {PackedKeys, PackedRun, type Run} from './moved-run.js'

/** What proving a built target needs of the plan (the records of target `t` still held). */
export type BuiltProofPlan = Pick<Plan, 'from' | 'routed' | 'staying' | 'movedSum' | 'movedIn' | 'movedOut' | 'matrix'>

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
 * The runs target `t` must hold, packed (moved-run.ts): the records moving in,
 * one run per source shard, and the keys leaving it (a tombstone each);
 * undefined if their numbers are not the plan's counts (a record lost between
 * the read pass and here).
 */
function expected(plan: BuiltProofPlan, t: number): {runs: PackedRun[]; leaving: PackedKeys} | undefined {
  let puts = 0
  let out = 0
  for (let s = 0; s < plan.from; s++) {
    if (s !== t) puts += plan.matrix.keys[s][t]
    else for (let u = 0; u < plan.matrix.keys[s].length; u++) if (u !== t) out += plan.matrix.keys[s][u]
  }
  const runs = plan.movedIn[t].filter((r) => r.length > 0).map((r) => packedRun(r))
  if (runs.reduce((n, r) => n + r.length, 0) !== puts) return undefined
  // A kept shard shadows every key that left it (none when shrinking: keys leave only the removed shards).
  const leaving = packedKeys(t < plan.from ? plan.movedOut[t] : [])
  if (leaving.length !== out) return undefined
  return {runs, leaving}
}

/** `run` packed: itself when it is (as the read pass makes them), else a packed copy. */
function packedRun(run: Run<Entry>): PackedRun {
  if (run instanceof PackedRun) return run
  const p = PackedRun.empty()
  for (const e of run) p.push(e)
  return p
}

function packedKeys(keys: Run<Buffer>): PackedKeys {
  if (keys instanceof PackedKeys) return keys
  const p = PackedKeys.empty()
  for (const k of keys) p.push(k)
  return p
}

/**
 * A packed run being compared, at its head entry: where the entry starts,
 * where its fields after the sequence number start (its key's length), its
 * key's bounds and its end, parsed with the checks of record/codec.ts's
 * decoder on the lengths (the run was encoded by it in this process).
 */
class Head {
  readonly bytes: Buffer
  private readonly r: ByteReader
  start = 0
  afterSeq = 0
  keyStart = 0
  keyEnd = 0
  end = 0
  /** Where the head's expiry lies, or -1 without one. */
  private expiryAt = -1

  constructor(
    packed: Buffer,
    /** Records (moved in) or bare keys (leaving: a tombstone each). */
    readonly records: boolean,
  ) {
    this.bytes = packed
    this.r = new ByteReader(packed, 'rebalance moved records')
  }

  /** Moves to the next entry (the first, at first); false past the last. */
  next(): boolean {
    const r = this.r
    this.start = r.pos
    if (r.pos >= this.bytes.length) return false
    if (this.records) {
      r.pos += 2
      r.varint('sequence number')
      this.afterSeq = r.pos
    }
    const keyLength = r.varint('key length')
    this.keyStart = r.pos
    this.keyEnd = r.pos + keyLength
    r.pos = this.keyEnd
    if (this.records) {
      const valueLength = r.varint('value length')
      r.pos += valueLength
      const flags = this.bytes[this.start + 1]
      this.expiryAt = flags & Flag.HAS_EXPIRY ? r.pos : -1
      if (flags & Flag.HAS_EXPIRY) r.pos += 8
      if (flags & Flag.HAS_CODEC) r.pos += 1
      if (flags & Flag.HAS_SCHEMA) {
        r.varint('schema id')
        r.varint('schema version')
      }
    }
    if (r.pos > this.bytes.length) r.fail('entry runs past the end')
    this.end = r.pos
    return true
  }

  /** The head's expiry, if it has one (records only). */
  expiresAt(): number | undefined {
    if (this.expiryAt < 0) return undefined
    return new ByteReader(this.bytes, 'rebalance moved records', 0, this.expiryAt).u64('expiry')
  }
}

/** Orders heads by their keys, smallest first. */
function headBefore(a: Head, b: Head): boolean {
  return compareRanges(a.bytes, a.keyStart, a.keyEnd, b.bytes, b.keyStart, b.keyEnd) < 0
}

/**
 * True if the tables hold exactly the expected runs merged in key order,
 * each entry byte for byte the encoding the run holds (every field a reader
 * or the digest sees: kind, flags, key, stored value, expiry, codec,
 * schema), sequence numbers aside, which must be above the kept shard's; a
 * tombstone for each leaving key. No entry is decoded into objects: the
 * tables are walked in place (TableReader.walk, with an iteration's checks)
 * and the runs parsed where they lie.
 */
function sameRecords(fs: FileSystem, fresh: {dir: string; tables: TableMeta[]}, want: {runs: PackedRun[]; leaving: PackedKeys} | undefined, kept: KeptShard | undefined, from: number, t: number, at: number): boolean {
  if (want === undefined) return false
  const heap = new CursorHeap([...want.runs.map((r) => new Head(r.bytes(), true)), new Head(want.leaving.bytes(), false)], headBefore)
  const lastSeq = kept?.lastSeq ?? 0
  let prev: Buffer | undefined
  let prevStart = 0
  let prevEnd = 0
  for (const m of fresh.tables) {
    const reader = TableReader.open(fs, joinPath(fresh.dir, tableFileName(m.fileNumber)))
    try {
      const whole = reader.walk((b, pos, keyStart, keyEnd, end) => {
        const h = heap.items[0] as Head | undefined
        if (h === undefined || compareRanges(b, keyStart, keyEnd, h.bytes, h.keyStart, h.keyEnd) !== 0) return false
        // Across tables too, keys strictly increase.
        if (prev !== undefined && compareRanges(prev, prevStart, prevEnd, b, keyStart, keyEnd) >= 0) return false
        prev = b
        prevStart = keyStart
        prevEnd = keyEnd
        if (varintAt(b, pos + 2) <= lastSeq) return false
        const afterSeq = varintEndAt(b, pos + 2)
        if (h.records) {
          // Kind and flags, then everything after the sequence number.
          if (b[pos] !== h.bytes[h.start] || b[pos + 1] !== h.bytes[h.start + 1]) return false
          if (b.compare(h.bytes, h.afterSeq, h.end, afterSeq, end) !== 0) return false
          if (b[pos] !== Kind.PUT) return false
          const expiresAt = h.expiresAt()
          if (expiresAt !== undefined && expiresAt <= at) return false
          if (kept !== undefined && shardOf(b.subarray(keyStart, keyEnd), from) === t) return false
        } else {
          // A tombstone: no flags, an empty value, nothing after it.
          if (b[pos] !== Kind.DELETE || b[pos + 1] !== 0 || b[keyEnd] !== 0 || end !== keyEnd + 1) return false
        }
        heap.advanceTop()
        return true
      })
      if (!whole) return false
    } finally {
      reader.close()
    }
  }
  return heap.items.length === 0
}
