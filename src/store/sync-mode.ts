/**
 * Sync modes: when the WALs a write touched are made durable ('always' before
 * the write resolves, 'batch' by group commit, every N operations, or every
 * N milliseconds).
 *
 * Group commit ('batch'): the writes applied while a group's syncs run form
 * the next group. A group starts on a turn of the event loop once fewer
 * than GROUPS_IN_FLIGHT groups are syncing, takes the shards dirtied so far
 * and syncs their WALs off the event loop, all of them at once; each write
 * of the group resolves when they are all durable.
 * So a write is acknowledged only after a sync that began after its WAL
 * bytes were appended, and the event loop keeps serving while disks sync.
 */
import {invalidArgument} from '../errors.js'
import type {SyncMode} from '../api.js'
import type {Shard} from './shard.js'

/**
 * Group commits whose syncs may run at once. Two: while one group's
 * fdatasyncs wait on the disk, the next one's can start as soon as its
 * writes are appended, instead of the event loop idling until the first
 * returns. Each sync still covers only what was appended before it began.
 */
const GROUPS_IN_FLIGHT = 2

/** Throws INVALID_ARGUMENT unless `mode` is a sync mode. */
export function checkSyncMode(mode: SyncMode): void {
  if (mode === 'always' || mode === 'batch' || mode === 'none') return
  if (typeof mode === 'object' && mode !== null) {
    const n = 'everyOps' in mode ? mode.everyOps : 'everyMs' in mode ? mode.everyMs : NaN
    if (Number.isInteger(n) && n > 0) return
  }
  throw invalidArgument(`unknown sync mode ${JSON.stringify(mode)}`)
}

/** What the syncer needs from its store. */
export interface SyncOwner {
  /** Records a fatal write-path failure (fail-stop) and returns the error to throw. */
  fail(err: unknown): unknown
  /** Whether a timed sync may still run (the store is open and has not failed). */
  usable(): boolean
}

/** The shards written since their last sync, and when to sync them. */
export class WalSyncer {
  private readonly dirty = new Set<Shard>()
  /** The group being gathered ('batch'): it starts once fewer than GROUPS_IN_FLIGHT groups sync. */
  private gathering: Promise<void> | undefined
  /** The last GROUPS_IN_FLIGHT groups created, oldest first (settled or not). */
  private groups: Array<Promise<void>> = []
  private opsSinceSync = 0
  private syncTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly mode: SyncMode,
    private readonly owner: SyncOwner,
  ) {}

  /** Notes that a write was applied to `shard`. */
  markDirty(shard: Shard): void {
    this.dirty.add(shard)
  }

  /** Counts `ops` applied operations (the everyOps mode). */
  countOps(ops: number): void {
    this.opsSinceSync += ops
  }

  /** Forgets the dirty shards (the caller synced every shard). */
  clear(): void {
    this.dirty.clear()
  }

  /** Stops the timer of the everyMs mode. */
  stop(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer)
  }

  private syncDirty(): void {
    for (const s of this.dirty) s.sync()
    this.dirty.clear()
    this.opsSinceSync = 0
  }

  /** Settles when the group commit in flight, if any, has (its failure is the writers'). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.groups)
  }

  /** The next group commit: waits until fewer than GROUPS_IN_FLIGHT groups sync and for a turn of the event loop, then syncs the dirty shards together. */
  private nextGroup(): Promise<void> {
    const waitFor = this.groups.length >= GROUPS_IN_FLIGHT ? this.groups[this.groups.length - GROUPS_IN_FLIGHT] : undefined
    const group = (async () => {
      await waitFor?.catch(() => undefined)
      await new Promise<void>((resolve) => setImmediate(resolve))
      // From here on, writes join the next group.
      this.gathering = undefined
      const shards = [...this.dirty]
      this.dirty.clear()
      this.opsSinceSync = 0
      const results = await Promise.allSettled(shards.map((s) => s.syncAsync()))
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed !== undefined) throw this.owner.fail(failed.reason)
    })()
    this.groups.push(group)
    if (this.groups.length > GROUPS_IN_FLIGHT) this.groups.shift()
    return group
  }

  /** Syncs as the mode asks, after a write. */
  async afterWrite(): Promise<void> {
    const mode = this.mode
    try {
      if (mode === 'always') {
        this.syncDirty()
        // Return to the event loop: a loop of awaited writes must not starve
        // the process's other I/O (its stdout, a server's sockets).
        await new Promise<void>((resolve) => setImmediate(resolve))
      } else if (mode === 'batch') {
        await (this.gathering ??= this.nextGroup())
      } else if (typeof mode === 'object' && 'everyOps' in mode) {
        if (this.opsSinceSync >= mode.everyOps) this.syncDirty()
      } else if (typeof mode === 'object' && 'everyMs' in mode) {
        this.syncTimer ??= setTimeout(() => {
          this.syncTimer = undefined
          try {
            if (this.owner.usable()) this.syncDirty()
          } catch (err) {
            this.owner.fail(err)
          }
        }, mode.everyMs).unref()
      }
    } catch (err) {
      throw this.owner.fail(err)
    }
  }
}
