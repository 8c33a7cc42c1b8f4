/**
 * What crosses between the two threads of a migrate-schema run (peer.ts on
 * the writer's thread, peer-worker.ts on the other). Keys cross as hex, as
 * the journal holds them; a shard's journal entry crosses as it is (plain
 * JSON); errors as util/thread-wire.ts packs them.
 */
import type {PackedError} from '../util/thread-wire.js'
import type {MigrationJournal, ShardProgress} from './journal.js'
import type {ShardProof} from './proof.js'

/** What the worker is started with (the run as asked: it resolves the target itself, from the same registry). */
export interface MigrateWorkerData {
  readonly dir: string
  readonly schema: string
  readonly toVersion?: number
  readonly chunkRecords: number
  /** The shard counters both threads take shards from (shard-steps.ts). */
  readonly queue: SharedArrayBuffer
}

export type ToMigrateWorker =
  /**
   * Take shards for `journal`, as the passes begin: the entry of every shard
   * the worker takes is its own from then on; the selection is the journal's.
   */
  | {type: 'begin'; journal: MigrationJournal}
  /** Every shard is switched: prove a share of them, reading the store again (`skipped`: keys, hex). */
  | {type: 'prove'; skipped: string[]}

export type FromMigrateWorker =
  /** A chunk of `shard` is durable: its journal entry now, and the covered records it examined. */
  | {type: 'chunk'; shard: number; entry: ShardProgress; examined: number}
  /** `shard`'s pass is over (every chunk of it was sent before): its journal entry, ready for the switch. */
  | {type: 'done'; shard: number; entry: ShardProgress}
  /** No shard is left to take: every chunk it ran was sent. */
  | {type: 'passed'}
  | {type: 'proved'; proofs: ShardProof[]}
  | {type: 'failed'; error: PackedError}
