/**
 * The shard snapshots held by a store's open scans.
 *
 * A scan holds its snapshots (and through them its tables and memtables)
 * from its first step until it ends, throws, or is returned (`break` out of
 * a for-of, `return()` on the iterator). Two more rules keep an abandoned
 * scan from holding files forever: when an unfinished iterator is garbage
 * collected its snapshots are released, and closing the store releases every
 * scan still open (its next step then fails with CLOSED).
 */
import type {ShardSnapshot} from './shard-snapshot.js'

/** The snapshots of one scan. */
export class ScanLease {
  private readonly snapshots: ShardSnapshot[] = []
  private done = false

  constructor(private readonly owner: ScanLeases) {}

  /** True once released (the scan ended, or the store closed under it). */
  get released(): boolean {
    return this.done
  }

  /** Adds a snapshot taken for this scan; it is released with the lease. */
  hold(s: ShardSnapshot): ShardSnapshot {
    if (this.done) {
      s.release()
    } else {
      this.snapshots.push(s)
    }
    return s
  }

  /** Releases every snapshot. Idempotent. */
  release(): void {
    if (this.done) return
    this.done = true
    this.owner.forget(this)
    for (const s of this.snapshots) s.release()
    this.snapshots.length = 0
  }
}

export class ScanLeases {
  private readonly open = new Set<ScanLease>()
  private readonly registry = new FinalizationRegistry<ScanLease>((lease) => {
    try {
      lease.release()
    } catch {
      // Nothing to report to: the iterator is gone.
    }
  })

  /** A lease for the scan behind `iterator`, released by the garbage collector if the iterator is dropped unfinished. */
  lease(iterator: object): ScanLease {
    const l = new ScanLease(this)
    this.open.add(l)
    this.registry.register(iterator, l, l)
    return l
  }

  /** Scans holding snapshots now. */
  get count(): number {
    return this.open.size
  }

  /** Releases every open scan's snapshots (the store is closing). */
  releaseAll(): void {
    for (const l of [...this.open]) l.release()
  }

  /** @internal called by ScanLease.release */
  forget(l: ScanLease): void {
    this.open.delete(l)
    this.registry.unregister(l)
  }
}
