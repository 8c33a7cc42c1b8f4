/**
 * How request handlers reach the store: through one small handle, never a
 * Store kept in a variable. A request acquires a lease on the store of that
 * moment and uses it to its end; whoever owns the handle may swap in another
 * store (a newer view of the data) at any time. A request sees one store,
 * never a mix, and a replaced store is closed once its last lease ends.
 */
import type {Store} from '../api.js'
import type {ReplicaStatus} from './replica-handle.js'

/** What the server is to the data: the writer, a server that only reads, or a read replica following a replica (replica-handle.ts). */
export type ServerRole = 'primary' | 'read-only' | 'replica'

/** The store one request uses; `release()` when the request ends. */
export interface StoreLease {
  readonly store: Store
  release(): void
}

/** The store requests use, and whether writes are accepted. */
export interface StoreHandle {
  /** The store for one whole request. */
  acquire(): StoreLease
  /** When true, write endpoints answer 405 naming `role`. */
  readonly readOnly: boolean
  readonly role: ServerRole
  /** A replica's: the URL of the replica it follows (named when a write is refused). */
  readonly source?: string
  /** A replica's: headers every response carries (the cut of `store`, the request's store, when given). */
  responseHeaders?(store?: Store): Record<string, string>
  /** A replica's: what it serves and how its following goes (/stats, /healthz, /metrics). */
  status?(): ReplicaStatus
  /** Closes the store(s) once every lease is released; acquire() is not called after it. */
  close(): Promise<void>
}

/** A store and the leases on it. */
export class LeasedStore {
  private leases = 0
  private closing?: () => void

  constructor(readonly store: Store) {}

  lease(): StoreLease {
    this.leases++
    let released = false
    return {
      store: this.store,
      release: () => {
        if (released) return
        released = true
        if (--this.leases === 0) this.closing?.()
      },
    }
  }

  /** Closes the store once no lease is held. */
  async retire(): Promise<void> {
    if (this.leases > 0) await new Promise<void>((resolve) => (this.closing = resolve))
    await this.store.close()
  }
}

/** A handle over one store opened for the server's lifetime (the writer). */
export class FixedStoreHandle implements StoreHandle {
  readonly role: ServerRole
  private readonly leased: LeasedStore

  constructor(store: Store) {
    this.leased = new LeasedStore(store)
    this.role = store.readOnly ? 'read-only' : 'primary'
  }

  get readOnly(): boolean {
    return this.leased.store.readOnly
  }

  acquire(): StoreLease {
    return this.leased.lease()
  }

  close(): Promise<void> {
    return this.leased.retire()
  }
}
