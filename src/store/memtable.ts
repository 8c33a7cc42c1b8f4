/**
 * The memtable: the newest version of each key written since the last flush.
 * Its contents are exactly the shard's live WAL, replayed.
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

/** Approximate per-entry overhead, for the memory estimate. */
const ENTRY_OVERHEAD = 64

export class Memtable {
  private readonly map = new Map<string, Entry>()
  private sortedKeys: string[] | undefined
  private approxBytes = 0
  /** Open snapshots. */
  private pins = 0
  /** While pinned: per key, the versions it replaced, oldest first. */
  private older: Map<string, Entry[]> | undefined

  get size(): number {
    return this.map.size
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.approxBytes
  }

  /** Records `e` as the newest version of its key. REQUIRES: e.seq above every earlier seq. */
  add(e: Entry): void {
    const k = e.key.toString('latin1')
    const old = this.map.get(k)
    if (old === undefined) {
      this.sortedKeys = undefined
      this.approxBytes += ENTRY_OVERHEAD + e.key.length
    } else {
      this.approxBytes -= old.value.length
      if (this.pins > 0) {
        this.older ??= new Map()
        const list = this.older.get(k)
        if (list === undefined) this.older.set(k, [old])
        else list.push(old)
      }
    }
    this.approxBytes += e.value.length
    this.map.set(k, e)
  }

  get(key: Buffer): Entry | undefined {
    return this.map.size === 0 ? undefined : this.map.get(key.toString('latin1'))
  }

  private keys(): string[] {
    if (this.sortedKeys === undefined) {
      this.sortedKeys = [...this.map.keys()].sort()
    }
    return this.sortedKeys
  }

  /** Every entry in key order. */
  sorted(): Entry[] {
    return this.keys().map((k) => this.map.get(k)!)
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
    const e = this.map.get(k)
    if (e === undefined || e.seq <= seq) return e
    const list = this.older?.get(k)
    if (list === undefined) return undefined
    for (let i = list.length - 1; i >= 0; i--) if (list[i].seq <= seq) return list[i]
    return undefined
  }

  /** Entries with keys in [from, to), ascending or descending. */
  *entries(from?: Buffer, to?: Buffer, reverse = false): Generator<Entry> {
    const keys = this.keys()
    const lo = from === undefined ? 0 : lowerBound(keys, from.toString('latin1'))
    const hi = to === undefined ? keys.length : lowerBound(keys, to.toString('latin1'))
    if (reverse) {
      for (let i = hi - 1; i >= lo; i--) yield this.map.get(keys[i])!
    } else {
      for (let i = lo; i < hi; i++) yield this.map.get(keys[i])!
    }
  }
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
