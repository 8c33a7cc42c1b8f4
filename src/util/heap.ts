/**
 * The one step binary min-heaps over a plain array need here: moving an
 * element down to its place. The merges that read entries in place
 * (rebalance/raw-read.ts, rebalance/prove-built.ts) keep their cursors in
 * such heaps; `before(x, y)` is true when x must come out first.
 */
export function siftDown<T>(a: T[], i: number, before: (x: T, y: T) => boolean): void {
  const n = a.length
  for (;;) {
    const l = 2 * i + 1
    if (l >= n) return
    const r = l + 1
    const m = r < n && before(a[r], a[l]) ? r : l
    if (!before(a[m], a[i])) return
    const x = a[i]
    a[i] = a[m]
    a[m] = x
    i = m
  }
}
