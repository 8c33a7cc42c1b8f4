/**
 * A budget of open file descriptors per store (LevelDB's table cache and
 * max_open_files): table readers and WAL writers open their file through
 * it, and when the budget is reached the least recently used holder is asked
 * to park (close its descriptor, to reopen it by path on next use).
 *
 * Parking is only an optimisation of descriptors, never of lifetime: a
 * holder decides whether it can park (a table whose file may be deleted while
 * it is parked, or a WAL with bytes it cannot make durable, refuses), and a
 * parked holder's file must still exist when it reopens. Table references
 * (see TableReader.ref) are what keep a file from being deleted.
 *
 * If the process limit is lower than the budget, an open that fails with
 * EMFILE or ENFILE parks the least recently used holder, lowers the budget
 * to what was open, and tries again.
 */

/** Something that holds one descriptor opened through an OpenFiles. */
export interface FileHolder {
  /**
   * Closes the descriptor, to be reopened on next use. Returns false (and
   * keeps it) if it cannot be closed now. Must not call back into OpenFiles.
   */
  park(): boolean
}

/** The budget when none is given: well below the common `ulimit -n` of 1024. */
export const DEFAULT_MAX_OPEN_FILES = 500
/** Descriptors kept free for what is opened outside the budget (WAL reads, new tables, manifests, stdio). */
const HEADROOM = 32
/** The budget never goes below this, whatever the process limit says. */
export const MIN_MAX_OPEN_FILES = 8

export class OpenFiles {
  /** Holders with an open descriptor, least recently used first (a Set keeps insertion order). */
  private readonly lru = new Set<FileHolder>()
  private limit: number
  /** Where the process limit comes from, until it is first needed. */
  private processLimit: (() => number | undefined) | undefined

  /**
   * @param budget most descriptors held at once; `processLimit` (the soft
   * RLIMIT_NOFILE, if known) lowers it to leave room for other files. Given
   * as a function, it is asked only once MIN_MAX_OPEN_FILES descriptors are
   * held: below that the budget can never bind, so a store that opens a few
   * files (a reopen and its first get, a CLI command) never reads it.
   */
  constructor(budget: number, processLimit?: number | (() => number | undefined)) {
    this.limit = budget
    if (typeof processLimit === 'function') this.processLimit = processLimit
    else this.applyProcessLimit(processLimit)
  }

  /** The budget in force (it shrinks if the process runs out of descriptors). */
  get budget(): number {
    this.resolveProcessLimit()
    return this.limit
  }

  private applyProcessLimit(processLimit: number | undefined): void {
    if (processLimit !== undefined && processLimit - HEADROOM < this.limit) this.limit = Math.min(this.limit, Math.max(MIN_MAX_OPEN_FILES, Math.floor(processLimit / 2)))
  }

  private resolveProcessLimit(): void {
    const read = this.processLimit
    if (read === undefined) return
    this.processLimit = undefined
    this.applyProcessLimit(read())
  }

  /** Descriptors held now. */
  get count(): number {
    return this.lru.size
  }

  /**
   * Opens a descriptor for `holder` with `openFile`, parking the least
   * recently used holders first if the budget is reached.
   * REQUIRES: `holder` holds no descriptor now; it calls `closed` when it lets go.
   */
  open<T>(holder: FileHolder, openFile: () => T): T {
    if (this.lru.size >= MIN_MAX_OPEN_FILES) this.resolveProcessLimit()
    while (this.lru.size >= this.limit && this.parkOldest()) {
      // parked one
    }
    for (;;) {
      try {
        const file = openFile()
        this.lru.add(holder)
        return file
      } catch (err) {
        const code = (err as NodeJS.ErrnoException)?.code
        if ((code !== 'EMFILE' && code !== 'ENFILE') || !this.parkOldest()) throw err
        this.limit = Math.max(MIN_MAX_OPEN_FILES, this.lru.size)
      }
    }
  }

  /** `holder` used its descriptor: it becomes the most recently used. */
  touch(holder: FileHolder): void {
    if (this.lru.delete(holder)) this.lru.add(holder)
  }

  /** `holder` closed its descriptor (parked or for good). Idempotent. */
  closed(holder: FileHolder): void {
    this.lru.delete(holder)
  }

  /** Parks the least recently used holder that agrees; false if none does. */
  private parkOldest(): boolean {
    for (const h of this.lru) {
      if (h.park()) {
        this.lru.delete(h)
        return true
      }
    }
    return false
  }
}
