/**
 * Worker thread of a rebalance's read pass (see parallel-plan.ts for the main
 * thread's side and the messages): opens the old generation's shards it is
 * given as read-only views and reads each with `readShard`, handing every
 * shard's part back packed as soon as it is done.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {RecordHasher} from '../digest/format.js'
import {OldGeneration} from './old-generation.js'
import {readShard} from './plan.js'
import {describeError, packShardPlan, type PlanWorkerData, type FromPlanWorker} from './parallel-plan.js'

const port = parentPort!
const job = workerData as PlanWorkerData
const send = (msg: FromPlanWorker): void => port.postMessage(msg)

try {
  const old = OldGeneration.view(nodeFileSystem, job.dir, job.desc)
  try {
    const sources = old.sources()
    const hasher = new RecordHasher()
    for (const s of job.shards) send({type: 'shard', plan: packShardPlan(readShard(s, job.desc.shardCount, sources[s](), job.to, job.at, true, hasher))})
  } finally {
    old.close()
  }
} catch (err) {
  send({type: 'failed', error: describeError(err)})
}
