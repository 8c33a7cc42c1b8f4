/**
 * The handle of a read replica: the store restored from the cut applied
 * last, swapped for the next cut's store once that one is complete and
 * verified (replica-follower.ts). A request keeps the store it acquired to
 * its end; the replaced store is closed when its last request ends, and only
 * then may its folder go. So a reader sees one whole cut, never a mix.
 *
 * It also reports what the replica serves: the response headers every
 * answer carries, the `replica` object of /stats, and the health of the
 * follower (the last check's error, if it failed).
 */
import type {Store} from '../api.js'
import {LeasedStore, type ServerRole, type StoreHandle, type StoreLease} from './store-handle.js'

/** A cut the replica applied. */
export interface AppliedCut {
  readonly id: string
  /** When the primary took it, ms since the epoch. */
  readonly takenAt: number
  /** When this replica started serving it. */
  readonly appliedAt: number
  /** For a cut applied while serving: its objects, and those taken from the cut served before (tables linked, WAL ranges copied) instead of downloaded. */
  readonly objects?: number
  readonly reusedObjects?: number
  readonly reusedBytes?: number
}

/** The last failed check of the source, until a check succeeds. */
export interface ReplicaError {
  readonly code: string
  readonly message: string
  readonly at: number
}

/** The `replica` object of GET /stats (stable; fields may be added). */
export interface ReplicaStatus {
  readonly source: string
  readonly cut: string
  readonly cutTakenAt: number
  readonly cutTime: string
  /** now − cutTakenAt, never below 0 (clocks of two machines may differ a little). */
  readonly lagMs: number
  readonly appliedAt: number
  /** Of the cut served, when applied while serving (else null): its objects, and those taken from the previous cut instead of downloaded. */
  readonly objects: number | null
  readonly reusedObjects: number | null
  readonly reusedBytes: number | null
  /** Cuts served since the server started, the first included. */
  readonly cutsServed: number
  readonly lastCheckAt: number | null
  readonly status: 'ok' | 'degraded'
  readonly error: ReplicaError | null
}

export const CUT_HEADER = 'strata-replica-cut'
export const LAG_HEADER = 'strata-replica-lag-ms'

/** A read-only handle over the newest applied cut of a replica. */
export class ReplicaStoreHandle implements StoreHandle {
  readonly readOnly = true
  readonly role: ServerRole = 'replica'
  private current: LeasedStore
  private applied: AppliedCut
  private readonly cutOf = new WeakMap<Store, AppliedCut>()
  private cutsServed = 1
  private lastCheckAt: number | null = null
  private error: ReplicaError | null = null
  private stopFollowing: () => Promise<void> = async () => {}

  /** `source` is the URL of the replica followed; `store` was restored from `cut`. */
  constructor(readonly source: string, store: Store, cut: AppliedCut) {
    this.current = new LeasedStore(store)
    this.applied = cut
    this.cutOf.set(store, cut)
  }

  acquire(): StoreLease {
    return this.current.lease()
  }

  /** The cut served now. */
  get cut(): AppliedCut {
    return this.applied
  }

  /** Serves `store` (restored from `cut`) from now on; resolves once the previous store is closed. */
  async swap(store: Store, cut: AppliedCut): Promise<void> {
    const old = this.current
    this.cutOf.set(store, cut)
    this.current = new LeasedStore(store)
    this.applied = cut
    this.cutsServed++
    await old.retire()
  }

  /** Records a check of the source: `error` when it failed, undefined when it succeeded. */
  checked(error?: ReplicaError): void {
    this.lastCheckAt = Date.now()
    this.error = error ?? null
  }

  /** Sets what close() calls first, to stop the follower. */
  onClose(stop: () => Promise<void>): void {
    this.stopFollowing = stop
  }

  /** Headers naming the cut of `store` (the request's), or of the store served now. */
  responseHeaders(store?: Store): Record<string, string> {
    const cut = (store === undefined ? undefined : this.cutOf.get(store)) ?? this.applied
    return {[CUT_HEADER]: cut.id, [LAG_HEADER]: String(lagOf(cut))}
  }

  status(): ReplicaStatus {
    const c = this.applied
    return {
      source: this.source,
      cut: c.id,
      cutTakenAt: c.takenAt,
      cutTime: new Date(c.takenAt).toISOString(),
      lagMs: lagOf(c),
      appliedAt: c.appliedAt,
      objects: c.objects ?? null,
      reusedObjects: c.reusedObjects ?? null,
      reusedBytes: c.reusedBytes ?? null,
      cutsServed: this.cutsServed,
      lastCheckAt: this.lastCheckAt,
      status: this.error === null ? 'ok' : 'degraded',
      error: this.error,
    }
  }

  async close(): Promise<void> {
    await this.stopFollowing()
    await this.current.retire()
  }
}

function lagOf(cut: AppliedCut): number {
  return Math.max(0, Date.now() - cut.takenAt)
}
