/**
 * The worker thread of view-sums.ts: opens its own view of the same files,
 * claims shards from the shared counter until none is left, and sends each
 * shard's sum as it is done. Fed (a restore still writing the files), it
 * waits for a shard it claimed to be given before reading it. Anything
 * thrown is sent back as the failure.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {openViewAt} from '../store/open.js'
import type {ViewAt} from '../store/shard-types.js'
import {describeError} from '../util/thread-wire.js'
import {sumShardInPlace} from './digest-store.js'
import {RecordHasher} from './format.js'
import type {FromViewSumsWorker, ShardReady, ViewSumsJob} from './view-sums.js'

const port = parentPort!
const job = workerData as ViewSumsJob
const send = (msg: FromViewSumsWorker | {type: 'failed'; error: ReturnType<typeof describeError>}): void => port.postMessage(msg)

/** A manifest as the message brought it: its table keys arrive as Uint8Arrays and are Buffers again. */
function revived(v: ViewAt): ViewAt {
  const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength)
  return {...v, manifest: {...v.manifest, tables: v.manifest.tables.map((t) => ({...t, smallestKey: asBuffer(t.smallestKey), largestKey: asBuffer(t.largestKey)}))}}
}

/** The positions the view reads: all given at start, or (fed) filled in as 'ready' messages come. */
const positions: ViewAt[] = job.spec.at.map(revived)
let given: (() => void) | undefined
if (job.fed) {
  port.on('message', (m: ShardReady) => {
    positions[m.shard] = revived(m.at)
    given?.()
  })
}

/** Resolves once shard `shard` can be read. */
async function readable(shard: number): Promise<void> {
  while (positions[shard] === undefined) await new Promise<void>((resolve) => (given = resolve))
}

try {
  const claims = new Int32Array(job.claims)
  // The view reads positions[i] when it first opens shard i, which is after readable(i).
  const view = openViewAt(job.spec.dir, job.spec.descriptor, positions)
  try {
    const hasher = new RecordHasher()
    for (let i = Atomics.add(claims, 0, 1); i < job.shards.length; i = Atomics.add(claims, 0, 1)) {
      await readable(job.shards[i])
      const r = sumShardInPlace(view, job.shards[i], job.at, hasher)
      send({type: 'shard', index: i, digest: r.sum.hex(), records: r.records, expiring: r.expiring})
    }
  } finally {
    await view.close()
  }
  send({type: 'done'})
} catch (err) {
  send({type: 'failed', error: describeError(err)})
} finally {
  // Nothing more to wait for: the thread may end.
  port.removeAllListeners('message')
}
