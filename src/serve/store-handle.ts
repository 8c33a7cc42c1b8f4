/**
 * How request handlers reach the store: through one small handle, never a
 * Store kept in a variable. A handler calls `current()` once per request and
 * uses that store to the end of the request, so whoever owns the handle can
 * swap in another store (a newer view of the data) atomically between
 * requests: a request sees one store, never a mix.
 */
import type {Store} from '../api.js'

/** What the server is to the data: the writer, or a server that only reads. */
export type ServerRole = 'primary' | 'read-only'

/** The store a request uses, and whether writes are accepted. */
export interface StoreHandle {
  /** The store to use for one whole request. */
  current(): Store
  /** When true, write endpoints answer 405 naming `role`. */
  readonly readOnly: boolean
  readonly role: ServerRole
  /** Closes the store(s); after it `current()` is not called again. */
  close(): Promise<void>
}

/** A handle over one store opened for the server's lifetime. */
export class FixedStoreHandle implements StoreHandle {
  readonly role: ServerRole

  constructor(private readonly store: Store) {
    this.role = store.readOnly ? 'read-only' : 'primary'
  }

  get readOnly(): boolean {
    return this.store.readOnly
  }

  current(): Store {
    return this.store
  }

  close(): Promise<void> {
    return this.store.close()
  }
}
