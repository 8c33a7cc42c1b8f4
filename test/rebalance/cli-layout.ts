/**
 * The names in a data directory that the rebalance tests look for (shard
 * folders of a generation, the journal), built only by src/layout/names.ts,
 * so the tests follow the layout wherever it goes.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {REBALANCE_FILE, STORE_FILE, shardDirName} from '../../src/layout/names.js'

/** The folder of shard `i` in generation `generation`. */
export function shardFolder(i: number, generation: number): string {
  return shardDirName(i, generation)
}

/** Whether `name` is the folder of one of the `shards` shards of `generation` (of shard `only`, if given). */
export function isLiveShardDir(name: string, shards: number, generation: number, only?: number): boolean {
  for (let i = 0; i < shards; i++) if ((only === undefined || only === i) && name === shardFolder(i, generation)) return true
  return false
}

/** The names a finished store of `shards` shards in `generation` holds: STORE and its shard folders (LOCK aside). */
export function finishedEntries(shards: number, generation: number): string[] {
  return [STORE_FILE, ...Array.from({length: shards}, (_, i) => shardFolder(i, generation))].sort()
}

/** Whether the journal of an unfinished rebalance is in `dir`. */
export function hasJournal(dir: string): boolean {
  return fs.existsSync(path.join(dir, REBALANCE_FILE))
}
