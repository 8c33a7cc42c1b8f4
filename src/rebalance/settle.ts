/**
 * What a writer does about a rebalance it finds when it opens a store: an
 * uncommitted one holds the store (BUSY, naming it and how to finish or
 * throw it away); a committed one only lacks its cleanup, which the writer
 * finishes, the way it cleans the pins of dead holders of cuts; without a
 * journal, folders of other generations are leftovers it removes.
 * REQUIRES: the writer lock is held.
 */
import type {FileSystem} from '../vfs/fs.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import {isCommitted, readJournal, removeJournal, unfinishedRebalance} from './journal.js'
import {removeOtherGenerations} from './generations.js'

/** Throws BUSY for an uncommitted rebalance of `dir`; finishes the cleanup of a committed one. */
export function settleRebalance(fs: FileSystem, dir: string, desc: StoreDescriptor): void {
  const j = readJournal(fs, dir)
  // Without a journal, folders of another generation are leftovers (an abort killed after its journal went): remove them.
  if (j === undefined) {
    removeOtherGenerations(fs, dir, desc.shardGeneration)
    return
  }
  if (!isCommitted(j, desc)) throw unfinishedRebalance(dir, j)
  finishCleanup(fs, dir, desc)
}

/** The cleanup phase of a committed rebalance: the old generation's folders, then the journal. */
export function finishCleanup(fs: FileSystem, dir: string, desc: StoreDescriptor): number {
  const removed = removeOtherGenerations(fs, dir, desc.shardGeneration)
  removeJournal(fs, dir)
  return removed
}
