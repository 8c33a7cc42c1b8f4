/**
 * What crosses between a rebalance's two threads (peer.ts on the writer's
 * thread, peer-worker.ts on the other): the messages, the packed form of a
 * shard's part of the plan, a kept shard with its keys made Buffers again,
 * and errors (util/thread-wire.ts, with the inbox each side reads from).
 *
 * Moved records cross as the packed runs the read pass made (moved-run.ts:
 * the entry encoding of record/codec.ts, which keeps every field), copied by
 * structured cloning. Cloning turns a Buffer into a plain Uint8Array, so
 * every key that crosses is wrapped again on arrival.
 */
import type {PackedError} from '../util/thread-wire.js'
import type {StoreDescriptor} from '../store/descriptor.js'
import type {TableMeta} from '../manifest/format.js'
import {Sum256} from '../digest/sum256.js'
import {PackedKeys, PackedRun} from './moved-run.js'
import type {ShardPlan} from './plan.js'
import type {BuiltTarget, KeptShard} from './build-target.js'

/** What the worker is started with: the old generation it reads and the run's targets. */
export interface PeerWorkerData {
  readonly dir: string
  readonly desc: StoreDescriptor
  readonly to: number
  readonly at: number
  /**
   * Two Int32 counters both threads claim work from (Atomics.add): [0] the
   * next index into a build's `shared` list, [1] the next old shard to read.
   */
  readonly claims: SharedArrayBuffer
}

/** A ShardPlan as it crosses threads: sums as hex, moved records as packed runs. */
export interface PackedShardPlan {
  readonly shard: number
  readonly keys: number[]
  readonly bytes: number[]
  readonly sum: string
  readonly staying: string
  /** Per target: the moved records' hash sum as hex, '' where none move. */
  readonly movedSums: string[]
  readonly routed: boolean
  /** The runs of records moving to the receiver's targets. */
  readonly runs: {readonly target: number; readonly length: number; readonly bytes: Uint8Array}[]
  /** The keys leaving the shard, when the receiver builds it as a kept target. */
  readonly leaving?: {readonly length: number; readonly bytes: Uint8Array}
}

/** One target for the worker to build (`kept`: the old shard it starts from) or to prove (`kept`: provably the tables the plan read). */
export interface PeerTarget {
  readonly shard: number
  readonly kept?: KeptShard
  /** For a build: whether `kept` is provably the tables the plan read, so the built target may be proved record by record. */
  readonly provable?: boolean
}

/** A shard's share of the proof: its live records' hash sum, and whether it was counted from its new tables only. */
export interface ShardProof {
  readonly shard: number
  readonly sum: string
  readonly byTables: boolean
}

export type ToPeerWorker =
  | {type: 'shards'; plans: PackedShardPlan[]}
  /** `targets`: the worker's own; `shared`: new shards either thread builds, each claimed through `claims`. */
  | {type: 'build'; next: StoreDescriptor; targets: PeerTarget[]; shared: number[]}
  | {type: 'prove'; next: StoreDescriptor; targets: PeerTarget[]}

export type FromPeerWorker =
  | {type: 'shard'; plan: PackedShardPlan}
  | {type: 'built'; built: BuiltTarget}
  | {type: 'built-all'}
  | {type: 'proved'; proofs: ShardProof[]}
  | {type: 'failed'; error: PackedError}

/** `p` packed, with only the moved records whose target `sends` accepts, and the keys leaving it if `sends` accepts the shard itself. */
export function packShardPlan(p: ShardPlan, sends: (t: number) => boolean): PackedShardPlan {
  const runs: PackedShardPlan['runs'] = []
  p.moved.forEach((run, target) => {
    // A copy of exactly the run's bytes: cloning a view clones the whole buffer under it (a run's spare room, or a shared pool).
    if (run !== undefined && sends(target)) runs.push({target, length: run.length, bytes: new Uint8Array(run.bytes())})
  })
  const leaving = p.leaving !== undefined && sends(p.shard) ? {length: p.leaving.length, bytes: new Uint8Array(p.leaving.bytes())} : undefined
  return {shard: p.shard, keys: p.keys, bytes: p.bytes, sum: p.sum.hex(), staying: p.staying.hex(), movedSums: p.movedSums.map((m) => m?.hex() ?? ''), routed: p.routed, runs, ...(leaving === undefined ? {} : {leaving})}
}

export function unpackShardPlan(p: PackedShardPlan): ShardPlan {
  const moved = new Array<PackedRun | undefined>(p.keys.length).fill(undefined)
  for (const r of p.runs) moved[r.target] = PackedRun.of(r.bytes, r.length)
  const sum = new Sum256()
  sum.addHex(p.sum)
  const staying = new Sum256()
  staying.addHex(p.staying)
  const movedSums = p.movedSums.map((hex) => {
    if (hex === '') return undefined
    const m = new Sum256()
    m.addHex(hex)
    return m
  })
  const leaving = p.leaving === undefined ? undefined : PackedKeys.of(p.leaving.bytes, p.leaving.length)
  return {shard: p.shard, keys: p.keys, bytes: p.bytes, sum, staying, movedSums, routed: p.routed, moved, leaving}
}

/** A kept shard as received: its tables' key bounds made Buffers again. */
export function reviveKept(k: KeptShard | undefined): KeptShard | undefined {
  if (k === undefined) return undefined
  const tables: TableMeta[] = k.manifest.tables.map((m) => ({...m, smallestKey: asBuffer(m.smallestKey), largestKey: asBuffer(m.largestKey)}))
  return {...k, manifest: {...k.manifest, tables}}
}

/** A BuiltTarget is plain numbers: it crosses as it is. */
export type {BuiltTarget}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength)
}
