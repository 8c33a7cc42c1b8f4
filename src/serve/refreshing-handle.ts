/**
 * The handle of a read-only server: a store opened without the lock reads
 * the files as they were when it opened them, while another process keeps
 * writing. So the handle opens a fresh read-only view at most every
 * `intervalMs` (when a request arrives after that), swaps it in once it is
 * open, and retires the old one when its last request ends. Reads are at
 * most about `intervalMs` behind the writer; each request sees one view.
 */
import type {Store} from '../api.js'
import {LeasedStore, type ServerRole, type StoreHandle, type StoreLease} from './store-handle.js'

/** A read-only handle that follows the store's writer. */
export class RefreshingStoreHandle implements StoreHandle {
  readonly readOnly = true
  readonly role: ServerRole = 'read-only'
  private current: LeasedStore
  private openedAt: number
  private refreshing?: Promise<void>
  private closed = false

  constructor(first: Store, private readonly reopen: () => Promise<Store>, private readonly intervalMs: number) {
    this.current = new LeasedStore(first)
    this.openedAt = Date.now()
  }

  acquire(): StoreLease {
    if (!this.closed && this.refreshing === undefined && Date.now() - this.openedAt >= this.intervalMs) {
      this.refreshing = this.refresh().finally(() => (this.refreshing = undefined))
    }
    return this.current.lease()
  }

  /** Opens the next view and swaps it in; a failed open keeps the current one (tried again later). */
  private async refresh(): Promise<void> {
    this.openedAt = Date.now()
    let next: Store
    try {
      next = await this.reopen()
    } catch {
      return
    }
    if (this.closed) return void (await next.close())
    const old = this.current
    this.current = new LeasedStore(next)
    await old.retire()
  }

  async close(): Promise<void> {
    this.closed = true
    await this.refreshing
    await this.current.retire()
  }
}
