/**
 * The worker thread of a rebalance (peer.ts is the writer's side and says
 * how the work is split): reads the old shards it claims through read-only
 * views, sends each part of the plan as it is done, takes the writer's parts,
 * then builds the odd targets and the shared ones it claims when told to
 * (proving each record by record as it is built) and proves them when told
 * to, each step in turn.
 * Anything thrown is sent back as the run's failure.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {openGeneration} from '../store/open.js'
import {RecordHasher} from '../digest/format.js'
import {OldGeneration} from './old-generation.js'
import {combinePlan, readSource, type Plan, type ShardPlan} from './plan.js'
import {buildTarget} from './build-target.js'
import {proveShard} from './prove.js'
import {proveBuilt} from './prove-built.js'
import type {Sum256} from '../digest/sum256.js'
import {Inbox, describeError} from '../util/thread-wire.js'
import {packShardPlan, reviveKept, unpackShardPlan, type FromPeerWorker, type PeerTarget, type PeerWorkerData, type ToPeerWorker} from './peer-wire.js'

const port = parentPort!
const job = workerData as PeerWorkerData
const from = job.desc.shardCount
const inbox = new Inbox<ToPeerWorker>()
port.on('message', (msg: ToPeerWorker) => inbox.push(msg))
const send = (msg: FromPeerWorker): void => port.postMessage(msg)
const mine = (t: number): boolean => t % 2 === 1
// New shards of a growing store: either thread may build them (peer.ts), so both hold their records.
const shared = (t: number): boolean => job.to > from && t >= from
const claims = new Int32Array(job.claims)

async function next<K extends ToPeerWorker['type']>(type: K): Promise<Extract<ToPeerWorker, {type: K}>> {
  const msg = await inbox.take()
  if (msg.type !== type) throw new Error(`the rebalance's writer thread sent ${msg.type}, not ${type}`)
  return msg as Extract<ToPeerWorker, {type: K}>
}

/** Reads the old shards this thread claims, then combines the plan with the writer's parts. */
async function read(): Promise<Plan> {
  const parts: ShardPlan[] = []
  const old = OldGeneration.view(nodeFileSystem, job.dir, job.desc)
  try {
    const sources = old.sources()
    const hasher = new RecordHasher()
    for (let s = Atomics.add(claims, 1, 1); s < from; s = Atomics.add(claims, 1, 1)) {
      const p = readSource(s, from, sources[s], job.to, job.at, true, hasher)
      send({type: 'shard', plan: packShardPlan(p, (t) => !mine(t) || shared(t))})
      parts.push(p)
    }
  } finally {
    old.close()
  }
  for (const packed of (await next('shards')).plans) parts.push(unpackShardPlan(packed))
  return combinePlan(from, job.to, parts.sort((a, b) => a.shard - b.shard), (t) => mine(t) || shared(t))
}

async function main(): Promise<void> {
  const plan = await read()
  const build = await next('build')
  // Each target's share of the digest, proved record by record as soon as it is built (prove-built.ts).
  const proved = new Map<number, Sum256 | undefined>()
  const buildOne = ({shard, kept, provable}: PeerTarget): void => {
    const old = reviveKept(kept)
    const built = buildTarget(nodeFileSystem, job.dir, build.next, shard, old, plan.movedIn[shard], shard < from ? plan.movedOut[shard] : [])
    proved.set(shard, proveBuilt(nodeFileSystem, job.dir, build.next, shard, provable === true ? old : undefined, plan, job.at))
    // The records of a finished target are no longer needed.
    plan.movedIn[shard] = []
    send({type: 'built', built})
  }
  for (const target of build.targets) buildOne(target)
  // Then shared new shards, each claimed once by whichever thread asks first.
  for (let i = Atomics.add(claims, 0, 1); i < build.shared.length; i = Atomics.add(claims, 0, 1)) buildOne({shard: build.shared[i]})
  for (const t of build.shared) plan.movedIn[t] = []
  send({type: 'built-all'})
  const prove = await next('prove')
  const view = openGeneration(job.dir, prove.next, {fs: nodeFileSystem})
  try {
    const hasher = new RecordHasher()
    const proofs = prove.targets.map(({shard, kept}) => {
      const p = proveShard(nodeFileSystem, job.dir, prove.next, view, shard, reviveKept(kept), plan, job.at, hasher, proved.get(shard))
      return {shard, sum: p.sum.hex(), byTables: p.byTables}
    })
    send({type: 'proved', proofs})
  } finally {
    await view.close()
  }
}

main().catch((err: unknown) => send({type: 'failed', error: describeError(err)}))
