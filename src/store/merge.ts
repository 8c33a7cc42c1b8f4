/**
 * K-way merge of sorted entry streams. For each key it yields one entry: the
 * version with the highest sequence number. Sources must each be sorted by
 * key (ascending, or descending when `reverse`) with at most one entry per key.
 */
import type {Entry} from '../record/format.js'

interface Head {
  entry: Entry
  iter: Iterator<Entry>
  source: number
}

/**
 * @param out if given, `out.source` is set to the index of the source each
 *   yielded entry came from, before it is yielded
 */
export function* mergeNewest(sources: Iterable<Entry>[], reverse = false, out?: {source: number}): Generator<Entry> {
  const dir = reverse ? -1 : 1
  // Min-heap on (key in iteration order, seq descending).
  const heap: Head[] = []
  const less = (a: Head, b: Head): boolean => {
    const c = Buffer.compare(a.entry.key, b.entry.key) * dir
    return c < 0 || (c === 0 && a.entry.seq > b.entry.seq)
  }
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!less(heap[i], heap[p])) break
      ;[heap[i], heap[p]] = [heap[p], heap[i]]
      i = p
    }
  }
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && less(heap[l], heap[m])) m = l
      if (r < heap.length && less(heap[r], heap[m])) m = r
      if (m === i) return
      ;[heap[i], heap[m]] = [heap[m], heap[i]]
      i = m
    }
  }
  const advance = (h: Head): boolean => {
    const n = h.iter.next()
    if (n.done) return false
    h.entry = n.value
    return true
  }
  for (const [source, s] of sources.entries()) {
    const iter = s[Symbol.iterator]()
    const n = iter.next()
    if (!n.done) {
      heap.push({entry: n.value, iter, source})
      up(heap.length - 1)
    }
  }
  if (heap.length === 1) {
    // Single source: no merging needed.
    const h = heap[0]
    if (out) out.source = h.source
    yield h.entry
    while (advance(h)) yield h.entry
    return
  }
  while (heap.length > 0) {
    const top = heap[0]
    const winner = top.entry
    if (out) out.source = top.source
    yield winner
    // Pop every head with the same key (older versions), advancing each.
    do {
      const h = heap[0]
      if (advance(h)) {
        down(0)
      } else {
        const last = heap.pop()!
        if (heap.length > 0) {
          heap[0] = last
          down(0)
        }
      }
    } while (heap.length > 0 && heap[0].entry.key.equals(winner.key))
  }
}
