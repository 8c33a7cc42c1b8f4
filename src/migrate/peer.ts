/**
 * A migrate-schema run on two threads: the writer's thread and a worker
 * (peer-worker.ts) each take the next free shard from a shared queue
 * (shard-steps.ts) and run its pass, so the shards are spread by how long
 * each takes, not fixed in advance; then each proves a share of the
 * switched shards. The writer's thread keeps the lock, every journal write
 * and every manifest switch: the worker sends a shard's journal entry after
 * each durable chunk, and this side records it (`take`), and switches the
 * shard once its pass is done.
 *
 * Only on the node filesystem (a worker cannot share another FileSystem
 * object, such as the fault-injecting one) and with two or more shards;
 * otherwise the whole run is on one thread. Loaded only by a run that uses
 * it (run.ts imports this file lazily).
 */
import {Worker} from 'node:worker_threads'
import {WorkerLink} from '../util/thread-wire.js'
import type {MigrationJournal} from './journal.js'
import type {ShardProof} from './proof.js'
import type {ShardQueue} from './shard-steps.js'
import type {FromMigrateWorker, MigrateWorkerData, ToMigrateWorker} from './peer-wire.js'

/** What the writer's side does with the worker's news, each once it is recorded in the journal (in memory). */
export interface PeerNews {
  /** A chunk of `shard` is durable; it examined `examined` covered records. */
  chunk(shard: number, examined: number): void
  /** `shard`'s pass is over. */
  done(shard: number): void
}

export class MigratePeer {
  private passed = false

  private constructor(private readonly link: WorkerLink<ToMigrateWorker, FromMigrateWorker>) {}

  /** Starts the worker: it loads what it needs, then waits for `begin`. */
  static start(dir: string, schema: string, toVersion: number | undefined, chunkRecords: number, queue: ShardQueue): MigratePeer {
    const data: MigrateWorkerData = {dir, schema, toVersion, chunkRecords, queue: queue.memory}
    const worker = new Worker(new URL('./peer-worker.js', import.meta.url), {workerData: data})
    return new MigratePeer(new WorkerLink(worker, "migrate-schema's other thread", 'migrate-schema thread'))
  }

  /** Has the worker take shards for `journal`, as it is when the passes begin. */
  begin(journal: MigrationJournal): void {
    this.link.send({type: 'begin', journal})
  }

  /**
   * Records in `journal` everything the worker has sent so far (without
   * waiting), telling `news` of each; throws the worker's failure.
   */
  takeArrived(journal: MigrationJournal, news: PeerNews): void {
    for (let msg = this.link.inbox.poll(); msg !== undefined; msg = this.link.inbox.poll()) this.record(msg, journal, news)
  }

  /** As `takeArrived`, then waits for the rest until the worker has no shard left. */
  async takeAll(journal: MigrationJournal, news: PeerNews): Promise<void> {
    while (!this.passed) this.record(await this.link.inbox.take(), journal, news)
  }

  /** The worker's share of the proof (after `takeAll`, every shard switched). */
  async prove(skipped: ReadonlySet<string>): Promise<ShardProof[]> {
    this.link.send({type: 'prove', skipped: [...skipped]})
    return (await this.link.expect('proved')).proofs
  }

  /** Stops the worker wherever it is (a chunk it was building is not journaled: a resume removes its tables). */
  async close(): Promise<void> {
    await this.link.close()
  }

  private record(msg: Exclude<FromMigrateWorker, {type: 'failed'}>, journal: MigrationJournal, news: PeerNews): void {
    if (msg.type === 'passed') {
      this.passed = true
      return
    }
    if (msg.type !== 'chunk' && msg.type !== 'done') throw this.link.unexpected(msg)
    journal.shards[msg.shard] = msg.entry
    if (msg.type === 'done') return news.done(msg.shard)
    journal.examined += msg.examined
    news.chunk(msg.shard, msg.examined)
  }
}
