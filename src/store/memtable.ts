/**
 * The memtable: the newest version of each key written since the last flush.
 * Its contents are exactly the shard's live WAL, replayed.
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

/** First index whose key is >= target. */
function lowerBound(keys: string[], target: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (keys[mid] < target) lo = mid + 1
    else hi = mid
  }
  return lo
}
