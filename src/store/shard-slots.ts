/**
 * The shards of an open store, each opened on first use (a `get` touches
 * one shard only), and the two ways a read-only store recovers when files
 * vanish under it: a shard view whose table another process's compaction
 * deleted is opened afresh (`read`), and a store whose STORE a
 * shard-rebalance switched to another generation follows it (`following`,
 * see generation-follow.ts).
 */
import {isNotFound} from '../errors.js'
import type {Entry} from '../record/format.js'
import type {KeyHash} from '../util/hash.js'
import type {FileSystem} from '../vfs/fs.js'
import type {OpenFiles} from '../vfs/open-files.js'
import type {BlockCache} from '../sstable/block-cache.js'
import type {StoreDescriptor} from './descriptor.js'
import type {CompactionPolicy} from './compaction.js'
import {Shard, type ViewAt} from './shard.js'
import type {ShardSnapshot} from './shard-snapshot.js'
import {shardContext} from './shard-context.js'
import {movedGeneration} from './generation-follow.js'
import type {BackgroundSettings} from './shard-background.js'

/** Fresh views a read-only read tries when tables vanish under it (a writer in another process compacting). */
const VIEW_RETRIES = 5

/** What opening a shard needs besides its index. */
export interface SlotSettings {
  readonly now: () => number
  readonly policy: CompactionPolicy
  readonly cache: BlockCache
  readonly files: OpenFiles
  /** A writer's shards run their flushes and compactions in the background with these (shard-background.ts). */
  readonly background?: BackgroundSettings
}

export class ShardSlots {
  private slots: (Shard | undefined)[]

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    /** STORE's descriptor, or the new generation's once this followed a rebalance. */
    public desc: StoreDescriptor,
    private readonly readOnly: boolean,
    private readonly settings: SlotSettings,
    /** A view at fixed states (a cut): shard i is read at viewAt[i], not at its CURRENT. */
    private readonly viewAt?: readonly ViewAt[],
    /** Never follow STORE to another generation: this reads exactly `desc`'s. */
    private readonly pinned = false,
  ) {
    this.slots = new Array(desc.shardCount).fill(undefined)
  }

  get count(): number {
    return this.desc.shardCount
  }

  /** Shard `i`, opened now if it is not yet. */
  get(i: number): Shard {
    let s = this.slots[i]
    if (s === undefined) {
      const {now, policy, cache, files} = this.settings
      const ctx = shardContext(this.fs, this.dir, i, this.desc, now, policy, cache, files)
      s = this.readOnly ? Shard.openView(ctx, this.viewAt?.[i]) : Shard.openWriter(ctx)
      if (!this.readOnly && this.settings.background !== undefined) s.enableBackground(this.settings.background)
      this.slots[i] = s
    }
    return s
  }

  /** Shard `i` if it is open. */
  opened(i: number): Shard | undefined {
    return this.slots[i]
  }

  /**
   * Runs `work` with no background job in flight or starting in any opened
   * shard (an inline flush or compaction plans against the live tables and
   * the memtable, which must stand still); jobs start again after it.
   */
  async quiet<T>(work: () => T): Promise<T> {
    const settled = []
    try {
      for (const s of this.slots) {
        if (s === undefined) continue
        settled.push(s)
        await s.settle()
      }
      return work()
    } finally {
      for (const s of settled) s.resume()
    }
  }

  /** Waits for every opened shard's background job and starts none again (closing); returns the first failure, if any. */
  async settleAll(): Promise<unknown> {
    let first: unknown
    for (const s of this.slots) {
      try {
        await s?.settle()
      } catch (err) {
        first ??= err
      }
    }
    return first
  }

  /** Every slot, open or not, in shard order. */
  all(): readonly (Shard | undefined)[] {
    return this.slots
  }

  /** Flushes and compactions run by the opened shards since they were opened. */
  activity(): {flushes: number; compactions: number} {
    let flushes = 0
    let compactions = 0
    for (const s of this.slots) {
      flushes += s?.activity.flushes ?? 0
      compactions += s?.activity.compactions ?? 0
    }
    return {flushes, compactions}
  }

  /** `read(shard i)`, read again from a fresh view if a read-only view's table vanished, a few times. */
  read<T>(i: number, read: (s: Shard) => T): T {
    let err: unknown
    try {
      return read(this.get(i))
    } catch (e) {
      err = e
    }
    for (let attempt = 0; ; attempt++) {
      if (!this.readOnly || !isNotFound(err) || attempt >= VIEW_RETRIES) throw err
      this.drop(i)
      try {
        return read(this.get(i))
      } catch (e) {
        err = e
      }
    }
  }

  /**
   * `read(i, (s) => s.getEntry(key, h))` without a closure on the first try:
   * the point-read path. Only what `read` would read again (a read-only
   * view's vanished table) goes through it; any other failure, an I/O error
   * above all, is the caller's, never masked by a second attempt.
   */
  entry(i: number, key: Buffer, h: KeyHash): Entry | undefined {
    const s = this.slots[i]
    if (s !== undefined) {
      try {
        return s.getEntry(key, h)
      } catch (err) {
        if (!this.readOnly || !isNotFound(err)) throw err
      }
    }
    return this.read(i, (x) => x.getEntry(key, h))
  }

  /** A snapshot of every shard, all released if one fails. */
  snapshots(): ShardSnapshot[] {
    const out: ShardSnapshot[] = []
    try {
      for (let i = 0; i < this.count; i++) out.push(this.read(i, (s) => s.snapshot()))
    } catch (err) {
      for (const s of out) s.release()
      throw err
    }
    return out
  }

  /**
   * After a read failed: when this is a read-only store of the live
   * generation and STORE has moved to another generation, switches to it
   * and returns true (the caller reads again); else false.
   */
  follow(): boolean {
    const next = this.readOnly && this.viewAt === undefined && !this.pinned ? movedGeneration(this.fs, this.dir, this.desc) : undefined
    if (next === undefined) return false
    for (let i = 0; i < this.slots.length; i++) this.drop(i)
    this.desc = next
    this.slots = new Array(next.shardCount).fill(undefined)
    return true
  }

  /** `read()`, run once more on the new generation if it fails because a rebalance switched generations. */
  following<T>(read: () => T): T {
    try {
      return read()
    } catch (err) {
      if (this.follow()) return read()
      throw err
    }
  }

  /** Closes a read-only view of shard `i` and forgets it. */
  private drop(i: number): void {
    const stale = this.slots[i]
    this.slots[i] = undefined
    try {
      stale?.close()
    } catch {
      // A view holds read descriptors only.
    }
  }
}
