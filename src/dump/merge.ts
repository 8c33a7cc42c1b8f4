/**
 * K-way merge of sorted iterators with a binary heap: the smallest head
 * first, ties broken by source order. Used to resolve the newest version of
 * every key across a shard's files, then to interleave shards in key order.
 */

interface Head<T> {
  value: T
  readonly source: number
  readonly it: Iterator<T>
}

/** Yields every item of `sources` (each sorted by `cmp`) in `cmp` order. */
export function* mergeSorted<T>(sources: ReadonlyArray<Iterable<T>>, cmp: (a: T, b: T) => number): Generator<T> {
  const heap: Head<T>[] = []
  const less = (a: Head<T>, b: Head<T>): boolean => {
    const c = cmp(a.value, b.value)
    return c < 0 || (c === 0 && a.source < b.source)
  }
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!less(heap[i], heap[p])) return
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
  sources.forEach((s, source) => {
    const it = s[Symbol.iterator]()
    const n = it.next()
    if (!n.done) {
      heap.push({value: n.value, source, it})
      up(heap.length - 1)
    }
  })
  while (heap.length > 0) {
    const top = heap[0]
    yield top.value
    const n = top.it.next()
    if (n.done) {
      const last = heap.pop()!
      if (heap.length > 0) {
        heap[0] = last
        down(0)
      }
    } else {
      top.value = n.value
      down(0)
    }
  }
}
