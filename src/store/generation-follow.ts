/**
 * Following STORE to a new shard generation. A shard-rebalance commits by
 * replacing STORE (new shard count, next generation) and then deletes the
 * old generation's folders. A read-only store of the live generation that
 * read STORE before the switch may find a shard folder gone when it opens
 * that shard later: it reads STORE again and, if the generation moved,
 * starts over on the new one. What it had already read of the old one stays
 * readable through the descriptors it holds.
 *
 * A read that has not yet returned anything (a get, an explain, the first
 * step of a scan, stats) simply runs again on the new generation; a read
 * that went shard by shard and already consumed some (the digest) is told
 * with GenerationMoved, so that it starts over whole: it never sums a mix.
 */
import type {FileSystem} from '../vfs/fs.js'
import {readDescriptor, type StoreDescriptor} from './descriptor.js'

/** Thrown to a shard-by-shard reader whose store moved to another shard generation midway. */
export class GenerationMoved extends Error {
  constructor(readonly generation: number) {
    super(`the store moved to shard generation ${generation} while it was being read`)
    this.name = 'GenerationMoved'
  }
}

/** STORE now, when it names another generation than `desc`; undefined otherwise (or when it cannot be read). */
export function movedGeneration(fs: FileSystem, dir: string, desc: StoreDescriptor): StoreDescriptor | undefined {
  try {
    const now = readDescriptor(fs, dir)
    return now.shardGeneration !== desc.shardGeneration ? now : undefined
  } catch {
    return undefined
  }
}
