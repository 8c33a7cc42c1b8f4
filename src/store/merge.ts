/**
 * K-way merges of sorted streams with a binary heap.
 */
import type {Entry} from '../record/format.js'
import {compareKeys} from '../util/bytes.js'

interface Head<T> {
  value: T
  readonly source: number
  readonly it: Iterator<T>
}

/**
 * Yields every item of `sources` (each sorted by `cmp`) in `cmp` order, ties
 * broken by source order. If `out` is given, `out.source` is set to the index
 * of the source each item came from, before it is yielded.
 */
export function* mergeSorted<T>(sources: ReadonlyArray<Iterable<T>>, cmp: (a: T, b: T) => number, out?: {source: number}): Generator<T> {
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
    if (out) out.source = top.source
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

/**
 * For each key, the version with the highest sequence number, in key order
 * (descending when `reverse`). Sources must each be sorted by key in that
 * order with at most one entry per key. `out` as for mergeSorted.
 */
export function* mergeNewest(sources: Iterable<Entry>[], reverse = false, out?: {source: number}): Generator<Entry> {
  const dir = reverse ? -1 : 1
  const cmp = (a: Entry, b: Entry): number => compareKeys(a.key, b.key) * dir || b.seq - a.seq
  if (sources.length === 1) {
    if (out) out.source = 0
    yield* sources[0]
    return
  }
  let last: Buffer | undefined
  for (const e of mergeSorted(sources, cmp, out)) {
    if (last !== undefined && compareKeys(last, e.key) === 0) continue
    last = e.key
    yield e
  }
}
