/**
 * A real rebalance on two threads. The writer's thread and a worker
 * (peer-worker.ts) split the work by parity, in every phase:
 *
 *  - read: each thread claims the next old shard not yet claimed (an atomic
 *    counter both see) and reads it, the worker through read-only views,
 *    this thread through the writer's shards, until none is left; each sends
 *    the other its parts of the plan (counts and sums) with the moved records
 *    bound for the other's targets, and the keys leaving a kept shard of the
 *    other's parity, so both combine the same plan (`combinePlan`), each
 *    holding the records of its own targets;
 *  - copy: each builds the targets of its parity (`buildTarget`), the worker
 *    after this thread has flushed and journalled, and each reports a target
 *    only once it is durable. A kept target t is built by the thread of its
 *    parity, which holds the keys leaving it (its tombstones). The
 *    new shards of a growing store are shared: both threads hold their
 *    records, and once done with its own targets each claims the next one
 *    not yet claimed (an atomic counter both see), so neither sits idle
 *    while the other still has a shard to build. Each reads a target back as
 *    soon as it has built it (`proveBuilt`), so neither waits for the other
 *    between building and proving;
 *  - verify: each proves the shards it built (`proveShard`), opening them
 *    through its own view of the new generation and reading whole any that
 *    the copy step could not prove; a shared shard found built by an earlier
 *    run is proved by the thread of its parity.
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
import {combinePlan, readSource, type Plan, type ShardPlan, type ShardSource} from './plan.js'
import type {BuiltTarget} from './build-target.js'
import type {ProofPeer} from './prove.js'
import {WorkerLink} from '../util/thread-wire.js'
import {packShardPlan, unpackShardPlan, type FromPeerWorker, type PeerTarget, type PeerWorkerData, type ShardProof, type ToPeerWorker} from './peer-wire.js'

export class Peer implements ProofPeer {
  private readonly link: WorkerLink<ToPeerWorker, FromPeerWorker>
  /** Shared targets each thread claimed in this run. */
  private readonly claimedHere = new Set<number>()
  private readonly builtThere = new Set<number>()

  private constructor(
    worker: Worker,
    private readonly from: number,
    private readonly to: number,
    private readonly at: number,
    private readonly claims: Int32Array,
  ) {
    this.link = new WorkerLink(worker, "the rebalance's other thread", 'rebalance thread')
  }

  /** The worker for a run from `desc` in `dir` to `to` shards, or undefined where the run stays on one thread. */
  static start(fs: FileSystem, dir: string, desc: StoreDescriptor, to: number, at: number): Peer | undefined {
    const from = desc.shardCount
    if (fs !== nodeFileSystem || from < 2) return undefined
    const claims = new SharedArrayBuffer(8)
    const worker = new Worker(new URL('./peer-worker.js', import.meta.url), {workerData: {dir, desc, to, at, claims} satisfies PeerWorkerData})
    return new Peer(worker, from, to, at, new Int32Array(claims))
  }

  /** Whether target (or old shard) `t` is the worker's by parity. */
  holds(t: number): boolean {
    return t % 2 === 1
  }

  /** Whether target `t` is a new shard of a growing store, which either thread may build. */
  shared(t: number): boolean {
    return this.to > this.from && t >= this.from
  }

  /** The next shared target of `list` (the one given to `build`) for this thread to build, or undefined once all are claimed. */
  claim(list: readonly number[]): number | undefined {
    const i = Atomics.add(this.claims, 0, 1)
    if (i >= list.length) return undefined
    this.claimedHere.add(list[i])
    return list[i]
  }

  /** Whether the worker proves target `t`: one it built, or one of its parity that neither thread built in this run. */
  proves(t: number): boolean {
    return this.builtThere.has(t) || (this.holds(t) && !this.claimedHere.has(t))
  }

  /** The plan, as `readPlan` would make it, holding the moved records of this thread's targets. `sources`: the old shards through the writer. */
  async read(sources: readonly ShardSource[], onShard?: (done: number) => void): Promise<Plan> {
    const parts: ShardPlan[] = []
    const hasher = new RecordHasher()
    for (let s = Atomics.add(this.claims, 1, 1); s < this.from; s = Atomics.add(this.claims, 1, 1)) {
      parts.push(readSource(s, this.from, sources[s], this.to, this.at, true, hasher))
      onShard?.(parts.length)
    }
    this.send({type: 'shards', plans: parts.map((p) => packShardPlan(p, (t) => this.holds(t) || this.shared(t)))})
    const seen = new Set(parts.map((p) => p.shard))
    while (parts.length < this.from) {
      const msg = await this.link.inbox.take()
      if (msg.type !== 'shard' || seen.has(msg.plan.shard)) throw this.link.unexpected(msg)
      seen.add(msg.plan.shard)
      parts.push(unpackShardPlan(msg.plan))
      onShard?.(parts.length)
    }
    return combinePlan(this.from, this.to, parts.sort((a, b) => a.shard - b.shard), (t) => !this.holds(t) || this.shared(t))
  }

  /**
   * Has the worker build `targets` of generation `next` (each from nothing),
   * then the shared targets of `shared` it claims, calling `onBuilt` as each
   * one is durable; resolves when all of `targets` are and every shared one
   * is claimed. REQUIRES: the old generation is flushed and the journal written.
   */
  async build(next: StoreDescriptor, targets: PeerTarget[], shared: readonly number[], onBuilt: (b: BuiltTarget) => void): Promise<void> {
    this.send({type: 'build', next, targets, shared: [...shared]})
    const expected = new Set([...targets.map((t) => t.shard), ...shared])
    for (let msg = await this.link.inbox.take(); msg.type !== 'built-all'; msg = await this.link.inbox.take()) {
      if (msg.type !== 'built' || !expected.delete(msg.built.shard) || this.claimedHere.has(msg.built.shard)) throw this.link.unexpected(msg)
      this.builtThere.add(msg.built.shard)
      onBuilt(msg.built)
    }
    const missing = targets.filter((t) => !this.builtThere.has(t.shard))
    if (missing.length > 0) throw new Error(`the rebalance's other thread did not build shards ${missing.map((t) => t.shard).join()}`)
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
