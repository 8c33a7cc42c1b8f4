/**
 * The steps of one shard's migration, shared by the writer's thread and the
 * second thread of a run (peer.ts): begin the shard's pass, run a chunk of
 * it, and (the writer's thread only) switch the shard to its built tables.
 * Shards are handed out one at a time from a counter both threads share, so
 * whichever thread is idle takes the next shard.
 *
 * Which thread runs a shard changes nothing on disk: its pass builds the
 * same tables in the same folder (staging.ts) and its journal entry records
 * the same progress; only the writer's thread writes the journal and
 * switches shards.
 */
import type {StoreImpl} from '../store/store.js'
import type {FileSystem} from '../vfs/fs.js'
import type {RecordHasher} from '../digest/format.js'
import {migrationTablesPath} from '../layout/names.js'
import {runChunk} from './pass.js'
import {freshShard, writeJournal, type MigrationJournal} from './journal.js'
import {prepareStaging, removeStaged, stagedTablePath} from './staging.js'
import type {Converter, KeySelection} from './select.js'

/** What a thread needs to run chunks of any shard. */
export interface PassContext {
  readonly store: StoreImpl
  readonly fs: FileSystem
  readonly dir: string
  readonly converter: Converter
  readonly keys: KeySelection
  readonly chunkRecords: number
  readonly hasher: RecordHasher
}

/** The next shard to run, from a counter shared by the threads of a run; -1 when none is left. */
export class ShardQueue {
  private readonly counter: Int32Array

  constructor(
    readonly shardCount: number,
    /** Shared with the other thread (one Int32 per round: the pass, the proof). */
    readonly memory: SharedArrayBuffer = new SharedArrayBuffer(8),
  ) {
    this.counter = new Int32Array(memory)
  }

  /** A shard not taken before in round `round` (0: the pass, 1: the proof), or -1. */
  next(round: 0 | 1): number {
    const i = Atomics.add(this.counter, round, 1)
    return i < this.shardCount ? i : -1
  }
}

/**
 * Begins (or continues) shard `i`'s pass: false if the shard is already
 * switched. A shard not begun, or changed since its pass began, starts
 * again from its first key; its folder of built tables keeps only the
 * tables the journal lists (the rest are leftovers of a killed chunk).
 */
export function beginShard(c: PassContext, journal: MigrationJournal, i: number): boolean {
  if (journal.shards[i].installed) return false
  const state = c.store.shardRewriteState(i)
  if (journal.shards[i].base !== state.lastSeq) {
    removeStaged(c.fs, c.dir, i)
    journal.shards[i] = {...freshShard(), base: state.lastSeq, seq: state.lastSeq, level: state.level}
  }
  prepareStaging(c.fs, c.dir, i, journal.shards[i].tables)
  return true
}

/** Runs shard `i`'s next chunk (pass.ts): its tables are durable, its journal entry updated in memory. Returns the covered records examined. */
export function shardChunk(c: PassContext, journal: MigrationJournal, i: number): number {
  const staging = {...c.store.shardRewriteState(i).ctx, dir: migrationTablesPath(c.dir, i)}
  return runChunk(c.store, i, journal, c.converter, c.keys, c.chunkRecords, c.hasher, {fs: c.fs, staging})
}

/**
 * The shard's commit point, once its pass is done: its built tables replace
 * it in one manifest switch (a pass that converted nothing built the shard's
 * own records again: no switch needed), then the journal records it.
 * Writer's thread only.
 */
export function switchShard(store: StoreImpl, fs: FileSystem, dir: string, journal: MigrationJournal, i: number): void {
  const shard = journal.shards[i]
  if (shard.migrated > 0) store.replaceShard(i, shard.tables.map((n) => stagedTablePath(dir, i, n)), shard.seq)
  shard.installed = true
  writeJournal(fs, dir, journal)
  removeStaged(fs, dir, i)
}
