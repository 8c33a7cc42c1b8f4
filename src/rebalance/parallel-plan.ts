/**
 * The read pass of a real rebalance on two threads: a worker thread
 * (plan-worker.ts) reads the odd old shards through read-only views while
 * this thread reads the even ones through the writer's shards, and the parts
 * are combined in shard order (`combinePlan`), so the plan is the one
 * `readPlan` would make. The old generation is flushed and the writer lock is
 * held, so both read the same immutable tables.
 *
 * Only on the node filesystem (a worker cannot share another FileSystem
 * object, such as the fault-injecting one) and with two or more old shards;
 * otherwise, and where no worker can be started, `readPlan` on this thread.
 * A moved record crosses the thread boundary in the entry encoding of
 * record/codec.ts, which keeps every field.
 */
import {Worker} from 'node:worker_threads'
import {StrataError, type ErrorCode} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import type {Entry} from '../record/format.js'
import {decodeEntry, encodeEntry} from '../record/codec.js'
import {ByteReader, ByteWriter} from '../util/coding.js'
import {RecordHasher} from '../digest/format.js'
import {Sum256} from '../digest/sum256.js'
import {combinePlan, readPlan, readShard, type Plan, type ShardPlan, type ShardEntries} from './plan.js'

/** What the worker is given. */
export interface PlanWorkerData {
  readonly dir: string
  readonly desc: StoreDescriptor
  readonly to: number
  readonly at: number
  readonly shards: readonly number[]
}

/** A ShardPlan as it crosses threads: sums as hex, moved records as (varint target, entry) pairs. */
export interface PackedShardPlan {
  readonly shard: number
  readonly keys: number[]
  readonly bytes: number[]
  readonly sum: string
  readonly staying: string
  readonly routed: boolean
  readonly moved: Uint8Array
}

interface PackedError {
  readonly code?: ErrorCode
  readonly message: string
  readonly file?: string
  readonly offset?: number
  readonly hint?: string
}

export type FromPlanWorker = {type: 'shard'; plan: PackedShardPlan} | {type: 'failed'; error: PackedError}

export function packShardPlan(p: ShardPlan): PackedShardPlan {
  const w = new ByteWriter(64 * 1024)
  for (let i = 0; i < p.moved.length; i++) {
    w.varint(p.movedTo[i])
    encodeEntry(w, p.moved[i])
  }
  return {shard: p.shard, keys: p.keys, bytes: p.bytes, sum: p.sum.hex(), staying: p.staying.hex(), routed: p.routed, moved: w.finish()}
}

function unpackShardPlan(p: PackedShardPlan): ShardPlan {
  const buf = Buffer.from(p.moved.buffer, p.moved.byteOffset, p.moved.byteLength)
  const r = new ByteReader(buf, 'rebalance plan')
  const moved: Entry[] = []
  const movedTo: number[] = []
  while (r.pos < buf.length) {
    movedTo.push(r.varint())
    moved.push(decodeEntry(r))
  }
  const sum = new Sum256()
  sum.addHex(p.sum)
  const staying = new Sum256()
  staying.addHex(p.staying)
  return {shard: p.shard, keys: p.keys, bytes: p.bytes, sum, staying, routed: p.routed, moved, movedTo}
}

export function describeError(err: unknown): PackedError {
  if (err instanceof StrataError) return {code: err.code, message: err.message, file: err.file, offset: err.offset, hint: err.hint}
  return {message: err instanceof Error ? err.message : String(err)}
}

/**
 * The plan of a real run (`readPlan` with `collect`) from the old generation
 * `desc` in `dir`, whose shards this thread reads through `sources`.
 */
export async function readPlanParallel(fs: FileSystem, dir: string, desc: StoreDescriptor, sources: readonly ShardEntries[], to: number, at: number, onShard?: (done: number) => void): Promise<Plan> {
  const from = sources.length
  if (fs !== nodeFileSystem || from < 2) return readPlan(sources, to, at, true, onShard)
  const theirs = [...Array(from).keys()].filter((s) => s % 2 === 1)
  const parts: ShardPlan[] = []
  const worker = new Worker(new URL('./plan-worker.js', import.meta.url), {workerData: {dir, desc, to, at, shards: theirs} satisfies PlanWorkerData})
  const fromWorker = collectWorker(worker, theirs.length)
  try {
    const hasher = new RecordHasher()
    for (let s = 0; s < from; s += 2) {
      parts.push(readShard(s, from, sources[s](), to, at, true, hasher))
      onShard?.(parts.length)
    }
    for (const packed of await fromWorker) {
      parts.push(unpackShardPlan(packed))
      onShard?.(parts.length)
    }
  } finally {
    await worker.terminate()
  }
  return combinePlan(from, to, parts.sort((a, b) => a.shard - b.shard))
}

/** The worker's `count` shard parts, or its error. */
function collectWorker(worker: Worker, count: number): Promise<PackedShardPlan[]> {
  const got: PackedShardPlan[] = []
  const done = new Promise<PackedShardPlan[]>((resolve, reject) => {
    worker.on('message', (msg: FromPlanWorker) => {
      if (msg.type === 'failed') {
        const e = msg.error
        reject(e.code === undefined ? new Error(`rebalance read thread: ${e.message}`) : new StrataError(e.code, e.message, {file: e.file, offset: e.offset, hint: e.hint}))
      } else if (got.push(msg.plan) === count) resolve(got)
    })
    worker.on('error', reject)
    worker.on('exit', (code) => reject(new Error(`the rebalance read thread exited (code ${code}) before it was done`)))
  })
  // Handled here as well: this thread may still be reading its own shards when the worker fails.
  done.catch(() => undefined)
  return done
}
