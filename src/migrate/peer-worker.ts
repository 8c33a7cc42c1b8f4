/**
 * The second thread of a migrate-schema run (peer.ts is the writer's side):
 * takes shards from the shared queue and runs each one's pass (shard-steps.ts)
 * through its own read-only view of the store, with its own Converter
 * (registry and validator loaded here), sending the shard's journal entry
 * after each durable chunk; when told to, proves a share of the switched
 * shards through a new view. Anything thrown is sent back as the run's
 * failure, and the thread takes no further shard.
 *
 * The writer's thread holds the lock and writes only to shards this thread
 * is not reading (it switches a shard once its pass is done), so the view
 * reads every shard it takes as the writer would.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {open} from '../store/open.js'
import type {StoreImpl} from '../store/store.js'
import {RecordHasher} from '../digest/format.js'
import {readRegistry} from '../schema/registry.js'
import {SchemaView} from '../schema/upgrade.js'
import {Validator} from '../schema/validate.js'
import {Inbox, describeError} from '../util/thread-wire.js'
import {Converter, type KeySelection} from './select.js'
import {ShardQueue, beginShard, shardChunk, type PassContext} from './shard-steps.js'
import {proveShard, type ShardProof} from './proof.js'
import type {MigrationJournal} from './journal.js'
import type {FromMigrateWorker, MigrateWorkerData, ToMigrateWorker} from './peer-wire.js'

const port = parentPort!
const job = workerData as MigrateWorkerData
const inbox = new Inbox<ToMigrateWorker>()
port.on('message', (msg: ToMigrateWorker) => inbox.push(msg))
const send = (msg: FromMigrateWorker): void => port.postMessage(msg)
const fs = nodeFileSystem

function selection(j: MigrationJournal): KeySelection {
  const hex = (s: string | undefined): Buffer | undefined => (s === undefined ? undefined : Buffer.from(s, 'hex'))
  const [from, to, prefix] = [hex(j.from), hex(j.to), hex(j.prefix)]
  return {...(from ? {from} : {}), ...(to ? {to} : {}), ...(prefix ? {prefix} : {})}
}

async function next<K extends ToMigrateWorker['type']>(type: K): Promise<Extract<ToMigrateWorker, {type: K}>> {
  const msg = await inbox.take()
  if (msg.type !== type) throw new Error(`migrate-schema's writer thread sent ${msg.type}, not ${type}`)
  return msg as Extract<ToMigrateWorker, {type: K}>
}

async function main(): Promise<void> {
  const registry = readRegistry(job.dir, fs)
  const converter = new Converter(new SchemaView(job.dir, fs, registry), await Validator.load(), registry.resolve(job.schema, job.toVersion))
  const {journal} = await next('begin')
  const keys = selection(journal)
  const queue = new ShardQueue(journal.shards.length, job.queue)
  const hasher = new RecordHasher()
  const store = (await open(job.dir, {readOnly: true, fs})) as StoreImpl
  try {
    const c: PassContext = {store, fs, dir: job.dir, converter, keys, chunkRecords: job.chunkRecords, hasher}
    for (let i = queue.next(0); i >= 0; i = queue.next(0)) {
      if (!beginShard(c, journal, i)) continue
      while (!journal.shards[i].done) {
        const examined = shardChunk(c, journal, i)
        send({type: 'chunk', shard: i, entry: journal.shards[i], examined})
      }
      send({type: 'done', shard: i, entry: journal.shards[i]})
    }
  } finally {
    await store.close()
  }
  send({type: 'passed'})
  const prove = await next('prove')
  // A new view: the shards are switched since the first one was opened.
  const view = await open(job.dir, {readOnly: true, fs})
  try {
    const skipped = new Set(prove.skipped)
    const proofs: ShardProof[] = []
    for (let i = queue.next(1); i >= 0; i = queue.next(1)) proofs.push(proveShard(view, i, converter, keys, journal.at, skipped, hasher))
    send({type: 'proved', proofs})
  } finally {
    await view.close()
  }
}

main().catch((err: unknown) => send({type: 'failed', error: describeError(err)}))
