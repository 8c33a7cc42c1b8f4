/**
 * A binary min-heap of cursors, for the merges that read entries in place
 * (rebalance/raw-read.ts, rebalance/prove-built.ts): each cursor's `next()`
 * moves it to its next item and says whether it has one; `before(x, y)` is
 * true when x's current item must come out first.
 */
export class CursorHeap<T extends {next(): boolean}> {
  /** The cursors not yet done, `items[0]` the one whose item comes out next. */
  readonly items: T[] = []

  /** Moves each cursor to its first item and orders those that have one. */
  constructor(
    cursors: readonly T[],
    private readonly before: (x: T, y: T) => boolean,
  ) {
    for (const c of cursors) if (c.next()) this.items.push(c)
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i)
  }

  /** Advances the first cursor and restores the order, dropping it once done. */
  advanceTop(): void {
    const a = this.items
    if (!a[0].next()) {
      const last = a.pop()!
      if (a.length === 0) return
      a[0] = last
    }
    this.down(0)
  }

  private down(i: number): void {
    const a = this.items
    const n = a.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) return
      const r = l + 1
      const m = r < n && this.before(a[r], a[l]) ? r : l
      if (!this.before(a[m], a[i])) return
      const x = a[i]
      a[i] = a[m]
      a[m] = x
      i = m
    }
  }
}
