/**
 * The worker thread of view-sums.ts: opens its own view of the same files,
 * claims shards from the shared counter until none is left, and sends each
 * shard's sum as it is done. Anything thrown is sent back as the failure.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {openViewAt} from '../store/open.js'
import type {ViewAt} from '../store/shard-types.js'
import {describeError} from '../util/thread-wire.js'
import {sumShardInPlace} from './digest-store.js'
import {RecordHasher} from './format.js'
import type {FromViewSumsWorker, ViewSumsJob} from './view-sums.js'

const port = parentPort!
const job = workerData as ViewSumsJob
const send = (msg: FromViewSumsWorker | {type: 'failed'; error: ReturnType<typeof describeError>}): void => port.postMessage(msg)

/** A manifest as the message brought it: its table keys arrive as Uint8Arrays and are Buffers again. */
function revived(v: ViewAt): ViewAt {
  const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength)
  return {...v, manifest: {...v.manifest, tables: v.manifest.tables.map((t) => ({...t, smallestKey: asBuffer(t.smallestKey), largestKey: asBuffer(t.largestKey)}))}}
}

try {
  const claims = new Int32Array(job.claims)
  const view = openViewAt(job.spec.dir, job.spec.descriptor, job.spec.at.map(revived))
  try {
    const hasher = new RecordHasher()
    for (let i = Atomics.add(claims, 0, 1); i < job.shards.length; i = Atomics.add(claims, 0, 1)) {
      const r = sumShardInPlace(view, job.shards[i], job.at, hasher)
      send({type: 'shard', index: i, digest: r.sum.hex(), records: r.records, expiring: r.expiring})
    }
  } finally {
    await view.close()
  }
  send({type: 'done'})
} catch (err) {
  send({type: 'failed', error: describeError(err)})
}
