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
import {Inbox, reviveError} from '../util/thread-wire.js'
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
  private readonly inbox = new Inbox<FromMigrateWorker>()
  private closed = false
  private passed = false

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: FromMigrateWorker) => (msg.type === 'failed' ? this.inbox.fail(reviveError(msg.error, 'migrate-schema thread')) : this.inbox.push(msg)))
    worker.on('error', (err) => this.inbox.fail(err))
    worker.on('exit', (code) => this.inbox.fail(new Error(`migrate-schema's other thread exited (code ${code}) before it was done`)))
  }

  /** Starts the worker: it loads what it needs, then waits for `begin`. */
  static start(dir: string, schema: string, toVersion: number | undefined, chunkRecords: number, queue: ShardQueue): MigratePeer {
    const data: MigrateWorkerData = {dir, schema, toVersion, chunkRecords, queue: queue.memory}
    return new MigratePeer(new Worker(new URL('./peer-worker.js', import.meta.url), {workerData: data}))
  }

  /** Has the worker take shards for `journal`, as it is when the passes begin. */
  begin(journal: MigrationJournal): void {
    this.send({type: 'begin', journal})
  }

  /**
   * Records in `journal` everything the worker has sent so far (without
   * waiting), telling `news` of each; throws the worker's failure.
   */
  takeArrived(journal: MigrationJournal, news: PeerNews): void {
    for (let msg = this.inbox.poll(); msg !== undefined; msg = this.inbox.poll()) this.record(msg, journal, news)
  }

  /** As `takeArrived`, then waits for the rest until the worker has no shard left. */
  async takeAll(journal: MigrationJournal, news: PeerNews): Promise<void> {
    while (!this.passed) this.record(await this.inbox.take(), journal, news)
  }

  /** The worker's share of the proof (after `takeAll`, every shard switched). */
  async prove(skipped: ReadonlySet<string>): Promise<ShardProof[]> {
    this.send({type: 'prove', skipped: [...skipped]})
    const msg = await this.inbox.take()
    if (msg.type !== 'proved') throw this.unexpected(msg)
    return msg.proofs
  }

  /** Stops the worker wherever it is (a chunk it was building is not journaled: a resume removes its tables). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.worker.removeAllListeners('exit')
    await this.worker.terminate()
  }

  private record(msg: FromMigrateWorker, journal: MigrationJournal, news: PeerNews): void {
    if (msg.type === 'passed') {
      this.passed = true
      return
    }
    if (msg.type !== 'chunk' && msg.type !== 'done') throw this.unexpected(msg)
    journal.shards[msg.shard] = msg.entry
    if (msg.type === 'done') return news.done(msg.shard)
    journal.examined += msg.examined
    news.chunk(msg.shard, msg.examined)
  }

  private send(msg: ToMigrateWorker): void {
    this.worker.postMessage(msg)
  }

  private unexpected(msg: FromMigrateWorker): Error {
    return new Error(`migrate-schema's other thread sent ${msg.type} out of turn`)
  }
}
