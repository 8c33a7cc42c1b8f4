/**
 * A real rebalance on two threads. The writer's thread and a worker
 * (peer-worker.ts) split the work by parity, in every phase:
 *
 *  - read: the worker reads the odd old shards through read-only views, this
 *    thread the even ones through the writer's shards; each sends the other
 *    its parts of the plan (counts and sums) with the moved records bound for
 *    the other's targets, so both combine the same plan (`combinePlan`), each
 *    holding the records of its own targets;
 *  - copy: each builds the targets of its parity (`buildTarget`), the worker
 *    after this thread has flushed and journalled, and each reports a target
 *    only once it is durable. A kept target t is read as old shard t, by the
 *    same thread, so the keys leaving it (its tombstones) never cross. Each
 *    reads a target back as soon as it has built it (`proveBuilt`), so
 *    neither waits for the other between building and proving;
 *  - verify: each proves the shards it built (`proveShard`), opening them
 *    through its own view of the new generation and reading whole any that
 *    the copy step could not prove.
 *
 * Only on the node filesystem (a worker cannot share another FileSystem
 * object, such as the fault-injecting one) and with two or more old shards;
 * otherwise the whole run is on this thread.
 */
import {Worker} from 'node:worker_threads'
import type {FileSystem} from '../vfs/fs.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import {RecordHasher} from '../digest/format.js'
import {combinePlan, readShard, type Plan, type ShardPlan, type ShardEntries} from './plan.js'
import type {BuiltTarget} from './build-target.js'
import type {ProofPeer} from './prove.js'
import {WorkerLink} from '../util/thread-wire.js'
import {packShardPlan, unpackShardPlan, type FromPeerWorker, type PeerTarget, type PeerWorkerData, type ShardProof, type ToPeerWorker} from './peer-wire.js'

export class Peer implements ProofPeer {
  private readonly link: WorkerLink<ToPeerWorker, FromPeerWorker>

  private constructor(
    worker: Worker,
    private readonly from: number,
    private readonly to: number,
    private readonly at: number,
  ) {
    this.link = new WorkerLink(worker, "the rebalance's other thread", 'rebalance thread')
  }

  /** The worker for a run from `desc` in `dir` to `to` shards, or undefined where the run stays on one thread. */
  static start(fs: FileSystem, dir: string, desc: StoreDescriptor, to: number, at: number): Peer | undefined {
    const from = desc.shardCount
    if (fs !== nodeFileSystem || from < 2) return undefined
    const shards = [...Array(from).keys()].filter((s) => s % 2 === 1)
    const worker = new Worker(new URL('./peer-worker.js', import.meta.url), {workerData: {dir, desc, to, at, shards} satisfies PeerWorkerData})
    return new Peer(worker, from, to, at)
  }

  /** Whether target (or old shard) `t` is the worker's. */
  holds(t: number): boolean {
    return t % 2 === 1
  }

  /** The plan, as `readPlan` would make it, holding the moved records of this thread's targets. `sources`: the old shards through the writer. */
  async read(sources: readonly ShardEntries[], onShard?: (done: number) => void): Promise<Plan> {
    const parts: ShardPlan[] = []
    const hasher = new RecordHasher()
    for (let s = 0; s < this.from; s += 2) {
      parts.push(readShard(s, this.from, sources[s](), this.to, this.at, true, hasher))
      onShard?.(parts.length)
    }
    this.send({type: 'shards', plans: parts.map((p) => packShardPlan(p, (t) => this.holds(t)))})
    for (let s = 1; s < this.from; s += 2) {
      parts.push(unpackShardPlan((await this.link.expect('shard')).plan))
      onShard?.(parts.length)
    }
    return combinePlan(this.from, this.to, parts.sort((a, b) => a.shard - b.shard), (t) => !this.holds(t))
  }

  /**
   * Has the worker build `targets` of generation `next` (each from nothing),
   * calling `onBuilt` as each one is durable; resolves when all are.
   * REQUIRES: the old generation is flushed and the journal written.
   */
  async build(next: StoreDescriptor, targets: PeerTarget[], onBuilt: (b: BuiltTarget) => void): Promise<void> {
    this.send({type: 'build', next, targets})
    for (const t of targets) {
      const msg = await this.link.expect('built')
      if (msg.built.shard !== t.shard) throw this.link.unexpected(msg)
      onBuilt(msg.built)
    }
  }

  /** The worker's proof of `targets` of generation `next`, in their order. */
  async prove(next: StoreDescriptor, targets: PeerTarget[]): Promise<ShardProof[]> {
    this.send({type: 'prove', next, targets})
    return (await this.link.expect('proved')).proofs
  }

  /** Stops the worker (wherever it is: a target it was building is rebuilt by a resume). */
  async close(): Promise<void> {
    await this.link.close()
  }

  private send(msg: ToPeerWorker): void {
    this.link.send(msg)
  }
}
