/**
 * The memtable: the newest version of each key written since the last flush.
 * Its contents are exactly the shard's live WAL, replayed.
 *
 * Records are held encoded (record/codec.ts) in a few large slabs, not as an
 * object per record: a record costs the heap its key string and a map slot,
 * and becomes an Entry (whose key and value view the slab) only when it is
 * read. A memtable lives until it is flushed, long enough for the collector
 * to move everything it holds to the old generation; objects per record made
 * bulk loads carry hundreds of megabytes of that garbage between full
 * collections. Slabs are never reused, so a read Entry stays valid for as
 * long as the caller keeps it.
 *
 * While a scan snapshot is open on it (`pin`), an overwrite keeps the
 * version it replaces, so the snapshot still reads the value of its moment
 * (`view`); point reads and flushes see only the newest versions.
 *
 * Keys are held as latin1 strings: the mapping byte -> code unit is one to
 * one and order-preserving, so JavaScript string comparison is bytewise key
 * order and Map lookups need no custom hashing.
 */
import type {Entry} from '../record/format.js'
import {encodeEntry, trustedEntryAt} from '../record/codec.js'
import {ByteWriter} from '../util/coding.js'
import type {Run} from './sorted-run.js'

/** Approximate per-entry overhead, for the memory estimate. */
const ENTRY_OVERHEAD = 64
/** The first slab's size; each next one doubles, up to MAX_SLAB_BYTES (a record longer gets a slab of its own size). */
const FIRST_SLAB_BYTES = 4 * 1024
const MAX_SLAB_BYTES = 1024 * 1024

export class Memtable {
  /** Key → number of the record holding its newest version. */
  private readonly map = new Map<string, number>()
  private sortedKeys: string[] | undefined
  private approxBytes = 0
  /** Open snapshots. */
  private pins = 0
  /** While pinned: per key, the records of the versions it replaced, oldest first. */
  private older: Map<string, number[]> | undefined
  private readonly slabs: Buffer[] = []
  /** Bytes used of each slab but the last. */
  private readonly filled: number[] = []
  /** Bytes used of the last slab. */
  private used = 0
  /** Per record number: its slab, its offset there and its value's length. */
  private recordSlab = new Int32Array(64)
  private recordAt = new Int32Array(64)
  private recordValueBytes = new Int32Array(64)
  private records = 0

  get size(): number {
    return this.map.size
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.approxBytes
  }

  /**
   * Records `e` as the newest version of its key. REQUIRES: e.seq above every
   * earlier seq. (Writes and WAL replay come through `addEncoded`, with the
   * bytes the WAL already holds.)
   */
  add(e: Entry): void {
    const w = new ByteWriter()
    encodeEntry(w, e)
    this.addEncoded([e], w.finish(), [0])
  }

  /**
   * Records `entries`, which `encoded` holds as encoded, the i-th from
   * `starts[i]` (WalWriter.appendBatch's result, or a batch decodeWal
   * checked): the bytes are copied as they are, not encoded again.
   * REQUIRES: as `add`, for each in order.
   */
  addEncoded(entries: readonly Entry[], encoded: Uint8Array, starts: readonly number[]): void {
    const base = this.reserve(encoded.length)
    this.slabs[this.slabs.length - 1].set(encoded, base)
    for (let i = 0; i < entries.length; i++) this.insert(entries[i], base + starts[i])
  }

  /** Room for `n` bytes in the last slab (a new one if needed): their offset there. */
  private reserve(n: number): number {
    const slab = this.slabs.at(-1)
    if (slab === undefined || this.used + n > slab.length) {
      if (slab !== undefined) this.filled.push(this.used)
      const size = slab === undefined ? FIRST_SLAB_BYTES : Math.min(MAX_SLAB_BYTES, 2 * slab.length)
      this.slabs.push(Buffer.allocUnsafe(Math.max(size, n)))
      this.used = 0
    }
    const at = this.used
    this.used += n
    return at
  }

  /** Makes the record of `e`, at `at` in the last slab, the newest version of its key. */
  private insert(e: Entry, at: number): void {
    const r = this.records++
    if (r === this.recordAt.length) {
      this.recordSlab = grow(this.recordSlab)
      this.recordAt = grow(this.recordAt)
      this.recordValueBytes = grow(this.recordValueBytes)
    }
    this.recordSlab[r] = this.slabs.length - 1
    this.recordAt[r] = at
    this.recordValueBytes[r] = e.value.length
    const k = e.key.toString('latin1')
    const old = this.map.get(k)
    if (old === undefined) {
      this.sortedKeys = undefined
      this.approxBytes += ENTRY_OVERHEAD + e.key.length
    } else {
      this.approxBytes -= this.recordValueBytes[old]
      if (this.pins > 0) {
        this.older ??= new Map()
        const list = this.older.get(k)
        if (list === undefined) this.older.set(k, [old])
        else list.push(old)
      }
    }
    this.approxBytes += e.value.length
    this.map.set(k, r)
  }

  get(key: Buffer): Entry | undefined {
    if (this.map.size === 0) return undefined
    const r = this.map.get(key.toString('latin1'))
    return r === undefined ? undefined : this.entry(r)
  }

  /** Record `r` as an Entry viewing its slab. */
  private entry(r: number): Entry {
    return trustedEntryAt(this.slabs[this.recordSlab[r]], this.recordAt[r])
  }

  private keys(): string[] {
    if (this.sortedKeys === undefined) {
      this.sortedKeys = [...this.map.keys()].sort()
    }
    return this.sortedKeys
  }

  /** The smallest and the largest key. REQUIRES: not empty. */
  keyRange(): {smallest: Buffer; largest: Buffer} {
    const keys = this.keys()
    return {smallest: Buffer.from(keys[0], 'latin1'), largest: Buffer.from(keys[keys.length - 1], 'latin1')}
  }

  /**
   * The newest version of every key, in no particular order, as a run: the
   * slabs' bytes copied into one buffer of its own (so it can be transferred
   * to another thread) and where each key's newest record starts.
   * `sortRun` (sorted-run.ts) puts it in key order: the background worker
   * does that, which leaves the thread accepting writes only a copy of the
   * slabs to make.
   */
  unsortedRun(): Run {
    const {map, slabs, filled, recordSlab, recordAt} = this
    const lengths = [...filled, this.used]
    const base = new Float64Array(slabs.length)
    let size = 0
    for (let s = 0; s < slabs.length; s++) {
      base[s] = size
      size += lengths[s]
    }
    const bytes = new Uint8Array(size)
    for (let s = 0; s < slabs.length; s++) bytes.set(slabs[s].subarray(0, lengths[s]), base[s])
    const starts = new Float64Array(map.size)
    let i = 0
    for (const r of map.values()) starts[i++] = base[recordSlab[r]] + recordAt[r]
    return {bytes, starts}
  }

  /**
   * A view of the memtable as it is now, whose writes have sequence numbers
   * up to `seq`; later overwrites are kept for it until it is released.
   */
  view(seq: number): MemtableView {
    this.pins++
    return new MemtableView(this.keys(), seq, (k, s) => this.versionAt(k, s), () => {
      if (--this.pins === 0) this.older = undefined
    })
  }

  /** The newest version of key `k` at or below `seq`. */
  private versionAt(k: string, seq: number): Entry | undefined {
    const r = this.map.get(k)
    if (r === undefined) return undefined
    const e = this.entry(r)
    if (e.seq <= seq) return e
    const list = this.older?.get(k)
    if (list === undefined) return undefined
    for (let i = list.length - 1; i >= 0; i--) {
      const o = this.entry(list[i])
      if (o.seq <= seq) return o
    }
    return undefined
  }

  /** Entries with keys in [from, to), ascending or descending. */
  *entries(from?: Buffer, to?: Buffer, reverse = false): Generator<Entry> {
    const keys = this.keys()
    const lo = from === undefined ? 0 : lowerBound(keys, from.toString('latin1'))
    const hi = to === undefined ? keys.length : lowerBound(keys, to.toString('latin1'))
    if (reverse) {
      for (let i = hi - 1; i >= lo; i--) yield this.entry(this.map.get(keys[i])!)
    } else {
      for (let i = lo; i < hi; i++) yield this.entry(this.map.get(keys[i])!)
    }
  }
}

/** A copy of `a` twice as long. */
function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(2 * a.length)
  b.set(a)
  return b
}

/**
 * The memtable as of sequence number `seq`: the keys it held then and, for
 * each, the newest version at or below `seq`. Holds a pin until `release`.
 */
export class MemtableView {
  private released = false

  constructor(
    private readonly keys: readonly string[],
    private readonly seq: number,
    private readonly at: (k: string, seq: number) => Entry | undefined,
    private readonly unpin: () => void,
  ) {}

  /** Entries with keys in [from, to), ascending or descending, as of the view's sequence number. */
  *entries(from?: Buffer, to?: Buffer, reverse = false): Generator<Entry> {
    const keys = this.keys
    const lo = from === undefined ? 0 : lowerBound(keys, from.toString('latin1'))
    const hi = to === undefined ? keys.length : lowerBound(keys, to.toString('latin1'))
    if (reverse) {
      for (let i = hi - 1; i >= lo; i--) {
        const e = this.at(keys[i], this.seq)
        if (e !== undefined) yield e
      }
    } else {
      for (let i = lo; i < hi; i++) {
        const e = this.at(keys[i], this.seq)
        if (e !== undefined) yield e
      }
    }
  }

  /** Drops the pin. Idempotent. */
  release(): void {
    if (this.released) return
    this.released = true
    this.unpin()
  }
}

/** First index whose key is >= target. */
function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (keys[mid] < target) lo = mid + 1
    else hi = mid
  }
  return lo
}
