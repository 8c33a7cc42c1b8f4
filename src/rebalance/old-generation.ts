/**
 * The shards of the generation a rebalance reads: opened as the writer (a
 * real run, under the writer lock: recovery, then a flush of each memtable
 * so that the folder is all tables) or as read-only views (a dry run).
 */
import type {FileSystem} from '../vfs/fs.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import {Shard} from '../store/shard.js'
import {shardContext, storeSettings} from '../store/shard-context.js'
import type {KeptShard} from './build-target.js'
import type {ShardSource} from './plan.js'

export class OldGeneration {
  private constructor(
    private readonly shards: Shard[],
    private readonly dirs: string[],
  ) {}

  /** Opens every shard of `desc` in `dir` as a read-only view. */
  static view(fs: FileSystem, dir: string, desc: StoreDescriptor): OldGeneration {
    return OldGeneration.open(fs, dir, desc, (ctx) => Shard.openView(ctx))
  }

  /** Opens every shard of `desc` in `dir` as its writer. REQUIRES: the writer lock is held. */
  static writer(fs: FileSystem, dir: string, desc: StoreDescriptor): OldGeneration {
    return OldGeneration.open(fs, dir, desc, (ctx) => Shard.openWriter(ctx))
  }

  private static open(fs: FileSystem, dir: string, desc: StoreDescriptor, opener: (ctx: ReturnType<typeof shardContext>) => Shard): OldGeneration {
    const settings = storeSettings({})
    const shards: Shard[] = []
    const dirs: string[] = []
    try {
      for (let i = 0; i < desc.shardCount; i++) {
        const ctx = shardContext(fs, dir, i, desc, settings.now, settings.policy, settings.cache, settings.files)
        shards.push(opener(ctx))
        dirs.push(ctx.dir)
      }
    } catch (err) {
      for (const s of shards) s.close()
      throw err
    }
    return new OldGeneration(shards, dirs)
  }

  /** Makes every shard all tables: its memtable flushed (the writer's normal flush; no-op when empty). */
  flush(): void {
    for (const s of this.shards) s.flush()
  }

  /** Each shard as the read pass reads it: its newest records, or its tables when it is all tables (plan.ts). */
  sources(): ShardSource[] {
    return this.shards.map((s) => ({entries: () => s.entries(), tables: () => s.tableChains()}))
  }

  /** The file numbers of each shard's live tables, now. */
  tableNumbers(): number[][] {
    return this.shards.map((s) => s.cutState().manifest.tables.map((m) => m.fileNumber))
  }

  /** Old shard `i` as a kept target starts from. REQUIRES: flushed. */
  kept(i: number): KeptShard {
    const state = this.shards[i].cutState()
    return {dir: this.dirs[i], manifest: state.manifest, lastSeq: state.lastSeq}
  }

  close(): void {
    let first: unknown
    for (const s of this.shards) {
      try {
        s.close()
      } catch (err) {
        first ??= err
      }
    }
    if (first !== undefined) throw first
  }
}
